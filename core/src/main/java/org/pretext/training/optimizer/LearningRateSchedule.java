package org.pretext.training.optimizer;

/** The learning rate as a function of the step. */
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
        double floor = peak * finalFraction;
        return step -> {
            if (step < warmupSteps) {
                return peak * (step + 1) / warmupSteps;
            }
            long decay = Math.max(1, totalSteps - warmupSteps);
            double p = Math.min(1.0, (double) (step - warmupSteps) / decay);
            return floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * p));
        };
    }
}
