package org.pretext.runner;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
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
import org.pretext.training.PretrainResult;
import org.pretext.training.Pretrainer;
import org.pretext.training.StepMetrics;
import org.pretext.training.TrainingListener;

/**
 * The {@code adversarial} wrapper (objectives-contrastive) trains around the masked objectives of
 * objectives-selfpredict added for issue 19, on a small ViT: PGD perturbs their one floating-point
 * input, the image's patches (I-JEPA's context and target encoders both see the perturbed image;
 * SimMIM's targets are the perturbed pixels), ten steps give finite losses, and the two-step attack
 * raises the inner loss on average.
 */
class AdversarialMaskedObjectivesTest {

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {"ijepa; predictor-width=16,predictor-depth=1,predictor-heads=2",
        "simmim; mask-ratio=0.6"})
    void trainsAroundIt(String inner, String params) {
        Split data = MnistDatasetProvider.open(320, 10).pretrain();
        Shape shape = data.exampleShape();
        ObjectiveProvider p = ProviderRegistry.load(ObjectiveProvider.class, "objective").get("adversarial");
        Objective wrapped = p.create(ParamValues.resolve("objective 'adversarial'", p.parameters(),
                Map.of("objective", inner, "objective-params", params, "steps", 2)));
        double[] raised = new double[2];
        try (PretextModel model = PretextModel.create(() -> VitEncoderProvider.create(shape, 4, 16, 1, 2, 2, 0f, false,
                VisionTransformer.Pooling.MEAN), wrapped, shape, Device.cpu(), 1)) {
            PretrainResult r = new Pretrainer(PretrainConfig.builder().batchSize(32).steps(10).logEvery(1).clipNorm(1)
                    .seed(1).build()).addListener(new TrainingListener() {
                        @Override
                        public void onStep(StepMetrics m) {
                            Map<String, Double> x = m.extra();
                            if (x.containsKey("attackLossFirst") && x.containsKey("attackLossLast")) {
                                raised[0] += x.get("attackLossLast") - x.get("attackLossFirst");
                                raised[1]++;
                            }
                        }
                    }).run(model, data, new Provenance("adversarial", "1", Map.of(), "vit-tiny", Map.of(), "mnist",
                            Map.of(), 1, Map.of(), null));
            for (float loss : r.losses()) {
                assertThat(loss).as("adversarial(%s) loss", inner).isFinite();
            }
        }
        assertThat(raised[1]).as("steps with attack metrics").isGreaterThan(0);
        assertThat(raised[0] / raised[1]).as("mean rise of the inner loss over the attack").isGreaterThan(0);
    }
}
