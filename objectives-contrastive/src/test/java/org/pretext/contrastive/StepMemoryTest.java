package org.pretext.contrastive;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pretext.data.Split;
import org.pretext.datasets.MnistDatasetProvider;
import java.util.function.Supplier;
import org.pretext.encoder.Encoder;
import org.pretext.encoders.MlpEncoderProvider;
import org.pretext.encoders.vit.VisionTransformer;
import org.pretext.encoders.vit.VitEncoderProvider;
import org.pretext.model.PretextModel;
import org.pretext.training.PretrainConfig;
import org.pretext.training.Pretrainer;
import org.pretext.training.StepMetrics;
import org.pretext.training.TrainingListener;

/**
 * Every array an objective creates during a step (views, targets, queue updates, attack
 * iterates, gradient wrappers; MSN's kept patches, focal views and EMA target) is freed when the step ends: the number of arrays the model's
 * manager holds is the same after step 10, 20 and 30.
 */
class StepMemoryTest {
    private static final Map<String, Map<String, Object>> PARAMS = Map.of(
            "moco", Map.of("queue-size", 128),
            "nnclr", Map.of("queue-size", 128),
            "dino", Map.of("out-dim", 64, "hidden-dim", 64),
            "swav", Map.of("prototypes", 30, "queue-size", 64, "queue-start", 0.0),
            "msn", Map.of("projection-hidden", 32, "projection-dim", 16, "prototypes", 32, "mask-ratio", 0.3,
                    "local-crops", 2),
            "adversarial", Map.of("objective", "moco", "steps", 2, "objective-params", "queue-size=128"));

    @ParameterizedTest
    @ValueSource(strings = {"simclr", "contrastive-k", "moco", "byol", "simsiam", "barlow-twins", "vicreg", "spectral",
        "adversarial", "nnclr", "dcl", "dclw", "tico", "lejepa", "moco-v3", "dino", "swav", "mmcr", "msn"})
    void arraysDoNotAccumulateAcrossSteps(String name) {
        run(name, 1);
    }

    /** With two replicas: shards, gathered features and the replicas' gradient wrappers are the step's too. */
    @ParameterizedTest
    @ValueSource(strings = {"simclr", "moco", "byol", "nnclr", "tico", "msn"})
    void arraysDoNotAccumulateAcrossStepsOnTwoReplicas(String name) {
        run(name, 2);
    }

    /** The small MLP, or for {@code msn} (which drops image patches) a one-block ViT with 4×4 patches and its focal views of 12×12. */
    static Supplier<Encoder> encoder(String name, Shape shape) {
        return name.equals("msn")
                ? () -> VitEncoderProvider.create(shape, 4, 16, 1, 2, 2, 0f, false, VisionTransformer.Pooling.MEAN)
                : () -> MlpEncoderProvider.create(shape, List.of(32), 16, false);
    }

    private static void run(String name, int replicas) {
        Split data = MnistDatasetProvider.open(320, 10).pretrain();
        Shape shape = data.exampleShape();
        List<Integer> counts = new ArrayList<>();
        int[] ran = new int[1];
        try (PretextModel model = PretextModel.create(encoder(name, shape), TestRuns.objective(name, PARAMS.getOrDefault(name, Map.of())), shape, Device.cpu(), 1)) {
            ran[0] = new Pretrainer(PretrainConfig.builder().batchSize(32).steps(30).logEvery(10).clipNorm(1).seed(1)
                    .devices(java.util.Collections.nCopies(replicas, Device.cpu())).build())
                    .addListener(new TrainingListener() {
                        @Override
                        public void onStep(StepMetrics m) {
                            counts.add(model.manager().getManagedArrays().size());
                        }
                    }).run(model, data, TestRuns.provenance(name)).replicas();
        }
        assertThat(ran[0]).isEqualTo(replicas);
        assertThat(counts).hasSize(3);
        assertThat(counts.get(2)).as("arrays held after steps 10, 20, 30: %s", counts).isEqualTo(counts.get(0));
    }
}
