package org.pretext.contrastive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pretext.data.Split;
import org.pretext.datasets.MnistDatasetProvider;
import org.pretext.encoders.MlpEncoderProvider;
import org.pretext.model.PretextModel;
import org.pretext.training.PretrainConfig;
import org.pretext.training.Pretrainer;

/** MoCo's queue receives each batch's normalised keys, oldest replaced first. */
class MocoObjectiveTest {

    @Test
    void everyStepEnqueuesItsBatchOfUnitKeys() {
        Split data = MnistDatasetProvider.open(320, 10).pretrain();
        Shape shape = data.exampleShape();
        MocoObjective moco = (MocoObjective) TestRuns.objective("moco", Map.of("queue-size", 100,
                "projection-dim", 8, "projection-hidden", 16));
        try (PretextModel model = PretextModel.create(() -> MlpEncoderProvider.create(shape, List.of(32), 16, false),
                moco, shape, Device.cpu(), 1)) {
            float[] initial = moco.queue().keys().toFloatArray();
            new Pretrainer(PretrainConfig.builder().batchSize(32).steps(3).seed(1).build()).run(model, data,
                    TestRuns.provenance("moco"));
            assertThat(moco.queue().position()).isEqualTo(96);
            float[] now = moco.queue().keys().toFloatArray();
            for (int row = 0; row < 100; row++) {
                double norm = 0;
                boolean changed = false;
                for (int k = 0; k < 8; k++) {
                    norm += now[row * 8 + k] * now[row * 8 + k];
                    changed |= now[row * 8 + k] != initial[row * 8 + k];
                }
                assertThat(norm).isCloseTo(1, within(1e-5));
                assertThat(changed).as("row %d replaced", row).isEqualTo(row < 96);
            }
        }
    }
}
