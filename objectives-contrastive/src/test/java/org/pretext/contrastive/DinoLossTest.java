package org.pretext.contrastive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pretext.engine.Engines;
import org.pretext.engine.NoGradient;

/** DINO's multi-crop loss against a hand-worked value, the reference code's loop (numpy) and finite differences. */
class DinoLossTest {
    /**
     * N = 1, K = 2, V = 3 (one local view), τ_s = 1. Student log-probabilities: global 1 (0, 0) →
     * (−ln 2, −ln 2); global 2 (ln 3, 0) → (ln ¾, ln ¼); local (0, ln 3) → (ln ¼, ln ¾). Teacher
     * targets T1 = (1, 0), T2 = (½, ½). The 2V − 2 = 4 pairs: (T1, global 2) ln(4/3); (T2, global 1)
     * ln 2; (T1, local) ln 4; (T2, local) ½ ln 4 + ½ ln(4/3). L = (1.5 ln(4/3) + 4 ln 2)/4.
     */
    @Test
    void matchesTheValueWorkedOutByHand() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray student = m.create(new float[] {0, 0, (float) Math.log(3), 0, 0, (float) Math.log(3)}, new Shape(3, 2));
            NDArray targets = m.create(new float[] {1, 0, 0.5f, 0.5f}, new Shape(2, 2));
            double expected = (1.5 * Math.log(4.0 / 3) + 4 * Math.log(2)) / 4;
            assertThat((double) DinoLoss.crossEntropy(student, targets, 1).getFloat()).isCloseTo(expected, within(1e-6));
            // without the local view: each global against the other, (ln(4/3) + ln 2)/2
            assertThat((double) DinoLoss.crossEntropy(student.get("0:2"), targets, 1).getFloat())
                    .isCloseTo((Math.log(4.0 / 3) + Math.log(2)) / 2, within(1e-6));
        }
    }

    static double[] values(int n, double scale, double step, double phase, boolean sine) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = scale * (sine ? Math.sin(step * i + phase) : Math.cos(step * i + phase));
        }
        return v;
    }

    static float[] floats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    /**
     * N = 3, K = 5, two global and two local views, τ_s = 0.1, τ_t = 0.04, a centre: the value of the
     * reference code's DINOLoss.forward (its loop over teacher and student views, in numpy:
     * 12.127762414986975 over 6 pairs), and the centre after one update, m = 0.9.
     */
    @Test
    void matchesTheReferenceCodesLoopAndCentreRule() {
        int n = 3;
        int k = 5;
        int v = 4;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray student = m.create(floats(values(v * n * k, 2, 0.7, 0.3, true)), new Shape(v * n, k));
            NDArray teacher = m.create(floats(values(2 * n * k, 1.5, 0.45, 0, false)), new Shape(2 * n, k));
            NDArray centre = m.create(new float[] {-0.2f, -0.1f, 0f, 0.1f, 0.2f}, new Shape(1, k));
            NDArray targets = DinoLoss.teacherProbabilities(teacher, centre, 0.04);
            assertThat((double) DinoLoss.crossEntropy(student, targets, 0.1).getFloat())
                    .isCloseTo(12.127762414986975, within(2e-5 * 12.13));
            NoGradient.run(() -> DinoLoss.updateCentre(centre, DinoLoss.batchCentre(teacher), 0.9));
            assertThat(centre.toFloatArray()).containsExactly(new float[] {-0.17013509f, -0.07779945f, 0.012107f,
                0.09960287f, 0.18518675f}, within(1e-6f));
        }
    }

    /** The loss in double precision, the reference code's loop. */
    static double reference(double[] student, double[] targets, int n, int k, double tau) {
        int v = student.length / (n * k);
        double total = 0;
        for (int iq = 0; iq < 2; iq++) {
            for (int view = 0; view < v; view++) {
                if (view == iq) {
                    continue;
                }
                for (int e = 0; e < n; e++) {
                    int s = (view * n + e) * k;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < k; j++) {
                        max = Math.max(max, student[s + j] / tau);
                    }
                    double z = 0;
                    for (int j = 0; j < k; j++) {
                        z += Math.exp(student[s + j] / tau - max);
                    }
                    double logZ = max + Math.log(z);
                    for (int j = 0; j < k; j++) {
                        total -= targets[(iq * n + e) * k + j] * (student[s + j] / tau - logZ) / n;
                    }
                }
            }
        }
        return total / (2 * v - 2);
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(19);
        int n = 3;
        int k = 4;
        int v = 5; // two global views, three local ones
        float[] student = FiniteDifferences.gaussian(r, v * n * k, 1);
        float[] raw = FiniteDifferences.gaussian(r, 2 * n * k, 1);
        double[] targets = new double[raw.length];
        float[] t32 = new float[raw.length];
        for (int e = 0; e < 2 * n; e++) {
            double z = 0;
            for (int j = 0; j < k; j++) {
                z += Math.exp(raw[e * k + j]);
            }
            for (int j = 0; j < k; j++) {
                targets[e * k + j] = Math.exp(raw[e * k + j]) / z;
                t32[e * k + j] = (float) targets[e * k + j];
            }
        }
        FiniteDifferences.check(new float[][] {student}, new Shape[] {new Shape(v * n, k)},
                in -> DinoLoss.crossEntropy(in.get(0),
                        in.get(0).getManager().create(t32, new Shape(2 * n, k)), 0.5),
                x -> reference(x[0], targets, n, k, 0.5), 2e-4);
        assertThat(Engines.engine()).isNotNull();
    }

    @Test
    void teacherTemperatureWarmsUpLinearly() {
        assertThat(DinoLoss.teacherTemperature(0, 100, 0.04, 0.07, 0.3)).isEqualTo(0.04);
        assertThat(DinoLoss.teacherTemperature(15, 100, 0.04, 0.07, 0.3)).isCloseTo(0.055, within(1e-12));
        assertThat(DinoLoss.teacherTemperature(30, 100, 0.04, 0.07, 0.3)).isEqualTo(0.07);
        assertThat(DinoLoss.teacherTemperature(99, 100, 0.04, 0.07, 0.3)).isEqualTo(0.07);
    }
}
