package org.pretext.selfpredict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PatchMaskingTest {

    @Test
    void masksExactlyRoundRatioTimesNPatchesAsAPermutation() {
        SplittableRandom r = new SplittableRandom(1);
        for (int n : new int[] {16, 49, 196}) {
            for (double ratio : new double[] {0.1, 0.5, 0.75, 0.9}) {
                PatchMasking masking = new PatchMasking(n, ratio);
                assertThat(masking.maskedCount()).isEqualTo(Math.round(ratio * n));
                for (int t = 0; t < 20; t++) {
                    int[] order = masking.draw(r);
                    int[] sorted = order.clone();
                    Arrays.sort(sorted);
                    for (int i = 0; i < n; i++) {
                        assertThat(sorted[i]).isEqualTo(i);
                    }
                    int k = masking.visibleCount();
                    assertThat(Arrays.copyOfRange(order, 0, k)).isSorted();
                    assertThat(Arrays.copyOfRange(order, k, n)).isSorted().hasSize(masking.maskedCount());
                }
            }
        }
        // the default: 75% of the 49 patches of a 28×28 image cut into 4×4 patches is 37 (36.75 rounded)
        assertThat(new PatchMasking(49, 0.75).maskedCount()).isEqualTo(37);
    }

    @Test
    void everyPatchIsMaskedWithProbabilityRatio() {
        // 20,000 draws of 37 of 49: each patch masked with probability 37/49 = 0.7551; sd of the frequency
        // sqrt(0.755·0.245/2e4) = 0.0030; tolerance 5 sd (0.0152), false failure probability < 49·6e-7
        PatchMasking masking = new PatchMasking(49, 0.75);
        SplittableRandom r = new SplittableRandom(2);
        int draws = 20_000;
        int[] masked = new int[49];
        for (int t = 0; t < draws; t++) {
            int[] order = masking.draw(r);
            for (int i = masking.visibleCount(); i < 49; i++) {
                masked[order[i]]++;
            }
        }
        for (int count : masked) {
            assertThat(count / (double) draws).isCloseTo(37 / 49.0, org.assertj.core.api.Assertions.within(0.0152));
        }
    }

    @Test
    void refusesRatiosThatLeaveNoPatchMaskedOrVisible() {
        assertThatThrownBy(() -> new PatchMasking(16, 0.99)).hasMessageContaining("expected at least one masked and"
                + " one visible patch");
        assertThatThrownBy(() -> new PatchMasking(16, 0.01)).hasMessageContaining("masks 0");
        assertThatThrownBy(() -> new PatchMasking(16, 1.0)).hasMessageContaining("outside (0, 1)");
    }
}
