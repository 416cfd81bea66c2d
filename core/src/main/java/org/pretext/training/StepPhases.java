package org.pretext.training;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Wall time spent in each phase of the training step, summed over a run. The engine's CPU ops are
 * synchronous, so on CPU a phase's time is the time of its ops plus the Java and JNI calls that
 * issue them; on a GPU, work queued in one phase may be paid for in a later one that waits for it
 * (the loss is read after backward). Costs two {@code System.nanoTime()} calls per phase.
 */
public final class StepPhases {
    /** The phases of a step, in order. */
    public enum Phase {
        /** waiting for the next prepared batch from the preparation threads */
        DATA,
        /** copying the prepared batch to the device */
        TRANSFER,
        /** the objective's input perturbation (e.g. an adversarial attack), when it has one */
        PERTURB,
        /** the forward pass: encoder, heads and loss */
        FORWARD,
        /** back-propagation, and reading the loss */
        BACKWARD,
        /** summing the encoder replicas' gradients into the main one (data-parallel runs only) */
        REDUCE,
        /** the global gradient norm (for clipping or logging) */
        CLIP,
        /** the optimizer update and the objective's post-update hook (EMA targets, queues) */
        UPDATE,
        /** copying the updated encoder weights to the other replicas (data-parallel runs only) */
        BROADCAST,
        /** closing the step's scope: freeing every array the step created */
        FREE,
        /** the epoch monitors (e.g. the kNN monitor), when they run */
        MONITOR,
        /** metrics, listeners and checkpoints */
        OTHER;

        /** The name used in reports: lower case. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final long[] nanos = new long[Phase.values().length];
    private long last;

    /** Starts the clock: the next {@link #lap} counts from now. */
    public void start() {
        last = System.nanoTime();
    }

    /** Charges the time since the previous lap (or start) to {@code phase}. */
    public void lap(Phase phase) {
        long now = System.nanoTime();
        nanos[phase.ordinal()] += now - last;
        last = now;
    }

    /** Seconds per phase, in step order. */
    public Map<String, Double> seconds() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (Phase p : Phase.values()) {
            m.put(p.key(), nanos[p.ordinal()] / 1e9);
        }
        return m;
    }
}
