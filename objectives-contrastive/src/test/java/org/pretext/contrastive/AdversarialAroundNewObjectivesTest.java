package org.pretext.contrastive;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pretext.data.Split;
import org.pretext.datasets.MnistDatasetProvider;
import org.pretext.encoders.MlpEncoderProvider;
import org.pretext.model.PretextModel;
import org.pretext.training.PretrainConfig;
import org.pretext.training.PretrainResult;
import org.pretext.training.Pretrainer;

/**
 * The {@code adversarial} wrapper trains around each objective added for issue 19 (those with a
 * support set, a running covariance or a momentum branch among them): ten steps of a two-step PGD
 * attack give finite losses, and the attack raises the inner loss on average.
 */
class AdversarialAroundNewObjectivesTest {

    @ParameterizedTest
    @ValueSource(strings = {"nnclr", "dcl", "dclw", "tico", "lejepa", "moco-v3", "dino", "swav", "mmcr"})
    void trainsAroundIt(String inner) {
        Split data = MnistDatasetProvider.open(320, 10).pretrain();
        Shape shape = data.exampleShape();
        String params = inner.equals("dino") ? "hidden-dim=32,bottleneck-dim=16,out-dim=32"
                : inner.equals("swav") ? "projection-hidden=32,projection-dim=16,prototypes=20,queue-size=64,queue-start=0"
                : "projection-hidden=32,projection-dim=16" + (inner.equals("nnclr") ? ",queue-size=64" : "")
                        + (inner.equals("lejepa") ? ",slices=32" : "");
        double[] raised = new double[2];
        try (PretextModel model = PretextModel.create(() -> MlpEncoderProvider.create(shape, List.of(32), 16, false),
                TestRuns.objective("adversarial", Map.of("objective", inner, "objective-params", params, "steps", 2)),
                shape, Device.cpu(), 1)) {
            PretrainResult r = new Pretrainer(PretrainConfig.builder().batchSize(32).steps(10).logEvery(1).clipNorm(1)
                    .seed(1).build()).addListener(new org.pretext.training.TrainingListener() {
                        @Override
                        public void onStep(org.pretext.training.StepMetrics m) {
                            Map<String, Double> x = m.extra();
                            if (x.containsKey("attackLossFirst") && x.containsKey("attackLossLast")) {
                                raised[0] += x.get("attackLossLast") - x.get("attackLossFirst");
                                raised[1]++;
                            }
                        }
                    }).run(model, data, TestRuns.provenance("adversarial"));
            for (float loss : r.losses()) {
                assertThat(loss).as("adversarial(%s) loss", inner).isFinite();
            }
        }
        assertThat(raised[1]).as("steps with attack metrics").isGreaterThan(0);
        assertThat(raised[0] / raised[1]).as("mean rise of the inner loss over the attack").isGreaterThan(0);
    }
}
