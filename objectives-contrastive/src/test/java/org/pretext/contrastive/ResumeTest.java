package org.pretext.contrastive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pretext.checkpoint.CheckpointStore;
import org.pretext.data.Split;
import org.pretext.datasets.MnistDatasetProvider;
import org.pretext.encoders.MlpEncoderProvider;
import org.pretext.encoders.vit.VisionTransformer;
import org.pretext.encoders.vit.VitEncoderProvider;
import org.pretext.model.PretextModel;
import org.pretext.training.PretrainConfig;
import org.pretext.training.PretrainResult;
import org.pretext.training.Pretrainer;
import org.pretext.training.StepMetrics;
import org.pretext.training.TrainingListener;

/**
 * Objectives with state outside the model's parameters (MoCo's key encoder and queue, BYOL's EMA
 * target; MSN's EMA target encoder and head, on a ViT, beside its prototypes, which are a head and
 * saved with the model) save it in their checkpoints: a run that crashes and resumes from a
 * checkpoint gives, step for step, the same losses as a run that never stopped (as the loop's own test shows for a
 * stateless objective). Without the objective's state the resumed losses would differ, since the
 * model is recreated from another seed before the checkpoint is loaded.
 */
class ResumeTest {
    private static final Map<String, Map<String, Object>> PARAMS = Map.of(
            "moco", Map.of("queue-size", 256, "momentum", 0.9, "projection-hidden", 64, "projection-dim", 32),
            "byol", Map.of("base-momentum", 0.9, "projection-hidden", 64, "projection-dim", 32,
                    "predictor-hidden", 64),
            "dino", Map.of("base-momentum", 0.9, "hidden-dim", 64, "bottleneck-dim", 32, "out-dim", 64,
                    "freeze-last-layer", 0.5, "teacher-temperature-warmup", 1.0),
            "msn", Map.of("base-momentum", 0.9, "projection-hidden", 64, "projection-dim", 32, "prototypes", 32,
                    "mask-ratio", 0.3, "local-crops", 2),
            "swav", Map.of("projection-hidden", 64, "projection-dim", 32, "prototypes", 30, "queue-size", 128,
                    "queue-start", 0.0, "freeze-prototypes", 0.1),
            "adversarial", Map.of("objective", "moco", "steps", 1,
                    "objective-params", "queue-size=256,momentum=0.9,projection-hidden=64,projection-dim=32"));
    private static Split data;

    private static synchronized Split data() {
        if (data == null) {
            data = MnistDatasetProvider.open(640, 10).pretrain();
        }
        return data;
    }

    private static PretextModel model(String name, long seed) {
        Shape shape = data().exampleShape();
        return PretextModel.create(name.equals("msn")
                ? () -> VitEncoderProvider.create(shape, 4, 16, 1, 2, 2, 0f, false, VisionTransformer.Pooling.MEAN)
                : () -> MlpEncoderProvider.create(shape, List.of(64), 32, false), TestRuns.objective(name, PARAMS.get(name)), shape, Device.cpu(), seed);
    }

    private static PretrainConfig.Builder config() {
        return PretrainConfig.builder().batchSize(64).steps(60).learningRate(2e-3).warmupFraction(0.1).seed(5)
                .logEvery(10).prepareThreads(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"moco", "byol", "adversarial", "dino", "swav", "msn"})
    void aResumedRunMatchesAnUninterruptedOne(String name, @TempDir Path dir) {
        PretrainResult whole;
        try (PretextModel model = model(name, 5)) {
            whole = new Pretrainer(config().build()).run(model, data(), TestRuns.provenance(name));
        }
        try (PretextModel model = model(name, 5)) {
            Pretrainer crashing = new Pretrainer(config().checkpointDir(dir).checkpointEvery(20).build());
            crashing.addListener(new TrainingListener() {
                @Override
                public void onStep(StepMetrics m) {
                    if (m.step() == 50) {
                        throw new IllegalStateException("simulated crash");
                    }
                }
            });
            assertThatThrownBy(() -> crashing.run(model, data(), TestRuns.provenance(name)))
                    .hasMessage("simulated crash");
        }
        assertThat(new CheckpointStore(dir, 2).files()).extracting(CheckpointStore::stepOf).containsExactly(20L, 40L);
        PretrainResult resumed;
        try (PretextModel model = model(name, 99)) {
            resumed = new Pretrainer(config().checkpointDir(dir).resume(true).build()).run(model, data(),
                    TestRuns.provenance(name));
        }
        assertThat(resumed.startStep()).isEqualTo(40);
        assertThat(resumed.losses()).containsExactly(Arrays.copyOfRange(whole.losses(), 40, 60));
    }
}
