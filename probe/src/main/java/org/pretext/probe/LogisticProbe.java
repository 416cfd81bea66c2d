package org.pretext.probe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.pretext.Seeds;
import org.pretext.encoder.Features;

/**
 * The linear probe on one labelled subset: choose the L2 strength on held-out training labels,
 * refit on all of the subset's labelled rows, measure test accuracy.
 *
 * <ol>
 *   <li>Hold out a stratified part of the labelled rows ({@link LabelDraws#holdOut}, seeded). The
 *       test split is never looked at while choosing.
 *   <li>Walk the C grid from the strongest regularisation to the weakest, each fit warm-started
 *       from the previous solution (as scikit-learn's {@code LogisticRegressionCV} does along its
 *       path) and scored on the held-out rows: best validation accuracy wins, ties go to the lower
 *       validation log-loss. The walk stops after {@code patience} candidates in a row without
 *       improvement — the weakly regularised end of the path is the slowest to fit.
 *   <li>Refit at the chosen C on every labelled row of the subset (standardiser refitted too),
 *       warm-started from the chosen path fit, and score the test split.
 * </ol>
 * When some class has a single labelled row no validation is possible and the fallback C is used.
 */
public final class LogisticProbe {
    /**
     * @param c the C chosen
     * @param selection "validation" or "fixed"
     * @param validationAccuracy accuracy of the chosen C on the held-out rows (NaN when fixed)
     * @param path every C tried, in order: {C, validation accuracy, validation log-loss, solver
     *     iterations, seconds}
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
        int[][] split = validationSplit(labels, numClasses, options.validationFraction(), seed);
        try (NDManager m = manager.newSubManager()) {
            NDArray x = onDevice != null ? onDevice : upload(m, train, all);
            double chosen;
            String selection;
            double validationAccuracy = Double.NaN;
            double[] warm = null;
            List<double[]> path = new ArrayList<>();
            if (split == null) {
                chosen = options.fallbackC();
                selection = "fixed";
            } else {
                NDArray fitX = upload(m, train, pick(all, split[0]));
                int[] fitY = pick(labels, split[0]);
                NDArray valX = upload(m, train, pick(all, split[1]));
                NDArray valY = m.create(pick(labels, split[1]));
                double bestAcc = -1;
                double bestNll = Double.POSITIVE_INFINITY;
                double bestC = Double.NaN;
                int misses = 0;
                double[] previous = null;
                for (double c : options.cGrid()) {
                    long t0 = System.nanoTime();
                    LogisticModel fit = regression.fit(fitX, fitY, numClasses, c, previous);
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
                chosen = bestC;
                selection = "validation";
                validationAccuracy = bestAcc;
            }
            LogisticModel model = regression.fit(x, labels, numClasses, chosen, warm);
            double testAccuracy = model.evaluate(test, testLabels, options.precision())[0];
            return new Outcome(chosen, selection, validationAccuracy, path, model, testAccuracy);
        }
    }

    /**
     * The held-out split {@link #run} uses for a labelled subset: positions (into {@code labels})
     * of the fitting rows and of the validation rows, or null when some class has one row.
     */
    public static int[][] validationSplit(int[] labels, int numClasses, double fraction, long seed) {
        return LabelDraws.holdOut(range(labels.length), labels, numClasses, fraction, Seeds.derive(seed, 0x7a11dL));
    }

    static NDArray upload(NDManager m, Features.Matrix train, int[] rows) {
        int d = train.cols();
        float[] out = new float[rows.length * d];
        float[] v = train.values();
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(v, rows[i] * d, out, i * d, d);
        }
        return m.create(out, new Shape(rows.length, d));
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
