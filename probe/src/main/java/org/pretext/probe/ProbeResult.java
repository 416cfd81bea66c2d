package org.pretext.probe;

/**
 * One probe at one label budget on one feature set, over its draws — a {@code probe} entry of
 * {@code report.json}. Plain fields only, so Gson serialises it as it is (use
 * {@code serializeNulls()} to keep {@code "labelsPerClass": null} for the all-labels budget).
 *
 * @param features the feature set, e.g. "pretrained", "random-encoder", "raw-input", "file"
 * @param probe the probe provider's name, e.g. "logistic", "knn" or "mean"
 * @param labelsPerClass the budget's labels per class, null for all labels
 * @param accuracy mean test accuracy over the draws, in [0, 1]
 * @param accuracyStd sample standard deviation of the test accuracy over the draws (0 for one draw)
 * @param draws number of draws of the labelled subset
 * @param drawAccuracies test accuracy of each draw
 * @param drawSeeds the seed of each draw (which rows were labelled, and the validation split)
 * @param trainExamples labelled training rows per draw
 * @param testExamples test rows
 * @param l2 the L2 strength λ chosen most often over the draws, for probes that choose one (logistic:
 *     λ = 1/C of the objective sum of log-losses + ½·λ·‖W‖², scikit-learn's C = 1/λ); null otherwise
 * @param drawL2 λ chosen in each draw, or null
 * @param l2Selection how λ was chosen on the training labels (logistic: "cross-validation" for
 *     small subsets, "validation" on one held-out split for large ones, "fixed" when a class had one
 *     labelled example, so the fallback C was used), or null
 * @param settings the probe's parameters (e.g. kNN's k and temperature), defaults included
 * @param seconds wall time of this probe at this budget, summed over its draws (draws evaluated at
 *     once overlap: the sum can exceed the suite's own wall time)
 */
public record ProbeResult(String features, String probe, Integer labelsPerClass, double accuracy, double accuracyStd,
        int draws, double[] drawAccuracies, long[] drawSeeds, int trainExamples, int testExamples, Double l2,
        double[] drawL2, String l2Selection, java.util.Map<String, Object> settings, double seconds) {}
