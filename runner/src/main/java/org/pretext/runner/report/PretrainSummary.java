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
 * @param extra objective-specific results (e.g. validationLoss, tokensPerSecond)
 */
public record PretrainSummary(long steps, double seconds, double finalLoss, double samplesPerSecond,
        long resumedFromStep, Map<String, Object> extra) {}
