package org.pretext.runner.report;

import java.util.Map;

/**
 * The {@code pretrain} block of {@code report.json}.
 *
 * @param steps optimizer steps done in total
 * @param seconds wall time of pretraining (of the last session when resumed)
 * @param finalLoss mean loss of the last 50 steps
 * @param samplesPerSecond examples consumed per second
 * @param resumedFromStep the step a resumed run continued from (0 for a fresh run)
 * @param validationLoss the objective's loss on held-out data at the end (nats per token for language
 *     models); null when the objective or data has none
 * @param tokensPerSecond tokens consumed per second (text data only; null otherwise)
 * @param extra other objective-specific results
 * @param stepPhaseSeconds wall time of the steps per phase, in step order ({@code data}: waiting for
 *     the preparation threads' next batch; {@code prepare}: preparing it on the step's thread, no
 *     preparation thread having started it; {@code forward}, {@code backward}, {@code update}, ...; see
 *     {@code StepPhases.Phase}), of the last session when resumed; null in reports written before it
 */
public record PretrainSummary(long steps, double seconds, double finalLoss, double samplesPerSecond,
        long resumedFromStep, Double validationLoss, Double tokensPerSecond, Map<String, Object> extra,
        Map<String, Double> stepPhaseSeconds) {

    /** A summary whose validation loss and token rate are taken out of {@code results}, the rest kept as extra. */
    public static PretrainSummary of(long steps, double seconds, double finalLoss, double samplesPerSecond,
            long resumedFromStep, Map<String, Object> results, Map<String, Double> stepPhaseSeconds) {
        Map<String, Object> rest = new java.util.LinkedHashMap<>(results);
        Object v = rest.remove("validationLoss");
        Object t = rest.remove("tokensPerSecond");
        return new PretrainSummary(steps, seconds, finalLoss, samplesPerSecond, resumedFromStep,
                v instanceof Number n ? n.doubleValue() : null, t instanceof Number n ? n.doubleValue() : null, rest,
                stepPhaseSeconds);
    }
}
