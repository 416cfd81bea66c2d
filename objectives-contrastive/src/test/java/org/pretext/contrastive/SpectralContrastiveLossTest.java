package org.pretext.contrastive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.pretext.contrastive.FiniteDifferences.dot;
import static org.pretext.contrastive.FiniteDifferences.row;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SpectralContrastiveLossTest {

    @Test
    void matchesTheValueWorkedOutByHand() {
        // z1 = (1,0), (0,1); z2 = (1,0), (1,1). Positive pairs: 1·1 and 1 → -2/2·(1 + 1) = -2.
        // Negatives: z1₀·z2₁ = 1, z1₁·z2₀ = 0 → (1² + 0²)/(2·1) = 0.5. L = -1.5
        try (NDManager m = NDManager.newBaseManager()) {
            float l = SpectralContrastiveLoss.compute(m.create(new float[] {1, 0, 0, 1}, new Shape(2, 2)),
                    m.create(new float[] {1, 0, 1, 1}, new Shape(2, 2))).getFloat();
            assertThat((double) l).isCloseTo(-1.5, within(1e-6));
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(23);
        int n = 4;
        int d = 3;
        FiniteDifferences.check(
                new float[][] {FiniteDifferences.gaussian(r, n * d, 0.7), FiniteDifferences.gaussian(r, n * d, 0.7)},
                new Shape[] {new Shape(n, d), new Shape(n, d)},
                in -> SpectralContrastiveLoss.compute(in.get(0), in.get(1)),
                x -> {
                    double pos = 0;
                    double neg = 0;
                    for (int i = 0; i < n; i++) {
                        for (int j = 0; j < n; j++) {
                            double s = dot(row(x[0], i, d), row(x[1], j, d));
                            if (i == j) {
                                pos += s;
                            } else {
                                neg += s * s;
                            }
                        }
                    }
                    return -2 * pos / n + neg / (n * (n - 1));
                }, 2e-3);
    }
}
