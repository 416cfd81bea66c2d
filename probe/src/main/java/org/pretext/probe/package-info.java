/**
 * Frozen-feature evaluation: how good is a representation?
 *
 * <p>Entry points:
 * <ul>
 *   <li>{@link org.pretext.probe.ProbeSuite}: every probe at every label budget on one feature set
 *       (train/test {@link org.pretext.encoder.Features.Matrix}), each k-per-class budget over
 *       seeded draws, returning {@link org.pretext.probe.ProbeResult} records for
 *       {@code report.json};
 *   <li>{@link org.pretext.probe.FileProbe}: the same on features from any tool, read from
 *       NumPy {@code .npy} files ({@link org.pretext.probe.FeatureFiles});
 *   <li>{@link org.pretext.probe.KnnMonitor}: online kNN accuracy during pretraining, an
 *       {@link org.pretext.training.EpochMonitor}.
 * </ul>
 *
 * <p>The probes:
 * <ul>
 *   <li>{@link org.pretext.probe.LogisticProbe}: multinomial logistic regression on standardised
 *       features, scikit-learn's objective ({@link org.pretext.probe.SoftmaxRegressionLoss}) solved
 *       by {@link org.pretext.probe.Lbfgs} with full-batch evaluations on the engine's device,
 *       the L2 strength chosen on held-out training labels;
 *   <li>{@link org.pretext.probe.KnnClassifier}: cosine kNN with exp(s/T)-weighted votes
 *       (k = 20, T = 0.07);
 *   <li>{@link org.pretext.probe.MeanClassifier}: nearest normalised class mean (Arora et al. 2019).
 * </ul>
 */
package org.pretext.probe;
