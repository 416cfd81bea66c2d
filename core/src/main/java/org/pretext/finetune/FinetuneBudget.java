package org.pretext.finetune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.pretext.PretextException;
import org.pretext.Seeds;

/**
 * How many labelled training examples a fine-tuning draw may use: {@code k} per class, a fraction
 * of every class (SimCLR's and BYOL's semi-supervised protocol: 1% and 10% of the labels), or all.
 * Draws are stratified and seeded: the same labels, budget and seed always give the same rows.
 *
 * @param perClass labels per class, or null
 * @param fraction the fraction of each class's labels in (0, 1), or null
 */
public record FinetuneBudget(Integer perClass, Double fraction) {
    public FinetuneBudget {
        if (perClass != null && fraction != null) {
            throw new IllegalArgumentException("a budget is k per class or a fraction, not both");
        }
        if (perClass != null && perClass < 1) {
            throw new PretextException("Invalid label budget " + perClass + " per class: expected at least 1");
        }
        if (fraction != null && !(fraction > 0 && fraction < 1)) {
            throw new PretextException("Invalid label fraction " + fraction + ": expected a number in (0, 1) or 'all'");
        }
    }

    /** {@code k} labels per class. */
    public static FinetuneBudget perClassOf(int k) {
        return new FinetuneBudget(k, null);
    }

    /** A fraction of every class's labels. */
    public static FinetuneBudget fractionOf(double f) {
        return new FinetuneBudget(null, f);
    }

    /** Every labelled training example. */
    public static FinetuneBudget all() {
        return new FinetuneBudget(null, null);
    }

    public boolean isAll() {
        return perClass == null && fraction == null;
    }

    /**
     * Parses {@code all}, a whole number of labels per class ({@code 10}) or a fraction of the labels
     * ({@code 0.01}, {@code 1%}).
     *
     * @param key the config key, named in errors
     */
    public static FinetuneBudget parse(String text, String key) {
        String t = text == null ? "" : text.trim();
        if (t.equalsIgnoreCase("all")) {
            return all();
        }
        try {
            if (t.endsWith("%")) {
                return checked(Double.parseDouble(t.substring(0, t.length() - 1).trim()) / 100, text, key);
            }
            if (t.matches("\\d+")) {
                return perClassOf(Integer.parseInt(t));
            }
            return checked(Double.parseDouble(t), text, key);
        } catch (NumberFormatException | PretextException e) {
            throw new PretextException("Invalid value '" + text + "' in " + key + ": expected labels per class (a whole"
                    + " number such as 10), a fraction of the labels in (0, 1) such as 0.01 or 1%, or 'all'");
        }
    }

    private static FinetuneBudget checked(double f, String text, String key) {
        if (!(f > 0 && f < 1)) {
            throw new PretextException("fraction " + text + " of " + key + " is outside (0, 1)");
        }
        return fractionOf(f);
    }

    /** Parses a comma-separated list such as {@code 0.01,0.1,all}; refuses an empty list and repeats. */
    public static List<FinetuneBudget> parseList(String text, String key) {
        if (text == null || text.isBlank()) {
            throw new PretextException("Empty list of label budgets in " + key + ": expected e.g. [0.01, 0.1, all]");
        }
        List<FinetuneBudget> out = new ArrayList<>();
        for (String part : text.split(",")) {
            FinetuneBudget b = parse(part, key);
            if (out.contains(b)) {
                throw new PretextException("Label budget '" + part.trim() + "' appears twice in " + key + " ('" + text
                        + "')");
            }
            out.add(b);
        }
        return List.copyOf(out);
    }

    /** For tables: {@code 10 per class}, {@code 1%}, {@code all labels}. */
    public String label() {
        if (isAll()) {
            return "all labels";
        }
        if (perClass != null) {
            return perClass + " per class";
        }
        double pct = 100 * fraction;
        return (pct == Math.rint(pct) ? Long.toString((long) pct) : String.format(Locale.ROOT, "%.3g", pct)) + "%";
    }

    /** A file-name-safe key: {@code k10}, {@code f0.01}, {@code all}. */
    public String key() {
        return isAll() ? "all" : perClass != null ? "k" + perClass : "f" + fraction;
    }

    /** The seed of draw {@code draw} of this budget under a run seed (below 2^53, exact in JSON). */
    public long drawSeed(long seed, int draw) {
        long id = isAll() ? 0 : perClass != null ? perClass : Double.doubleToLongBits(fraction);
        return Seeds.derive(seed, 0xf17eL, perClass != null ? 1 : fraction != null ? 2 : 0, id, draw) >>> 11;
    }

    /**
     * The rows of one draw, stratified: {@code k} of every class, or round(fraction · n_c) (at least
     * one) of every class's n_c, uniformly without replacement; every row for "all".
     *
     * @param labels the training split's labels
     * @param numClasses number of classes
     * @param classNames names for errors (index → name), or null
     * @return row indices in increasing order
     * @throws PretextException naming the class when a class has fewer rows than k
     */
    public int[] draw(int[] labels, int numClasses, long seed, List<String> classNames) {
        if (isAll()) {
            int[] all = new int[labels.length];
            Arrays.setAll(all, i -> i);
            return all;
        }
        int[][] byClass = byClass(labels, numClasses);
        SplittableRandom random = new SplittableRandom(seed);
        List<Integer> out = new ArrayList<>();
        for (int c = 0; c < numClasses; c++) {
            int n = byClass[c].length;
            int k = perClass != null ? perClass : n == 0 ? 0 : (int) Math.max(1, Math.round(fraction * n));
            if (n < k) {
                String name = classNames != null && c < classNames.size() ? classNames.get(c) : Integer.toString(c);
                throw new PretextException("Label budget of " + k + " per class is larger than class '" + name
                        + "' has in the training split (" + n + " labelled examples): use at most " + n
                        + " labels per class, a fraction, or 'all'");
            }
            int[] rows = byClass[c].clone();
            for (int i = 0; i < k; i++) { // partial Fisher–Yates: the first k of a random permutation
                int j = i + random.nextInt(n - i);
                int t = rows[i];
                rows[i] = rows[j];
                rows[j] = t;
                out.add(rows[i]);
            }
        }
        return out.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    /**
     * Splits a draw's rows into a training part and a held-out part for early stopping, stratified:
     * of each class's n rows, round(fraction · n) clipped to [1, n − 1] are held out; a class with a
     * single row keeps it for training.
     *
     * @return {training rows, held-out rows}, each in increasing order
     */
    public static int[][] holdOut(int[] rows, int[] labels, int numClasses, double fraction, long seed) {
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < numClasses; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int r : rows) {
            byClass.get(labels[r]).add(r);
        }
        SplittableRandom random = new SplittableRandom(Seeds.derive(seed, 0x401dL));
        List<Integer> fit = new ArrayList<>();
        List<Integer> held = new ArrayList<>();
        for (List<Integer> cls : byClass) {
            int n = cls.size();
            int[] r = cls.stream().mapToInt(Integer::intValue).toArray();
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = r[i];
                r[i] = r[j];
                r[j] = t;
            }
            int h = n < 2 ? 0 : (int) Math.min(n - 1, Math.max(1, Math.round(fraction * n)));
            for (int i = 0; i < n; i++) {
                (i < h ? held : fit).add(r[i]);
            }
        }
        return new int[][] {fit.stream().mapToInt(Integer::intValue).sorted().toArray(),
            held.stream().mapToInt(Integer::intValue).sorted().toArray()};
    }

    private static int[][] byClass(int[] labels, int numClasses) {
        int[] counts = new int[numClasses];
        for (int l : labels) {
            counts[l]++;
        }
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

    @Override
    public String toString() {
        return isAll() ? "all" : perClass != null ? perClass.toString() : fraction.toString();
    }
}
