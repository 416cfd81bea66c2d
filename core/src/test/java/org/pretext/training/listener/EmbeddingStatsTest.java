package org.pretext.training.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EmbeddingStatsTest {

    @Test
    void alignmentIsTheMeanSquaredDistanceOfNormalisedPairs() {
        // pairs (1,0)~(0,1): distance² 2; (0,2)~(0,3): both (0,1), distance 0 → A = 1
        float[] a = {1, 0, 0, 2};
        float[] b = {0, 1, 0, 3};
        assertThat(EmbeddingStats.alignment(a, b, 2, 2)).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void uniformityIsTheLogMeanGaussianPotential() {
        // (1,0), (-1,0), (0,1): squared distances 4, 2, 2 → U = log((e⁻⁸ + 2e⁻⁴)/3)
        float[] f = {1, 0, -1, 0, 0, 5};
        double expected = Math.log((Math.exp(-8) + 2 * Math.exp(-4)) / 3);
        assertThat(EmbeddingStats.uniformity(f, 3, 2)).isCloseTo(expected, within(1e-12));
        // every embedding pointing the same way: U = 0
        assertThat(EmbeddingStats.uniformity(new float[] {1, 1, 2, 2, 3, 3}, 3, 2)).isCloseTo(0, within(1e-12));
    }

    @Test
    void uniformityEqualsTheSumOverPairsOfItsDefinition() {
        // 37 random rows of 9 features, one of them zero (it stays zero when normalised)
        int n = 37;
        int d = 9;
        SplittableRandom r = new SplittableRandom(7);
        float[] f = new float[n * d];
        for (int i = 0; i < f.length; i++) {
            f[i] = i / d == 5 ? 0 : (float) (r.nextDouble() * 4 - 2);
        }
        double[][] x = EmbeddingStats.normalizedRows(f, n, d);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double dist = 0;
                for (int k = 0; k < d; k++) {
                    dist += (x[i][k] - x[j][k]) * (x[i][k] - x[j][k]);
                }
                sum += Math.exp(-EmbeddingStats.UNIFORMITY_T * dist);
            }
        }
        double expected = Math.log(sum / (n * (n - 1) / 2.0));
        assertThat(EmbeddingStats.uniformity(f, n, d)).isCloseTo(expected, within(1e-12));
        assertThat(expected).isBetween(-4.0, -0.1);
    }

    @Test
    void eigenvaluesOfASymmetricMatrixBuiltFromKnownOnes() {
        double[] lambda = {-3, 0.5, 1e-6, 2, 2, 7.25, 11};
        int n = lambda.length;
        double[][] q = orthonormal(n, n, new SplittableRandom(3));
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int c = 0; c < n; c++) {
                    a[i][j] += q[c][i] * lambda[c] * q[c][j];
                }
            }
        }
        double[] sorted = lambda.clone();
        Arrays.sort(sorted);
        double[] got = EmbeddingStats.symmetricEigenvalues(a);
        for (int c = 0; c < n; c++) {
            assertThat(got[c]).as("eigenvalue %d", c).isCloseTo(sorted[c], within(1e-12));
        }
    }

    @Test
    void effectiveRankIsTheExponentialEntropyOfTheNormalisedSingularValues() {
        // rows (3,0), (0,1): σ = 3, 1 → p = 3/4, 1/4 → exp(−¾ln¾ − ¼ln¼) = 1.7548
        double p1 = 0.75 + EmbeddingStats.RANKME_EPSILON;
        double p2 = 0.25 + EmbeddingStats.RANKME_EPSILON;
        double expected = Math.exp(-(p1 * Math.log(p1) + p2 * Math.log(p2)));
        assertThat(EmbeddingStats.effectiveRank(new float[] {3, 0, 0, 1}, 2, 2)).isCloseTo(expected, within(1e-9));
        assertThat(expected).isCloseTo(1.7548, within(1e-4));
        // four orthogonal directions of equal length: rank 4; one direction repeated: rank 1
        float[] eye = new float[16];
        for (int i = 0; i < 4; i++) {
            eye[i * 5] = 2;
        }
        assertThat(EmbeddingStats.effectiveRank(eye, 4, 4)).isCloseTo(4, within(1e-5));
        float[] line = {1, 2, 2, 4, -3, -6};
        assertThat(EmbeddingStats.effectiveRank(line, 3, 2)).isCloseTo(1, within(1e-5));
    }

    @Test
    void singularValuesOfAMatrixBuiltFromKnownOnes() {
        double[] s = {9, 4, 2.5, 1, 0.1};
        for (int[] dims : new int[][] {{40, 5}, {5, 40}, {12, 7}}) {
            int n = dims[0];
            int d = dims[1];
            int k = Math.min(n, d);
            double[][] u = orthonormal(n, k, new SplittableRandom(n));
            double[][] v = orthonormal(d, k, new SplittableRandom(d + 100));
            float[] f = new float[n * d];
            double[] sv = Arrays.copyOf(s, k);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    double x = 0;
                    for (int c = 0; c < k; c++) {
                        x += u[c][i] * sv[c] * v[c][j];
                    }
                    f[i * d + j] = (float) x;
                }
            }
            double[] got = EmbeddingStats.singularValues(f, n, d);
            assertThat(got).hasSize(k);
            for (int c = 0; c < k; c++) {
                assertThat(got[c]).as("σ%d of %dx%d", c, n, d).isCloseTo(sv[c], within(2e-5 * s[0]));
            }
        }
    }

    @Test
    void normalisedStdIsOneForSpreadAndZeroForCollapsedEmbeddings() {
        // (1,0), (-1,0): column stds 1 and 0 → √2·(1 + 0)/2
        assertThat(EmbeddingStats.normalizedStd(new float[] {1, 0, -1, 0}, 2, 2)).isCloseTo(Math.sqrt(0.5),
                within(1e-12));
        assertThat(EmbeddingStats.normalizedStd(new float[] {1, 1, 2, 2}, 2, 2)).isCloseTo(0, within(1e-12));
    }

    /** k orthonormal vectors of length m (Gram-Schmidt on Gaussian vectors). */
    private static double[][] orthonormal(int m, int k, SplittableRandom r) {
        double[][] q = new double[k][m];
        for (int c = 0; c < k; c++) {
            for (int i = 0; i < m; i++) {
                q[c][i] = r.nextGaussian();
            }
            for (int p = 0; p < c; p++) {
                double dot = 0;
                for (int i = 0; i < m; i++) {
                    dot += q[c][i] * q[p][i];
                }
                for (int i = 0; i < m; i++) {
                    q[c][i] -= dot * q[p][i];
                }
            }
            double norm = 0;
            for (int i = 0; i < m; i++) {
                norm += q[c][i] * q[c][i];
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < m; i++) {
                q[c][i] /= norm;
            }
        }
        return q;
    }
}
