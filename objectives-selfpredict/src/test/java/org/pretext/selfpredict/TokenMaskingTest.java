package org.pretext.selfpredict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

class TokenMaskingTest {
    private static final int VOCAB = 50;
    private static final int PAD = 0;
    private static final int MASK = 1;
    private static final IntPredicate SPECIAL = id -> id == PAD || id == MASK;

    @Test
    void choosesRoundFifteenPercentOfTheRealTokensAndNeverPadding() {
        TokenMasking masking = new TokenMasking(0.15, 0.8, 0.1);
        SplittableRandom r = new SplittableRandom(1);
        for (int len : new int[] {1, 5, 7, 40, 64}) {
            int[] row = new int[64];
            for (int i = 0; i < len; i++) {
                row[i] = 2 + r.nextInt(VOCAB - 2);
            }
            byte[] category = new byte[64];
            int[] chosen = masking.apply(row, category, MASK, SPECIAL, VOCAB, r);
            assertThat(chosen).hasSize((int) Math.max(1, Math.round(0.15 * len))).isSorted();
            for (int pos : chosen) {
                assertThat(pos).isLessThan(len);
            }
            for (int i = len; i < 64; i++) {
                assertThat(row[i]).isEqualTo(PAD);
                assertThat(category[i]).isEqualTo(TokenMasking.NOT_CHOSEN);
            }
        }
    }

    @Test
    void splitsTheChosenTokensEightyTenTenAndHidesTheMaskedOnes() {
        // 2,000 rows of 512 real tokens: round(0.15·512) = 77 chosen per row, 154,000 in all.
        // Each chosen position is masked with p = 0.8 (sd of the fraction sqrt(0.8·0.2/154000) = 0.00102),
        // random with p = 0.1 and kept with p = 0.1 (sd 0.00076 each). Tolerances are 5 sd: 0.0051 and
        // 0.0038; under the stated split each check fails with probability 5.7e-7, all three together
        // with probability below 2e-6.
        TokenMasking masking = new TokenMasking(0.15, 0.8, 0.1);
        SplittableRandom r = new SplittableRandom(2);
        int rows = 2000;
        int length = 512;
        long[] counts = new long[4];
        long chosenTotal = 0;
        for (int b = 0; b < rows; b++) {
            int[] original = new int[length];
            for (int i = 0; i < length; i++) {
                original[i] = 2 + r.nextInt(VOCAB - 2);
            }
            int[] row = original.clone();
            byte[] category = new byte[length];
            int[] chosen = masking.apply(row, category, MASK, SPECIAL, VOCAB, r);
            assertThat(chosen).hasSize(77);
            chosenTotal += chosen.length;
            for (int i = 0; i < length; i++) {
                counts[category[i]]++;
                switch (category[i]) {
                    case TokenMasking.MASKED -> assertThat(row[i]).isEqualTo(MASK);
                    case TokenMasking.RANDOM -> assertThat(SPECIAL.test(row[i])).isFalse();
                    default -> assertThat(row[i]).isEqualTo(original[i]);
                }
            }
        }
        assertThat(counts[TokenMasking.NOT_CHOSEN]).isEqualTo((long) rows * length - chosenTotal);
        assertThat(counts[TokenMasking.MASKED] / (double) chosenTotal).isCloseTo(0.8, within(0.0051));
        assertThat(counts[TokenMasking.RANDOM] / (double) chosenTotal).isCloseTo(0.1, within(0.0038));
        assertThat(counts[TokenMasking.KEPT] / (double) chosenTotal).isCloseTo(0.1, within(0.0038));
    }
}
