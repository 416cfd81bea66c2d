package org.pretext.probe;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pretext.checkpoint.Provenance;
import org.pretext.data.Batch;
import org.pretext.data.Dataset;
import org.pretext.data.HostTensor;
import org.pretext.data.IndexedSplit;
import org.pretext.datasets.MnistDatasetProvider;
import org.pretext.encoder.Encoder;
import org.pretext.encoders.MlpEncoderProvider;
import org.pretext.model.PretextModel;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.PreparedBatch;
import org.pretext.objective.StepContext;
import org.pretext.training.PretrainConfig;
import org.pretext.training.PretrainResult;
import org.pretext.training.Pretrainer;
import org.pretext.training.StepMetrics;
import org.pretext.training.TrainingListener;

class KnnMonitorTest {
    private static final Provenance PROVENANCE = new Provenance("denoise", "1", Map.of(), "mlp", Map.of(), "mnist",
            Map.of(), 3, Map.of(), null);

    /** A small denoising autoencoder objective, just to have something to pretrain. */
    static final class Denoise implements Objective {
        private Block decoder;

        @Override
        public void initialize(ObjectiveSetup setup) {
            decoder = Linear.builder().setUnits(784).build();
            decoder.initialize(setup.manager(), DataType.FLOAT32, new Shape(1, setup.encoder().featureSize()));
        }

        @Override
        public Map<String, Block> heads() {
            return Map.of("decoder", decoder);
        }

        @Override
        public PreparedBatch prepare(Batch batch, SplittableRandom random) {
            float[] clean = batch.inputs().floats();
            float[] noisy = new float[clean.length];
            for (int i = 0; i < clean.length; i++) {
                noisy[i] = clean[i] + (float) (0.2 * random.nextGaussian());
            }
            return PreparedBatch.of(HostTensor.of(noisy, batch.inputs().shape()), batch.inputs());
        }

        @Override
        public NDArray loss(StepContext ctx, NDList inputs) {
            NDArray z = ctx.model().encode(inputs.get(0), true);
            NDArray out = ctx.model().head("decoder", z);
            NDArray clean = inputs.get(1).reshape(out.getShape());
            return out.sub(clean).square().mean();
        }
    }

    private static PretrainResult pretrain(Dataset mnist, KnnMonitor monitor, List<StepMetrics> logged) {
        Encoder encoder = MlpEncoderProvider.create(mnist.pretrain().exampleShape(), List.of(128), 32, false);
        try (PretextModel model = PretextModel.create(encoder, new Denoise(), mnist.pretrain().exampleShape(),
                Device.cpu(), 3)) {
            Pretrainer p = new Pretrainer(PretrainConfig.builder().batchSize(100).epochs(2).learningRate(1e-3)
                    .finalLearningRateFraction(0.1) // the schedule this threshold was measured with
                    .seed(3).logEvery(1000).prepareThreads(1).build());
            if (monitor != null) {
                p.addMonitor(monitor);
            }
            p.addListener(new TrainingListener() {
                @Override
                public void onStep(StepMetrics metrics) {
                    logged.add(metrics);
                }
            });
            return p.run(model, mnist.pretrain(), PROVENANCE);
        }
    }

    @Test
    void logsKnnAccuracyEveryEpochWithoutChangingTraining() {
        // 1,000 training images to pretrain on; bank 500 training, queries 500 test images.
        Dataset mnist = MnistDatasetProvider.open(1000, 500);
        Optional<KnnMonitor> monitor = KnnMonitor.forDataset(mnist, 500, 500, 1);
        assertThat(monitor).isPresent();
        List<StepMetrics> withMonitor = new ArrayList<>();
        PretrainResult a = pretrain(mnist, monitor.get(), withMonitor);
        List<StepMetrics> without = new ArrayList<>();
        PretrainResult b = pretrain(mnist, null, without);

        List<Double> knn = withMonitor.stream().filter(m -> m.extra().containsKey(KnnMonitor.METRIC))
                .map(m -> m.extra().get(KnnMonitor.METRIC)).toList();
        assertThat(knn).hasSize(2);
        // kNN on features of even a barely trained MLP is far above chance (10%): at least 50%.
        assertThat(knn).allSatisfy(acc -> assertThat(acc).isBetween(0.5, 1.0));
        assertThat(without).allSatisfy(m -> assertThat(m.extra()).doesNotContainKey(KnnMonitor.METRIC));
        // Measuring draws no randomness from the run: the losses are the same with and without it.
        assertThat(a.losses()).containsExactly(b.losses());
    }

    @Test
    void isOffWithoutLabels() {
        Dataset mnist = MnistDatasetProvider.open(200, 200);
        IndexedSplit unlabelled = ((IndexedSplit) mnist.pretrain()).unlabelled();
        Dataset noLabels = new Dataset() {
            @Override
            public String name() {
                return "unlabelled";
            }

            @Override
            public org.pretext.data.Split pretrain() {
                return unlabelled;
            }

            @Override
            public Optional<org.pretext.data.Split> train() {
                return Optional.empty();
            }

            @Override
            public Optional<org.pretext.data.Split> test() {
                return Optional.empty();
            }

            @Override
            public Map<String, String> provenance() {
                return Map.of();
            }
        };
        assertThat(KnnMonitor.forDataset(noLabels, 100, 100, 1)).isEmpty();
    }

    @Test
    void samplesSubsetsReproducibly() {
        Dataset mnist = MnistDatasetProvider.open(300, 10);
        var s1 = KnnMonitor.sample(mnist.train().orElseThrow(), 50, 7);
        var s2 = KnnMonitor.sample(mnist.train().orElseThrow(), 50, 7);
        assertThat(s1.size()).isEqualTo(50);
        assertThat(s1.labels()).containsExactly(s2.labels());
        assertThat(KnnMonitor.sample(mnist.test().orElseThrow(), 50, 7).size()).isEqualTo(10);
    }
}
