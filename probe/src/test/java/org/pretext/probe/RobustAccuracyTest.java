package org.pretext.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pretext.data.Dataset;
import org.pretext.data.IndexedSplit;
import org.pretext.datasets.MnistDatasetProvider;
import org.pretext.encoder.BlockEncoder;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.Features;
import org.pretext.encoders.MlpEncoderProvider;
import org.pretext.engine.Engines;

class RobustAccuracyTest {
    private static final ProbeOptions OPTIONS = ProbeOptions.defaults(Device.cpu()).withSeed(5)
            .withBudgets(List.of(LabelBudget.all())).withProbes("logistic");

    @BeforeAll
    static void start() {
        Engines.engine();
    }

    /**
     * Two Gaussian classes as 20-d inputs, probed on the inputs themselves (an identity encoder), so
     * the classifier is affine: x is robust within ε iff its margin z_y − z_other exceeds ε·‖v‖₁,
     * v = (w_y − w_other)/σ. Without clamping, PGD on the cross-entropy of an affine binary
     * classifier moves every coordinate by α·sign(−v) each step and reaches the worst corner of the
     * ball, so its robust accuracy is the exact one.
     */
    @Test
    void matchesTheExactRobustAccuracyOfAnAffineBinaryClassifier() {
        int d = 20;
        IndexedSplit train = gaussians(400, d, 1);
        IndexedSplit test = gaussians(300, d, 2);
        Encoder identity = new BlockEncoder(Blocks.identityBlock(), new Shape(d), d);
        try (NDManager m = NDManager.newBaseManager()) {
            identity.block().initialize(m, DataType.FLOAT32, new Shape(1, d));
            ParameterStore store = new ParameterStore(m, false);
            LogisticModel probe = new ProbeSuite(OPTIONS).fitAllLabels(matrix(train), matrix(test));
            double[] w = probe.coefficients();
            double[] v = new double[d];
            double l1 = 0;
            for (int j = 0; j < d; j++) {
                v[j] = (w[d + j] - w[j]) / probe.standardizer().scale()[j];
                l1 += Math.abs(v[j]);
            }
            double eps = 0.15;
            int exactClean = 0;
            int exactRobust = 0;
            float[] x = test.floatData();
            for (int i = 0; i < test.size(); i++) {
                double z = probe.intercepts()[1] - probe.intercepts()[0];
                for (int j = 0; j < d; j++) {
                    z += v[j] * (x[i * d + j] - probe.standardizer().mean()[j]);
                }
                double margin = test.labels()[i] == 1 ? z : -z;
                exactClean += margin > 0 ? 1 : 0;
                exactRobust += margin - eps * l1 > 0 ? 1 : 0;
            }
            RobustAccuracy.Settings s = new RobustAccuracy.Settings(eps, eps / 4, 20, true, -1e6, 1e6, 0, 64, 3);
            RobustAccuracy.Result r = RobustAccuracy.evaluate(identity, store, UnaryOperator.identity(), probe,
                    test, Device.cpu(), s, "raw", (Integer) null);
            assertThat(r.examples()).isEqualTo(300);
            assertThat(r.clean() * 300).isCloseTo(exactClean, within(1e-9));
            assertThat(r.robust() * 300).isCloseTo(exactRobust, within(1e-9));
            assertThat(exactRobust).isLessThan(exactClean - 30); // the attack matters here
            assertThat(r.maxPerturbation()).isCloseTo(eps, within(1e-6));
        }
    }

    /** A random 784-256-64 MLP on bundled MNIST digits, its probe fitted on 2,000 training digits. */
    @Test
    void attacksAnEncoderAndProbeEndToEndWithinTheBallAndTheValidRange() {
        Dataset data = MnistDatasetProvider.open(2000, 400);
        Shape shape = data.pretrain().exampleShape();
        Engines.engine().setRandomSeed(11);
        Encoder encoder = MlpEncoderProvider.create(shape, List.of(256), 64, false);
        try (NDManager m = NDManager.newBaseManager()) {
            encoder.block().initialize(m, DataType.FLOAT32, new Shape(2).addAll(shape));
            ParameterStore store = new ParameterStore(m, false);
            Features.Matrix trainF = Features.extract(encoder, store, data.train().orElseThrow(), Device.cpu(), 500);
            Features.Matrix testF = Features.extract(encoder, store, data.test().orElseThrow(), Device.cpu(), 500);
            ProbeSuite suite = new ProbeSuite(OPTIONS);
            ProbeSuite.Evaluation e = suite.runKeepingModel("random", trainF, testF, null);
            LogisticModel probe = e.allLabelsModel();
            assertThat(probe).isNotNull();
            double probeAccuracy = e.results().get(0).accuracy();

            RobustAccuracy.Result zero = attack(encoder, store, probe, data, 0.0, 0);
            // ε = 0: the attack leaves every input where it is, and the classifier is the probe's
            assertThat(zero.robust()).isEqualTo(zero.clean());
            assertThat(zero.maxPerturbation()).isZero();
            assertThat(zero.clean()).isCloseTo(probeAccuracy, within(1.5 / 400));
            assertThat(zero.examples()).isEqualTo(400);

            RobustAccuracy.Result small = attack(encoder, store, probe, data, 2.0 / 255, 0);
            float[] lowest = {Float.MAX_VALUE};
            float[] highest = {-Float.MAX_VALUE};
            RobustAccuracy.Result large = RobustAccuracy.evaluate(encoder, store, UnaryOperator.identity(), probe,
                    data.test().orElseThrow(), Device.cpu(), settings(0.1, 0), "random", null, line -> {},
                    attacked -> {
                        for (float f : attacked) {
                            lowest[0] = Math.min(lowest[0], f);
                            highest[0] = Math.max(highest[0], f);
                        }
                    });
            // MNIST is mostly 0-valued background: without the clamp the attack would leave [0, 1]
            assertThat(lowest[0]).isEqualTo(0f);
            assertThat(highest[0]).isEqualTo(1f);
            assertThat(small.clean()).isEqualTo(zero.clean());
            assertThat(large.clean()).isEqualTo(zero.clean());
            assertThat(small.robust()).isLessThanOrEqualTo(small.clean());
            assertThat(large.robust()).isLessThanOrEqualTo(small.robust());
            assertThat(large.robust()).isLessThan(large.clean() - 0.3); // an undefended classifier breaks
            assertThat(small.maxPerturbation()).isLessThanOrEqualTo(2.0 / 255 + 1e-6);
            assertThat(large.maxPerturbation()).isLessThanOrEqualTo(0.1 + 1e-6).isGreaterThan(0.09);
            assertThat(large.stepSize()).isEqualTo(0.025);

            // the same seed gives the same attack; the encoder's parameters keep their gradients
            assertThat(attack(encoder, store, probe, data, 0.1, 0)).usingRecursiveComparison()
                    .ignoringFields("seconds").isEqualTo(large);
            for (Pair<String, Parameter> p : encoder.block().getParameters()) {
                assertThat(p.getValue().getArray().hasGradient()).as(p.getKey()).isTrue();
            }
            // a limit attacks the first examples only
            assertThat(attack(encoder, store, probe, data, 0.1, 100).examples()).isEqualTo(100);
        }
    }

    private static RobustAccuracy.Result attack(Encoder encoder, ParameterStore store, LogisticModel probe,
            Dataset data, double eps, int limit) {
        return RobustAccuracy.evaluate(encoder, store, UnaryOperator.identity(), probe,
                data.test().orElseThrow(), Device.cpu(), settings(eps, limit), "random", (Integer) null);
    }

    private static RobustAccuracy.Settings settings(double eps, int limit) {
        return new RobustAccuracy.Settings(eps, 0, 20, true, 0, 1, limit, 128, 7);
    }

    private static IndexedSplit gaussians(int n, int d, long seed) {
        SplittableRandom means = new SplittableRandom(99);
        double[] mu = new double[d];
        for (int j = 0; j < d; j++) {
            mu[j] = 0.35 * means.nextGaussian();
        }
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(2);
            for (int j = 0; j < d; j++) {
                x[i * d + j] = (float) ((y[i] == 1 ? mu[j] : -mu[j]) + r.nextGaussian());
            }
        }
        return IndexedSplit.ofFloats(x, new Shape(d), y, IndexedSplit.numberedClasses(2));
    }

    private static Features.Matrix matrix(IndexedSplit s) {
        return new Features.Matrix(s.floatData().clone(), (int) s.size(), (int) s.exampleShape().size(), s.labels(), 2);
    }
}
