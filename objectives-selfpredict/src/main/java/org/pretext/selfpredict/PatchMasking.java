package org.pretext.selfpredict;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.pretext.data.IndexedSplit;

/**
 * MAE's random masking: for each image, exactly M = round(ratio·N) of its N patches are chosen
 * uniformly at random (a shuffle, so every subset of size M is equally likely) and hidden; the
 * other K = N − M are visible.
 *
 * @param patchCount N
 * @param ratio the fraction of patches masked, in (0, 1)
 */
public record PatchMasking(int patchCount, double ratio) {
    public PatchMasking {
        if (!(ratio > 0 && ratio < 1)) {
            throw new IllegalArgumentException("mask ratio " + ratio + " is outside (0, 1)");
        }
        long m = Math.round(ratio * patchCount);
        if (m < 1 || m > patchCount - 1) {
            throw new IllegalArgumentException("mask ratio " + ratio + " of " + patchCount + " patches masks " + m
                    + ": expected at least one masked and one visible patch");
        }
    }

    /** M, the number of masked patches per image. */
    public int maskedCount() {
        return (int) Math.round(ratio * patchCount);
    }

    /** K = N − M, the number of visible patches per image. */
    public int visibleCount() {
        return patchCount - maskedCount();
    }

    /**
     * One image's patch indices: the K visible ones first, then the M masked ones, each group in
     * increasing order; a permutation of 0..N−1.
     */
    public int[] draw(SplittableRandom random) {
        int[] order = IndexedSplit.permutation(patchCount, random);
        int k = visibleCount();
        Arrays.sort(order, 0, k);
        Arrays.sort(order, k, patchCount);
        return order;
    }
}
