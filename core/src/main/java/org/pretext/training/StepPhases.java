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
        /** preparing the next batch on the step's own thread, no preparation thread having started it */
        PREPARE,
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

    /**
     * Charges {@code nanos} of what an earlier lap gave {@code from} to {@code to} instead, e.g. the
     * part of a data wait the step spent preparing its batch itself.
     */
    public void move(Phase from, Phase to, long nanos) {
        long n = Math.min(Math.max(nanos, 0), nanos(from));
        this.nanos[from.ordinal()] -= n;
        this.nanos[to.ordinal()] += n;
    }

    private long nanos(Phase p) {
        return nanos[p.ordinal()];
    }

    /** A data wait above this share of the steps' time is reported: the preparation threads did not keep up. */
    public static final double DATA_WAIT_WARNING = 0.10;

    /** Whether the steps waited for their batches more than {@link #DATA_WAIT_WARNING} of the time. */
    public static boolean waitedForData(Map<String, Double> phaseSeconds) {
        return dataWaitShare(phaseSeconds) > DATA_WAIT_WARNING;
    }

    /**
     * The share of the steps' wall time spent getting their batches: waiting for a prepared one
     * ({@link Phase#DATA}) or preparing it on the step's thread because no preparation thread had
     * started it ({@link Phase#PREPARE}). Above a few percent, the preparation threads did not keep up.
     *
     * @param phaseSeconds seconds per phase, as {@link #seconds()} gives them
     * @return the share, 0 when no time was recorded
     */
    public static double dataWaitShare(Map<String, Double> phaseSeconds) {
        double total = phaseSeconds.values().stream().mapToDouble(Double::doubleValue).sum();
        double data = phaseSeconds.getOrDefault(Phase.DATA.key(), 0.0)
                + phaseSeconds.getOrDefault(Phase.PREPARE.key(), 0.0);
        return total > 0 ? data / total : 0;
    }

    /**
     * One line for people: each phase that took at least 1 % of the time, with its seconds and share,
     * e.g. {@code "data 0.4 s (1 %), forward 20.1 s (38 %), backward 24.0 s (45 %), ..."}; the data
     * wait is always shown.
     */
    public static String describe(Map<String, Double> phaseSeconds) {
        double total = phaseSeconds.values().stream().mapToDouble(Double::doubleValue).sum();
        StringBuilder b = new StringBuilder();
        phaseSeconds.forEach((phase, sec) -> {
            double share = total > 0 ? sec / total : 0;
            if (phase.equals(Phase.DATA.key()) || share >= 0.01) {
                b.append(b.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.1f s (%.0f %%)",
                        phase.equals(Phase.DATA.key()) ? "waiting for data"
                                : phase.equals(Phase.PREPARE.key()) ? "preparing batches" : phase, sec, 100 * share));
            }
        });
        return b.toString();
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
