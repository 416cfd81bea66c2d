package org.pretext.probe;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.pretext.PretextException;
import org.pretext.Seeds;

/**
 * Seeded, stratified choices of labelled rows, made from the training labels alone: the
 * {@code k}-per-class subsets of a label budget, and the held-out part used to choose the L2
 * strength. The same labels and seed always give the same rows.
 */
public final class LabelDraws {
    private LabelDraws() {}

    /**
     * The seed of draw {@code draw} of a budget under a run seed; recorded with the results.
     * "All labels" has one draw. Seeds are below 2^53, so JSON readers that parse numbers as
     * doubles (JavaScript) keep them exact.
     */
    public static long drawSeed(long seed, LabelBudget budget, int draw) {
        return Seeds.derive(seed, 0x1abe1L, budget.isAll() ? 0 : budget.perClass(), draw) >>> 11;
    }

    /**
     * {@code k} rows of every class, uniformly without replacement.
     *
     * @param labels the training split's labels
     * @param numClasses number of classes; every class must have at least {@code k} rows
     * @param splitName names the split in errors, e.g. "the training split"
     * @return row indices in increasing order
     * @throws PretextException naming the class and its count when a class has fewer than k rows
     */
    public static int[] perClass(int[] labels, int numClasses, int k, long seed, String splitName) {
        return perClass(labels, numClasses, k, seed, splitName, null);
    }

    /**
     * Like {@link #perClass(int[], int, int, long, String)}, naming classes in errors by
     * {@code classNames} (index → name; null for the index itself).
     */
    public static int[] perClass(int[] labels, int numClasses, int k, long seed, String splitName,
            List<String> classNames) {
        int[][] byClass = rowsByClass(labels, numClasses);
        for (int c = 0; c < numClasses; c++) {
            if (byClass[c].length < k) {
                String name = classNames != null && c < classNames.size() ? classNames.get(c) : Integer.toString(c);
                throw new PretextException("Label budget of " + k + " per class is larger than class '" + name
                        + "' has in "
                        + splitName + " (" + byClass[c].length + " labelled examples): use at most "
                        + minCount(byClass) + " labels per class or 'all'");
            }
        }
        int[] out = new int[k * numClasses];
        SplittableRandom random = new SplittableRandom(seed);
        int o = 0;
        for (int c = 0; c < numClasses; c++) {
            int[] rows = byClass[c].clone();
            // Partial Fisher–Yates: the first k of a uniformly random permutation.
            for (int i = 0; i < k; i++) {
                int j = i + random.nextInt(rows.length - i);
                int t = rows[i];
                rows[i] = rows[j];
                rows[j] = t;
                out[o++] = rows[i];
            }
        }
        Arrays.sort(out);
        return out;
    }

    /**
     * Splits labelled rows into a fitting part and a validation part, stratified: of each class's
     * {@code n_c} rows, round(fraction·n_c) clipped to [1, n_c − 1] are held out.
     *
     * @param rows row indices (into {@code labels}) of the labelled subset
     * @return {fit rows, validation rows}, each in increasing order; null when some class present
     *     has a single row (validation impossible)
     */
    public static int[][] holdOut(int[] rows, int[] labels, int numClasses, double fraction, long seed) {
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < numClasses; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int r : rows) {
            byClass.get(labels[r]).add(r);
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<Integer> fit = new ArrayList<>();
        List<Integer> val = new ArrayList<>();
        for (List<Integer> cls : byClass) {
            int n = cls.size();
            if (n == 0) {
                continue;
            }
            if (n < 2) {
                return null;
            }
            int[] r = cls.stream().mapToInt(Integer::intValue).toArray();
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = r[i];
                r[i] = r[j];
                r[j] = t;
            }
            int held = (int) Math.min(n - 1, Math.max(1, Math.round(fraction * n)));
            for (int i = 0; i < n; i++) {
                (i < held ? val : fit).add(r[i]);
            }
        }
        return new int[][] {sorted(fit), sorted(val)};
    }

    /**
     * Stratified folds for cross-validation: every class's rows, in a seeded random order, are dealt
     * to the folds in turn (continuing where the previous class stopped, so fold sizes differ by at
     * most one). With k at most the smallest class count every fold holds every class.
     *
     * @return the fold (0..k−1) of each position of {@code labels}
     */
    public static int[] folds(int[] labels, int numClasses, int k, long seed) {
        if (k < 2) {
            throw new IllegalArgumentException("cross-validation needs at least 2 folds, got " + k);
        }
        int[][] byClass = rowsByClass(labels, numClasses);
        int[] fold = new int[labels.length];
        SplittableRandom random = new SplittableRandom(seed);
        int next = 0;
        for (int[] rows : byClass) {
            int[] r = rows.clone();
            for (int i = r.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = r[i];
                r[i] = r[j];
                r[j] = t;
            }
            for (int row : r) {
                fold[row] = next;
                next = (next + 1) % k;
            }
        }
        return fold;
    }

    /** {fitting positions, validation positions} of fold {@code f}, each in increasing order. */
    public static int[][] foldParts(int[] fold, int f) {
        int held = 0;
        for (int x : fold) {
            if (x == f) {
                held++;
            }
        }
        int[] fit = new int[fold.length - held];
        int[] val = new int[held];
        int a = 0;
        int b = 0;
        for (int i = 0; i < fold.length; i++) {
            if (fold[i] == f) {
                val[b++] = i;
            } else {
                fit[a++] = i;
            }
        }
        return new int[][] {fit, val};
    }

    /** Number of rows of each class. */
    public static int[] classCounts(int[] labels, int numClasses) {
        int[] counts = new int[numClasses];
        for (int l : labels) {
            counts[l]++;
        }
        return counts;
    }

    private static int[][] rowsByClass(int[] labels, int numClasses) {
        int[] counts = classCounts(labels, numClasses);
        int[][] out = new int[numClasses][];
        for (int c = 0; c < numClasses; c++) {
            out[c] = new int[counts[c]];
        }
        int[] fill = new int[numClasses];
        for (int i = 0; i < labels.length; i++) {
            out[labels[i]][fill[labels[i]]++] = i;
        }
        return out;
    }

    private static int minCount(int[][] byClass) {
        int m = Integer.MAX_VALUE;
        for (int[] r : byClass) {
            m = Math.min(m, r.length);
        }
        return m;
    }

    private static int[] sorted(List<Integer> list) {
        int[] a = list.stream().mapToInt(Integer::intValue).toArray();
        Arrays.sort(a);
        return a;
    }
}
