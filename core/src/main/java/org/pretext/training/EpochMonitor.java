package org.pretext.training;

import java.util.Map;
import org.pretext.model.PretextModel;

/**
 * Measures the model at the end of every epoch (online kNN accuracy, alignment and uniformity,
 * effective rank). Its scalars are merged into that step's metrics line. Runs outside any step's
 * scope: it must free what it creates (e.g. with its own {@code NDManager}).
 */
@FunctionalInterface
public interface EpochMonitor {
    /**
     * @param model the model being trained (use inference mode for features)
     * @param epoch the zero-based epoch just finished
     * @return named scalars, e.g. {@code "knnAccuracy" → 0.91}
     */
    Map<String, Double> measure(PretextModel model, long epoch);
}
