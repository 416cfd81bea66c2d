package org.pretext.selfpredict;

import java.util.function.IntPredicate;
import java.util.SplittableRandom;

/**
 * BERT's masking of token sequences (Devlin et al. 2019): in each row, exactly
 * n = max(1, round(rate·c)) of its c non-special tokens are chosen uniformly at random as
 * prediction targets (as in BERT's {@code create_pretraining_data.py}); each chosen position is,
 * independently, replaced by the mask id with probability {@code maskFraction} (80%), by a token
 * drawn uniformly from the non-special ids with probability {@code randomFraction} (10%), and
 * otherwise kept unchanged (10%). Special tokens (padding) are never chosen.
 *
 * @param rate fraction of each row's tokens chosen (15%)
 * @param maskFraction of the chosen, the fraction replaced by the mask id (0.8)
 * @param randomFraction of the chosen, the fraction replaced by a random token (0.1)
 */
public record TokenMasking(double rate, double maskFraction, double randomFraction) {
    /** What happened to a position. */
    public static final byte NOT_CHOSEN = 0;
    /** Chosen and replaced by the mask id. */
    public static final byte MASKED = 1;
    /** Chosen and replaced by a random token. */
    public static final byte RANDOM = 2;
    /** Chosen and left unchanged. */
    public static final byte KEPT = 3;

    public TokenMasking {
        if (!(rate > 0 && rate < 1) || maskFraction < 0 || randomFraction < 0 || maskFraction + randomFraction > 1) {
            throw new IllegalArgumentException("masking rate " + rate + " must be in (0, 1) and the mask and random"
                    + " fractions " + maskFraction + ", " + randomFraction + " non-negative with a sum of at most 1");
        }
    }

    /**
     * Masks one row in place.
     *
     * @param row token ids, changed in place into the encoder's input
     * @param category written: what happened to each position ({@link #NOT_CHOSEN} … {@link #KEPT})
     * @param maskId the mask token's id
     * @param special which ids are special (never chosen, never drawn as random tokens)
     * @param vocabularySize ids are 0..vocabularySize−1
     * @return the chosen positions, in increasing order
     */
    public int[] apply(int[] row, byte[] category, int maskId, IntPredicate special, int vocabularySize,
            SplittableRandom random) {
        int[] candidates = new int[row.length];
        int c = 0;
        for (int i = 0; i < row.length; i++) {
            category[i] = NOT_CHOSEN;
            if (!special.test(row[i])) {
                candidates[c++] = i;
            }
        }
        if (c == 0) {
            return new int[0];
        }
        int n = (int) Math.max(1, Math.round(rate * c));
        for (int i = 0; i < n; i++) {
            int j = i + random.nextInt(c - i);
            int t = candidates[i];
            candidates[i] = candidates[j];
            candidates[j] = t;
        }
        int[] chosen = java.util.Arrays.copyOf(candidates, n);
        java.util.Arrays.sort(chosen);
        for (int pos : chosen) {
            double u = random.nextDouble();
            if (u < maskFraction) {
                row[pos] = maskId;
                category[pos] = MASKED;
            } else if (u < maskFraction + randomFraction) {
                int id;
                do {
                    id = random.nextInt(vocabularySize);
                } while (special.test(id));
                row[pos] = id;
                category[pos] = RANDOM;
            } else {
                category[pos] = KEPT;
            }
        }
        return chosen;
    }
}
