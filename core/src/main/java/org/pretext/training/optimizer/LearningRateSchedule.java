package org.pretext.training.optimizer;

/**
 * The learning rate as a function of the step; also serves any other per-step setting that follows
 * a schedule of the run, e.g. the weight decay ({@code training.weight-decay-end}).
 */
@FunctionalInterface
public interface LearningRateSchedule {
    /** The learning rate at a zero-based step. */
    double at(long step);

    /** The same rate at every step. */
    static LearningRateSchedule constant(double rate) {
        return step -> rate;
    }

    /**
     * Linear warm-up from 0 to {@code peak} over {@code warmupSteps}, then a half cosine down to
     * {@code peak·finalFraction} at {@code totalSteps}: η(t) = η_min + (η − η_min)·½(1 + cos(π·p)),
     * p the fraction of post-warm-up steps done.
     */
    static LearningRateSchedule warmupCosine(double peak, long warmupSteps, long totalSteps, double finalFraction) {
        LearningRateSchedule decay = cosine(peak, peak * finalFraction, totalSteps - warmupSteps);
        return step -> step < warmupSteps ? peak * (step + 1) / warmupSteps : decay.at(step - warmupSteps);
    }

    /**
     * A half cosine from {@code start} at step 0 to {@code end} at step {@code steps} (and after):
     * v(t) = end + (start − end)·½(1 + cos(π·min(1, t/steps))). {@code start} may be below {@code
     * end}, e.g. a weight decay rising from 0.04 to 0.4 over the run, as I-JEPA, DINO and iBOT do.
     *
     * @param steps the length of the half cosine (less than 1 is taken as 1)
     */
    static LearningRateSchedule cosine(double start, double end, long steps) {
        long length = Math.max(1, steps);
        return step -> {
            double p = Math.min(1.0, (double) step / length);
            return end + (start - end) * 0.5 * (1 + Math.cos(Math.PI * p));
        };
    }
}
