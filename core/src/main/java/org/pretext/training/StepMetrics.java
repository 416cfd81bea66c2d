package org.pretext.training;

import java.util.Map;

/**
 * One logged step of pretraining.
 *
 * @param step number of optimizer updates done (1-based)
 * @param totalSteps updates the run plans
 * @param epoch zero-based epoch of this step
 * @param loss this step's loss
 * @param meanLoss mean loss since the previous logged step
 * @param learningRate the rate used for this step
 * @param gradientNorm global gradient L2 norm before clipping (NaN when not computed)
 * @param samplesPerSecond examples consumed per second since the previous logged step
 * @param elapsedSeconds wall time since the run (or resume) started
 * @param etaSeconds estimated seconds to the end
 * @param extra objective-specific scalars (loss terms, diagnostics)
 */
public record StepMetrics(long step, long totalSteps, long epoch, double loss, double meanLoss, double learningRate,
        double gradientNorm, double samplesPerSecond, double elapsedSeconds, double etaSeconds,
        Map<String, Double> extra) {}
