package org.pretext.contrastive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pretext.engine.Engines;

/**
 * MMCR's loss, and its nuclear norm (a Newton–Schulz polar factor, no SVD in DJL) against a
 * one-sided Jacobi SVD in double precision written here.
 */
class MmcrLossTest {

    /**
     * Two examples, two views, d = 2, given at lengths other than 1 (the loss normalises them):
     * example 1 views (1, 0) and (0.6, 0.8), centroid (0.8, 0.4); example 2 views (0, 1) twice,
     * centroid (0, 1). For a 2 × 2 matrix (σ₁ + σ₂)² = ‖C‖_F² + 2|det C|:
     * ‖C‖_* = √(1.8 + 2·0.8) = √3.4; Z₁ = [(1, 0), (0.6, 0.8)]: √(2 + 1.6) = √3.6; Z₂ = [(0, 1), (0, 1)]
     * has rank 1: √2. With λ = 0.5, L = −√3.4 + 0.5·(√3.6 + √2)/2.
     */
    @Test
    void matchesATwoByTwoCaseWorkedByHand() {
        try (NDManager m = NDManager.newBaseManager()) {
            // (k = 2, B = 2, d = 2)
            NDArray views = m.create(new float[] {2, 0, 0, 0.5f, 3, 4, 0, 7}, new Shape(2, 2, 2));
            MmcrLoss.Terms t = MmcrLoss.compute(views, 0.5);
            assertThat((double) t.centroids().getFloat()).isCloseTo(Math.sqrt(3.4), within(1e-6));
            assertThat((double) t.views().getFloat()).isCloseTo((Math.sqrt(3.6) + Math.sqrt(2)) / 2, within(1e-6));
            assertThat((double) t.total().getFloat())
                    .isCloseTo(-Math.sqrt(3.4) + 0.5 * (Math.sqrt(3.6) + Math.sqrt(2)) / 2, within(1e-6));
            assertThat((double) MmcrLoss.compute(views, 0).total().getFloat()).isCloseTo(-Math.sqrt(3.4), within(1e-6));
        }
    }

    /**
     * B = 2 &lt; d = 3 (the row Gram side): views (1, 0, 0), (0, 1, 0) and (0, 0, 1) twice give
     * orthogonal centroids (½, ½, 0) and (0, 0, 1), whose singular values are their lengths √½ and 1.
     */
    @Test
    void takesTheRowSideWhenThereAreFewerExamplesThanDimensions() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray views = m.create(new float[] {1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1}, new Shape(2, 2, 3));
            assertThat((double) MmcrLoss.compute(views, 0).centroids().getFloat())
                    .isCloseTo(Math.sqrt(0.5) + 1, within(1e-6));
            // a zero matrix has nuclear norm 0 and a zero (not NaN) gradient
            NDArray zero = m.zeros(new Shape(3, 2));
            zero.setRequiresGradient(true);
            try (GradientCollector gc = Engines.engine().newGradientCollector()) {
                NDArray l = MmcrLoss.nuclearNorm(zero);
                gc.backward(l);
                assertThat(l.getFloat()).isEqualTo(0f);
            }
            assertThat(zero.getGradient().toFloatArray()).containsOnly(0f);
        }
    }

    @Test
    void refusesOneViewAndANegativeLambda() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> MmcrLoss.compute(m.ones(new Shape(1, 4, 3)), 0))
                    .hasMessageContaining("k >= 2 views").hasMessageContaining("(1, 4, 3)");
            assertThatThrownBy(() -> MmcrLoss.compute(m.ones(new Shape(2, 4, 3)), -1))
                    .hasMessageContaining("lambda must be >= 0, got -1.0");
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(19);
        int k = 3;
        int b = 5;
        int d = 4;
        FiniteDifferences.check(new float[][] {FiniteDifferences.gaussian(r, k * b * d, 1)},
                new Shape[] {new Shape(k, b, d)}, in -> MmcrLoss.compute(in.get(0), 0.3).total(),
                x -> reference(x[0], k, b, d, 0.3), 2e-3);
    }

    /**
     * The nuclear norm and its gradient (the polar factor) on centroids of realistic size (B = 256)
     * against the Jacobi SVD of the same float32 matrix in double precision, from well spread views to
     * nearly collapsed ones (views around one common direction: the smallest singular value falls to
     * 10⁻⁴ and below of the largest, where Newton–Schulz converges slowest). Value within 2e-6
     * relative (float32's sum of 256 × d products), every gradient entry within 1e-6 (measured: 1e-8).
     */
    @ParameterizedTest
    @CsvSource({"128, 2, 1.0", "64, 2, 0.01", "128, 8, 0.003", "128, 2, 0.0001", "32, 4, 0.3"})
    void nuclearNormAndGradientAgreeWithAJacobiSvdInDoublePrecision(int d, int k, double spread) {
        int b = 256;
        SplittableRandom r = new SplittableRandom(d * 31L + k);
        double[] common = new double[d];
        for (int j = 0; j < d; j++) {
            common[j] = r.nextGaussian();
        }
        float[] c = new float[b * d];
        for (int i = 0; i < b; i++) {
            double[] sum = new double[d];
            for (int v = 0; v < k; v++) {
                double[] z = new double[d];
                for (int j = 0; j < d; j++) {
                    z[j] = common[j] + spread * r.nextGaussian();
                }
                z = FiniteDifferences.unit(z);
                for (int j = 0; j < d; j++) {
                    sum[j] += z[j] / k;
                }
            }
            for (int j = 0; j < d; j++) {
                c[i * d + j] = (float) sum[j];
            }
        }
        double[] x = new double[c.length];
        for (int i = 0; i < c.length; i++) {
            x[i] = c[i];
        }
        Svd svd = Svd.of(x, b, d);
        double[] polar = svd.polar();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray in = m.create(c, new Shape(b, d));
            in.setRequiresGradient(true);
            double value;
            int iterations;
            try (GradientCollector gc = Engines.engine().newGradientCollector()) {
                MmcrLoss.Iterated l = MmcrLoss.nuclearNormIterated(in);
                gc.backward(l.value());
                value = l.value().getFloat();
                iterations = l.iterations();
            }
            float[] grad = in.getGradient().toFloatArray();
            double worst = 0;
            for (int i = 0; i < grad.length; i++) {
                worst = Math.max(worst, Math.abs(grad[i] - polar[i]));
            }
            double exact = svd.nuclearNorm();
            System.out.printf("mmcr nuclear norm, B=%d d=%d k=%d spread=%s: sigma %.3g..%.3g, %d iterations, value off"
                    + " by %.2g relative, gradient by %.2g%n", b, d, k, spread, svd.sigma[0], svd.sigma[d - 1],
                    iterations, Math.abs(value - exact) / exact, worst);
            assertThat(iterations).as("iterations").isLessThan(MmcrLoss.MAX_ITERATIONS);
            assertThat(value).as("nuclear norm").isCloseTo(exact, within(2e-6 * exact));
            assertThat(worst).as("largest gradient error").isLessThan(1e-6);
        }
    }

    /** MMCR's loss in double precision: normalise, centroids, nuclear norms by the Jacobi SVD. */
    static double reference(double[] views, int k, int b, int d, double lambda) {
        double[] z = new double[views.length];
        for (int r = 0; r < k * b; r++) {
            double[] u = FiniteDifferences.unit(FiniteDifferences.row(views, r, d));
            System.arraycopy(u, 0, z, r * d, d);
        }
        double[] c = new double[b * d];
        double perExample = 0;
        for (int i = 0; i < b; i++) {
            double[] zi = new double[k * d];
            for (int v = 0; v < k; v++) {
                for (int j = 0; j < d; j++) {
                    c[i * d + j] += z[(v * b + i) * d + j] / k;
                    zi[v * d + j] = z[(v * b + i) * d + j];
                }
            }
            perExample += Svd.of(zi, k, d).nuclearNorm() / b;
        }
        return -Svd.of(c, b, d).nuclearNorm() + lambda * perExample;
    }

    /**
     * One-sided Jacobi SVD (Hestenes) of an m × n row-major matrix in double precision: rotate pairs
     * of columns until all are orthogonal; then σ_j = ‖column j‖ and the polar factor is A V Σ⁻¹ Vᵀ.
     * Works on Aᵀ when m &lt; n.
     */
    static final class Svd {
        final double[] sigma; // descending
        private final double[] a; // m × n, columns orthogonal after the sweeps (A V)
        private final double[] v; // n × n
        private final int m;
        private final int n;
        private final boolean transposed;

        private Svd(double[] a, double[] v, double[] sigma, int m, int n, boolean transposed) {
            this.a = a;
            this.v = v;
            this.sigma = sigma;
            this.m = m;
            this.n = n;
            this.transposed = transposed;
        }

        static Svd of(double[] x, int rows, int cols) {
            boolean t = rows < cols;
            int m = t ? cols : rows;
            int n = t ? rows : cols;
            double[] a = new double[m * n];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    a[t ? j * n + i : i * n + j] = x[i * cols + j];
                }
            }
            double[] v = new double[n * n];
            for (int j = 0; j < n; j++) {
                v[j * n + j] = 1;
            }
            for (int sweep = 0; sweep < 60; sweep++) {
                double off = 0;
                for (int p = 0; p < n - 1; p++) {
                    for (int q = p + 1; q < n; q++) {
                        double alpha = 0;
                        double beta = 0;
                        double gamma = 0;
                        for (int i = 0; i < m; i++) {
                            double ap = a[i * n + p];
                            double aq = a[i * n + q];
                            alpha += ap * ap;
                            beta += aq * aq;
                            gamma += ap * aq;
                        }
                        if (gamma == 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) {
                            continue;
                        }
                        off = Math.max(off, Math.abs(gamma) / Math.sqrt(alpha * beta));
                        double zeta = (beta - alpha) / (2 * gamma);
                        double tan = Math.signum(zeta == 0 ? 1 : zeta) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
                        double cos = 1 / Math.sqrt(1 + tan * tan);
                        double sin = cos * tan;
                        rotate(a, m, n, p, q, cos, sin);
                        rotate(v, n, n, p, q, cos, sin);
                    }
                }
                if (off < 1e-15) {
                    break;
                }
            }
            double[] s = new double[n];
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int i = 0; i < m; i++) {
                    sum += a[i * n + j] * a[i * n + j];
                }
                s[j] = Math.sqrt(sum);
            }
            double[] sorted = s.clone();
            java.util.Arrays.sort(sorted);
            double[] desc = new double[n];
            for (int j = 0; j < n; j++) {
                desc[j] = sorted[n - 1 - j];
            }
            return new Svd(a, v, desc, m, n, t);
        }

        private static void rotate(double[] x, int rows, int n, int p, int q, double cos, double sin) {
            for (int i = 0; i < rows; i++) {
                double xp = x[i * n + p];
                double xq = x[i * n + q];
                x[i * n + p] = cos * xp - sin * xq;
                x[i * n + q] = sin * xp + cos * xq;
            }
        }

        double nuclearNorm() {
            double sum = 0;
            for (double s : sigma) {
                sum += s;
            }
            return sum;
        }

        /** U Vᵀ (rows × cols of the original, row-major); columns with σ = 0 contribute nothing. */
        double[] polar() {
            double[] u = new double[m * n]; // A V Σ⁻¹
            for (int j = 0; j < n; j++) {
                double norm = 0;
                for (int i = 0; i < m; i++) {
                    norm += a[i * n + j] * a[i * n + j];
                }
                norm = Math.sqrt(norm);
                for (int i = 0; i < m; i++) {
                    u[i * n + j] = norm == 0 ? 0 : a[i * n + j] / norm;
                }
            }
            double[] w = new double[m * n]; // U Vᵀ, m × n
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    for (int l = 0; l < n; l++) {
                        sum += u[i * n + l] * v[j * n + l];
                    }
                    w[i * n + j] = sum;
                }
            }
            if (!transposed) {
                return w;
            }
            double[] out = new double[m * n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    out[j * m + i] = w[i * n + j];
                }
            }
            return out;
        }
    }
}
