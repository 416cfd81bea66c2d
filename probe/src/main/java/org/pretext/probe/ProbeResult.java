package org.pretext.probe;

/**
 * One probe at one label budget on one feature set, over its draws — a {@code probe} entry of
 * {@code report.json}. Plain fields only, so Gson serialises it as it is (use
 * {@code serializeNulls()} to keep {@code "labelsPerClass": null} for the all-labels budget).
 *
 * @param features the feature set, e.g. "pretrained", "random-encoder", "raw-input", "file"
 * @param probe "logistic", "knn" or "mean"
 * @param labelsPerClass the budget's labels per class, null for all labels
 * @param accuracy mean test accuracy over the draws, in [0, 1]
 * @param accuracyStd sample standard deviation of the test accuracy over the draws (0 for one draw)
 * @param draws number of draws of the labelled subset
 * @param drawAccuracies test accuracy of each draw
 * @param drawSeeds the seed of each draw (which rows were labelled, and the validation split)
 * @param trainExamples labelled training rows per draw
 * @param testExamples test rows
 * @param l2 logistic only: the L2 strength λ = 1/C chosen most often over the draws (objective:
 *     sum of log-losses + ½·λ·‖W‖²; scikit-learn's C = 1/λ); null for other probes
 * @param drawL2 logistic only: λ chosen in each draw
 * @param l2Selection logistic only: how λ was chosen on the training labels: "cross-validation"
 *     (k-fold, small subsets), "validation" (one held-out split, large subsets) or "fixed" (a class
 *     had one labelled example, so the fallback C was used)
 * @param k kNN only: neighbours voting
 * @param temperature kNN only: vote temperature
 * @param seconds wall time of this probe at this budget, all draws
 */
public record ProbeResult(String features, String probe, Integer labelsPerClass, double accuracy, double accuracyStd,
        int draws, double[] drawAccuracies, long[] drawSeeds, int trainExamples, int testExamples, Double l2,
        double[] drawL2, String l2Selection, Integer k, Double temperature, double seconds) {}
