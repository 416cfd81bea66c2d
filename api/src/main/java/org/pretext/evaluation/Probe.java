package org.pretext.evaluation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.apiguardian.api.API;
import org.pretext.encoder.Features;

/**
 * One evaluation of frozen features: fit on the labelled rows of one draw, score on the test rows.
 * The probe suite calls {@link #evaluate} once per draw of every label budget, with the same
 * labelled rows for every probe, and reports the mean and standard deviation of the test
 * accuracies. A probe is used from one thread at a time and keeps no state between draws.
 *
 * <p>Arrays: everything in {@link Draw} is owned by the suite; arrays the probe makes belong in
 * {@link Draw#manager()}, which the suite closes after the draw.
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.3")
public interface Probe {
    /** Fits on {@code draw}'s labelled rows and returns its test accuracy. */
    Outcome evaluate(Draw draw);

    /**
     * The data of one draw.
     *
     * @param train every training row on the host (labels included), for probes that choose
     *     hyper-parameters on subsets of the labelled rows
     * @param rows the labelled rows of this draw, indices into {@code train}, in draw order
     * @param features the labelled rows' features on the device, {@code rows.length × width}
     * @param labels their labels, in the same order
     * @param numClasses number of classes (labels lie in 0..numClasses-1)
     * @param testFeatures every test row's features on the device
     * @param testLabels the test labels on the device (int32)
     * @param testLabelValues the same test labels on the host
     * @param seed this draw's seed (derived from the run seed, the budget and the draw index)
     * @param manager where the probe's own arrays go; closed by the suite after the draw
     */
    record Draw(Features.Matrix train, int[] rows, NDArray features, int[] labels, int numClasses,
            NDArray testFeatures, NDArray testLabels, int[] testLabelValues, long seed, NDManager manager) {}

    /**
     * What one draw gave.
     *
     * @param testAccuracy fraction of test rows classified correctly, in [0, 1]
     * @param l2 the L2 strength λ chosen on the training labels (reported as {@code l2}), or null
     *     for probes without one
     * @param l2Selection how λ was chosen (e.g. "cross-validation"), or null
     * @param model the fitted classifier, for callers that reuse it (e.g. an attack on the linear
     *     probe), or null
     */
    record Outcome(double testAccuracy, Double l2, String l2Selection, Object model) {
        /** An outcome that is an accuracy alone. */
        public static Outcome accuracy(double testAccuracy) {
            return new Outcome(testAccuracy, null, null, null);
        }
    }
}
