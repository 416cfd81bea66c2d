package org.pretext.datasets.store;

import java.util.Arrays;
import org.pretext.Seeds;
import org.pretext.data.IndexedSplit;

/**
 * A seeded stratified train/test split of labelled examples: in each class of {@code n} examples,
 * a seeded permutation picks {@code round(fraction × n)} test examples, at least one and at most
 * {@code n − 1} when {@code n ≥ 2} (a class of one example stays in training). Both parts are
 * returned in increasing index order. The split depends only on the labels, fraction and seed.
 *
 * @param train training indices, increasing
 * @param test test indices, increasing
 */
public record StratifiedSplit(int[] train, int[] test) {
    /** Stream id for the per-class permutations. */
    private static final long STREAM = 0x5717_0001L;

    /** Splits examples by their labels. */
    public static StratifiedSplit of(int[] labels, int numClasses, double testFraction, long seed) {
        int[] counts = new int[numClasses];
        for (int y : labels) {
            counts[y]++;
        }
        int[][] members = new int[numClasses][];
        for (int c = 0; c < numClasses; c++) {
            members[c] = new int[counts[c]];
        }
        int[] fill = new int[numClasses];
        for (int i = 0; i < labels.length; i++) {
            members[labels[i]][fill[labels[i]]++] = i;
        }
        boolean[] isTest = new boolean[labels.length];
        int nTest = 0;
        for (int c = 0; c < numClasses; c++) {
            int n = counts[c];
            int t = (int) Math.round(testFraction * n);
            if (n >= 2) {
                t = Math.max(1, Math.min(n - 1, t));
            } else {
                t = 0;
            }
            int[] perm = IndexedSplit.permutation(n, Seeds.derive(seed, STREAM, c));
            for (int k = 0; k < t; k++) {
                isTest[members[c][perm[k]]] = true;
            }
            nTest += t;
        }
        int[] train = new int[labels.length - nTest];
        int[] test = new int[nTest];
        int a = 0;
        int b = 0;
        for (int i = 0; i < labels.length; i++) {
            if (isTest[i]) {
                test[b++] = i;
            } else {
                train[a++] = i;
            }
        }
        return new StratifiedSplit(train, test);
    }

    /** The labels at the given indices. */
    public static int[] pick(int[] labels, int[] indices) {
        return Arrays.stream(indices).map(i -> labels[i]).toArray();
    }
}
