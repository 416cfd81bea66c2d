package org.pretext.runner.report;

/**
 * One probe result in {@code report.json}.
 *
 * @param features which features: pretrained, random-encoder, raw-input, or file
 * @param probe logistic, knn or mean
 * @param labelsPerClass labels per class, or null for all labels
 * @param accuracy test accuracy (mean over draws)
 * @param accuracyStd standard deviation over draws (0 for one draw)
 * @param draws draws of the labelled subset
 * @param l2 the L2 strength the logistic probe chose (null for other probes)
 */
public record ProbeEntry(String features, String probe, Integer labelsPerClass, double accuracy, double accuracyStd,
        int draws, Double l2) {}
