package org.pretext.training;

/**
 * What a pretraining run did.
 *
 * @param steps optimizer updates done in total (including those before a resume)
 * @param startStep the step the run started or resumed at
 * @param seconds wall time of this run (since start or resume)
 * @param finalLoss mean loss over the last {@code min(50, steps)} steps, those before a resume included (a
 *     checkpoint carries the losses of its last 50 steps), so a resumed run reports what an uninterrupted one does
 * @param samplesPerSecond examples consumed per second in this run
 * @param losses the loss of every step of this run, in order
 * @param stoppedEarly whether a time budget ended the run before its planned steps
 * @param phaseSeconds wall time of this run per phase of the step ({@link StepPhases.Phase#key()}), in
 *     step order; they add up to {@code seconds}
 * @param replicas encoder replicas the run trained on (1 unless {@link PretrainConfig#devices()} asked for more
 *     and the objective declares a distribution)
 */
public record PretrainResult(long steps, long startStep, double seconds, double finalLoss, double samplesPerSecond,
        float[] losses, boolean stoppedEarly, java.util.Map<String, Double> phaseSeconds, int replicas) {
    /** A run on one device. */
    public PretrainResult(long steps, long startStep, double seconds, double finalLoss, double samplesPerSecond,
            float[] losses, boolean stoppedEarly, java.util.Map<String, Double> phaseSeconds) {
        this(steps, startStep, seconds, finalLoss, samplesPerSecond, losses, stoppedEarly, phaseSeconds, 1);
    }
}
