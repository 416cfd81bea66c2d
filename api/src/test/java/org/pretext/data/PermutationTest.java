package org.pretext.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PermutationTest {
    @Test
    void aPermutationFromARandomIsSeededAndItsFirstEntriesAreAUniformSubset() {
        int[] a = IndexedSplit.permutation(49, new SplittableRandom(5));
        assertThat(a).containsExactlyInAnyOrder(java.util.stream.IntStream.range(0, 49).toArray());
        assertThat(IndexedSplit.permutation(49, new SplittableRandom(5))).isEqualTo(a);
        assertThat(a).isNotEqualTo(java.util.stream.IntStream.range(0, 49).toArray());
        // the first 10 of many draws: every patch kept about 10/49 of the time
        int[] kept = new int[49];
        SplittableRandom r = new SplittableRandom(7);
        for (int t = 0; t < 4900; t++) {
            int[] o = IndexedSplit.permutation(49, r);
            for (int j = 0; j < 10; j++) {
                kept[o[j]]++;
            }
        }
        for (int c : kept) {
            assertThat(c).isBetween(1000 - 150, 1000 + 150);
        }
    }

    @Test
    void theSeededPermutationIsTheOneDrawnFromARandomOfThatSeed() {
        assertThat(IndexedSplit.permutation(1000, 42L)).isEqualTo(IndexedSplit.permutation(1000, new SplittableRandom(42)));
    }
}
