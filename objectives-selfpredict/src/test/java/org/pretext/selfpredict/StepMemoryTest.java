package org.pretext.selfpredict;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pretext.checkpoint.Provenance;
import org.pretext.data.Split;
import org.pretext.datasets.MnistDatasetProvider;
import org.pretext.encoders.vit.VisionTransformer;
import org.pretext.encoders.vit.VitEncoderProvider;
import org.pretext.model.PretextModel;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderRegistry;
import org.pretext.training.PretrainConfig;
import org.pretext.training.Pretrainer;
import org.pretext.training.StepMetrics;
import org.pretext.training.TrainingListener;

/**
 * Every array the masked objectives create during a step (masks, gathered patches, target states,
 * the EMA update's temporaries) is freed when the step ends: the number of arrays the model's
 * manager holds is the same after step 10, 20 and 30, on one replica and on two.
 */
class StepMemoryTest {
    private static final Map<String, Map<String, Object>> PARAMS = Map.of(
            "ijepa", Map.of("predictor-width", 16, "predictor-depth", 1, "predictor-heads", 2));

    @ParameterizedTest
    @CsvSource({"ijepa, 1", "ijepa, 2", "simmim, 1", "simmim, 2"})
    void arraysDoNotAccumulateAcrossSteps(String name, int replicas) {
        Split data = MnistDatasetProvider.open(320, 10).pretrain();
        Shape shape = data.exampleShape();
        List<Integer> counts = new ArrayList<>();
        ObjectiveProvider p = ProviderRegistry.load(ObjectiveProvider.class, "objective").get(name);
        Objective objective = p.create(ParamValues.resolve("objective '" + name + "'", p.parameters(),
                PARAMS.getOrDefault(name, Map.of())));
        int ran;
        try (PretextModel model = PretextModel.create(() -> VitEncoderProvider.create(shape, 4, 16, 1, 2, 2, 0f, false,
                VisionTransformer.Pooling.MEAN), objective, shape, Device.cpu(), 1)) {
            ran = new Pretrainer(PretrainConfig.builder().batchSize(32).steps(30).logEvery(10).clipNorm(1).seed(1)
                    .devices(Collections.nCopies(replicas, Device.cpu())).build())
                    .addListener(new TrainingListener() {
                        @Override
                        public void onStep(StepMetrics m) {
                            counts.add(model.manager().getManagedArrays().size());
                        }
                    }).run(model, data, new Provenance(name, "1", Map.of(), "vit-tiny", Map.of(), "mnist", Map.of(), 1,
                            Map.of(), null)).replicas();
        }
        assertThat(ran).isEqualTo(replicas);
        assertThat(counts).hasSize(3);
        assertThat(counts.get(2)).as("arrays held after steps 10, 20, 30: %s", counts).isEqualTo(counts.get(0));
    }
}
