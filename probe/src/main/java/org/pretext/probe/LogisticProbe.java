package org.pretext.probe;

import org.pretext.engine.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.pretext.Seeds;
import org.pretext.encoder.Features;

/**
 * The linear probe on one labelled subset: choose the L2 strength on held-out training labels,
 * refit on all of the subset's labelled rows, measure test accuracy. The test split is never
 * looked at while choosing.
 *
 * <ol>
 *   <li>Choose C on held-out training labels, walking the C grid from the strongest
 *       regularisation to the weakest, each fit warm-started from the previous solution (as
 *       scikit-learn's {@code LogisticRegressionCV} does along its path), each fit with its own
 *       standardiser: best validation accuracy wins, ties go to the lower validation log-loss.
 *       <ul>
 *         <li>Small subsets (at most {@code crossValidationMaxRows} rows, e.g. 10 labels per class):
 *             stratified K-fold cross-validation ({@link LabelDraws#folds}, K = {@code folds}, at
 *             most the smallest class count), the whole grid on every fold. A single split would
 *             hold out two examples per class at 10 per class — too few to choose anything: on MNIST
 *             pixels it picked the grid's ends and lost 2 points against any fixed moderate C.
 *         <li>Larger subsets: one stratified split ({@link LabelDraws#holdOut}, {@code
 *             validationFraction} held out); the walk stops after {@code patience} candidates in a
 *             row without improvement — the weakly regularised end of the path is the slowest to fit.
 *       </ul>
 *   <li>Refit at the chosen C on every labelled row of the subset (standardiser refitted too),
 *       warm-started from a validation fit at that C, and score the test split.
 * </ol>
 * When some class has a single labelled row no validation is possible and the fallback C is used.
 */
public final class LogisticProbe implements org.pretext.evaluation.Probe {
    /**
     * @param c the C chosen
     * @param selection "cross-validation", "validation" (one held-out split) or "fixed"
     * @param validationAccuracy accuracy of the chosen C on the held-out rows (NaN when fixed)
     * @param path every C tried, in order: {C, validation accuracy, validation log-loss, solver
     *     iterations, seconds} (summed over folds for cross-validation)
     * @param model the final fit on all labelled rows of the subset
     * @param testAccuracy its test accuracy
     */
    public record Outcome(double c, String selection, double validationAccuracy, List<double[]> path,
            LogisticModel model, double testAccuracy) {}

    private final LogisticOptions options;
    private final LogisticRegression regression;

    public LogisticProbe(LogisticOptions options) {
        this.options = options;
        this.regression = new LogisticRegression(options.precision(), options.solver());
    }

    /**
     * One draw of the suite: {@link #run} on the draw's labelled rows (every row when the draw's rows
     * are all training rows in order), reporting λ = 1/C and how it was chosen.
     */
    @Override
    public org.pretext.evaluation.Probe.Outcome evaluate(Draw d) {
        int[] rows = isEveryRow(d.rows(), d.train().rows()) ? null : d.rows();
        Outcome o = run(d.train(), rows, d.features(), d.testFeatures(), d.testLabels(), d.seed(), d.manager());
        return new org.pretext.evaluation.Probe.Outcome(o.testAccuracy(), 1.0 / o.c(), o.selection(), o.model());
    }

    private static boolean isEveryRow(int[] rows, int n) {
        if (rows.length != n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (rows[i] != i) {
                return false;
            }
        }
        return true;
    }

    public LogisticOptions options() {
        return options;
    }

    /**
     * Runs the probe on labelled rows of a training feature matrix.
     *
     * @param train the training features (host) with labels
     * @param rows the labelled subset (indices into {@code train}), or null for every row
     * @param onDevice the subset's features already on the device (float32, in {@code rows} order),
     *     or null to upload them here
     * @param test test features (m × d) on the device
     * @param testLabels their classes (int32, m) on the device
     * @param seed seeds the validation split
     */
    public Outcome run(Features.Matrix train, int[] rows, NDArray onDevice, NDArray test, NDArray testLabels,
            long seed, NDManager manager) {
        int numClasses = train.numClasses();
        int[] all = rows != null ? rows : range(train.rows());
        int[] labels = gatherLabels(train, all);
        try (NDManager m = manager.newSubManager()) {
            NDArray x = onDevice != null ? onDevice : upload(m, train, all);
            FiniteFeatures.require(x, "the logistic probe's labelled features");
            FiniteFeatures.require(test, "the logistic probe's test features");
            Choice choice = choose(x, labels, numClasses, seed, m);
            LogisticModel model = regression.fit(x, labels, numClasses, choice.c, choice.warm);
            double testAccuracy = model.evaluate(test, testLabels, options.precision())[0];
            return new Outcome(choice.c, choice.selection, choice.validationAccuracy, choice.path, model,
                    testAccuracy);
        }
    }

    /** The chosen C, how it was chosen, and the solution to warm-start the final fit from. */
    private record Choice(double c, String selection, double validationAccuracy, List<double[]> path,
            double[] warm) {}

    private Choice choose(NDArray x, int[] labels, int numClasses, long seed, NDManager m) {
        int smallest = Integer.MAX_VALUE;
        for (int count : LabelDraws.classCounts(labels, numClasses)) {
            if (count > 0) {
                smallest = Math.min(smallest, count);
            }
        }
        if (smallest < 2) {
            return new Choice(options.fallbackC(), "fixed", Double.NaN, List.of(), null);
        }
        if (labels.length <= options.crossValidationMaxRows() && options.folds() >= 2) {
            return crossValidate(x, labels, numClasses, Math.min(options.folds(), smallest), seed, m);
        }
        return holdOut(x, labels, numClasses, seed, m);
    }

    /** Every C of the grid on every fold (warm starts along the grid within a fold); best mean accuracy wins. */
    private Choice crossValidate(NDArray x, int[] labels, int numClasses, int k, long seed, NDManager m) {
        double[] grid = options.cGrid();
        int[] fold = LabelDraws.folds(labels, numClasses, k, Seeds.derive(seed, 0xf01dL));
        double[] correct = new double[grid.length];
        double[] nll = new double[grid.length];
        double[] iterations = new double[grid.length];
        double[] seconds = new double[grid.length];
        double[][] warmByC = new double[grid.length][];
        for (int f = 0; f < k; f++) {
            int[][] parts = LabelDraws.foldParts(fold, f);
            try (NDManager fm = m.newSubManager()) {
                NDArray fitX = rows(fm, x, parts[0]);
                int[] fitY = pick(labels, parts[0]);
                NDArray valX = rows(fm, x, parts[1]);
                NDArray valY = fm.create(pick(labels, parts[1]));
                double[] previous = null;
                for (int i = 0; i < grid.length; i++) {
                    long t0 = System.nanoTime();
                    LogisticModel fit = regression.fit(fitX, fitY, numClasses, grid[i], previous);
                    previous = fit.theta();
                    double[] score = fit.evaluate(valX, valY, options.precision());
                    correct[i] += score[0] * parts[1].length;
                    nll[i] += score[1] * parts[1].length;
                    iterations[i] += fit.optimization().iterations();
                    seconds[i] += (System.nanoTime() - t0) / 1e9;
                    if (f == 0) {
                        warmByC[i] = previous;
                    }
                }
            }
        }
        List<double[]> path = new ArrayList<>();
        int best = 0;
        for (int i = 0; i < grid.length; i++) {
            double acc = correct[i] / labels.length;
            double loss = nll[i] / labels.length;
            path.add(new double[] {grid[i], acc, loss, iterations[i], seconds[i]});
            if (acc > path.get(best)[1] || (acc == path.get(best)[1] && loss < path.get(best)[2])) {
                best = i;
            }
        }
        return new Choice(grid[best], "cross-validation", path.get(best)[1], path, warmByC[best]);
    }

    /** One stratified held-out split; the grid is walked with warm starts and stopped by patience. */
    private Choice holdOut(NDArray x, int[] labels, int numClasses, long seed, NDManager manager) {
        int[][] split = validationSplit(labels, numClasses, options.validationFraction(), seed);
        try (NDManager m = manager.newSubManager()) { // the fitting and validation rows go once C is chosen
            return holdOut(x, labels, numClasses, split, m);
        }
    }

    private Choice holdOut(NDArray x, int[] labels, int numClasses, int[][] split, NDManager m) {
        // The fitting rows are standardised once, in place when the solver's type is theirs, and every C
        // of the walk fits on them: one copy of those rows instead of the raw copy and a standardised one.
        NDArray fitX = rows(m, x, split[0]);
        Standardizer scaler = Standardizer.fit(fitX);
        if (fitX.getDataType() == regression.precision().dataType()) {
            scaler.applyInPlace(fitX);
        } else {
            NDArray raw = fitX;
            fitX = scaler.apply(m, raw, regression.precision().dataType());
            raw.close();
        }
        int[] fitY = pick(labels, split[0]);
        NDArray valX = rows(m, x, split[1]);
        NDArray valY = m.create(pick(labels, split[1]));
        double bestAcc = -1;
        double bestNll = Double.POSITIVE_INFINITY;
        double bestC = Double.NaN;
        double[] warm = null;
        int misses = 0;
        double[] previous = null;
        List<double[]> path = new ArrayList<>();
        for (double c : options.cGrid()) {
            long t0 = System.nanoTime();
            LogisticModel fit = regression.fitStandardized(scaler, fitX, fitY, numClasses, c, previous);
            previous = fit.theta();
            double[] score = fit.evaluate(valX, valY, options.precision());
            path.add(new double[] {c, score[0], score[1], fit.optimization().iterations(),
                (System.nanoTime() - t0) / 1e9});
            if (score[0] > bestAcc || (score[0] == bestAcc && score[1] < bestNll)) {
                bestAcc = score[0];
                bestNll = score[1];
                bestC = c;
                warm = previous;
                misses = 0;
            } else if (options.patience() > 0 && ++misses >= options.patience()) {
                break;
            }
        }
        return new Choice(bestC, "validation", bestAcc, path, warm);
    }

    /**
     * The held-out split {@link #run} uses for a labelled subset: positions (into {@code labels})
     * of the fitting rows and of the validation rows, or null when some class has one row.
     */
    public static int[][] validationSplit(int[] labels, int numClasses, double fraction, long seed) {
        return LabelDraws.holdOut(range(labels.length), labels, numClasses, fraction, Seeds.derive(seed, 0x7a11dL));
    }

    /**
     * Rows of a device array (by position), copied on the device into a new array of {@code m}: no
     * host copy of the features (SST-2's 67,349 × 2,048 bag of words is 550 MB a copy).
     */
    static NDArray rows(NDManager m, NDArray x, int[] positions) {
        long[] p = new long[positions.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = positions[i];
        }
        try (NDManager scratch = m.newSubManager()) {
            NDArray index = HostArrays.longs(scratch, p, new Shape(p.length));
            NDArray out = x.get(new ai.djl.ndarray.index.NDIndex("{}", index));
            out.attach(m);
            return out;
        }
    }

    static NDArray upload(NDManager m, Features.Matrix train, int[] rows) {
        int d = train.cols();
        float[] out = new float[rows.length * d];
        float[] v = train.values();
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(v, rows[i] * d, out, i * d, d);
        }
        return HostArrays.floats(m, out, new Shape(rows.length, d));
    }

    static int[] gatherLabels(Features.Matrix train, int[] rows) {
        int[] l = train.labels();
        int[] out = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = l[rows[i]];
        }
        return out;
    }

    static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }

    private static int[] pick(int[] values, int[] positions) {
        int[] r = new int[positions.length];
        for (int i = 0; i < positions.length; i++) {
            r[i] = values[positions[i]];
        }
        return r;
    }
}
