package org.pretext.runner;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pretext.data.HostTensor;
import org.pretext.objective.ForwardingObjective;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderRegistry;
import org.pretext.runner.config.ConfigLoader;
import org.pretext.runner.config.RunConfig;

/** {@code adversarial(X)} behaves as X in all but the perturbation, found and configured as users do. */
class WrappedObjectiveTest {
    private static Objective create(String name, Map<String, ?> params) {
        ObjectiveProvider p = ProviderRegistry.load(ObjectiveProvider.class, "objective").get(name);
        return p.create(ParamValues.resolve("objective '" + name + "'", p.parameters(), params));
    }

    @Test
    void adversarialPartPredictionTakesFeaturesFromTheHalfItTrainsOn() {
        Objective plain = create("part-prediction", Map.of());
        Objective wrapped = create("adversarial", Map.of("objective", "part-prediction"));
        Shape example = new Shape(1, 28, 28);
        assertThat(wrapped.encoderInputShape(example)).isEqualTo(plain.encoderInputShape(example))
                .isNotEqualTo(example);
        float[] pixels = new float[2 * 28 * 28];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = i % 97 / 97f;
        }
        HostTensor batch = HostTensor.of(pixels, new Shape(2, 1, 28, 28));
        HostTensor mine = wrapped.encoderInput(batch);
        HostTensor theirs = plain.encoderInput(batch);
        assertThat(mine.shape()).isEqualTo(theirs.shape()).isNotEqualTo(batch.shape());
        assertThat(mine.floats()).isEqualTo(theirs.floats());
    }

    @Test
    void adversarialCausalLmForwardsValidationToTheLanguageModel() throws Exception {
        Objective wrapped = create("adversarial", Map.of("objective", "causal-lm"));
        assertThat(wrapped).isInstanceOf(ForwardingObjective.class);
        Objective inner = ((ForwardingObjective) wrapped).delegate();
        // the wrapper declares no validate of its own: the language model's validation loss is what runs
        assertThat(wrapped.getClass().getMethod("validate", org.pretext.objective.Model.class, org.pretext.data.Split.class)
                .getDeclaringClass()).isEqualTo(ForwardingObjective.class);
        assertThat(inner.getClass().getMethod("validate", org.pretext.objective.Model.class, org.pretext.data.Split.class)
                .getDeclaringClass()).isEqualTo(inner.getClass());
    }

    @Test
    void nestedParametersReachTheWrappedObjectiveFromTheCommandLine() {
        Map<String, Object> tree = ConfigLoader.defaults();
        ConfigLoader.set(tree, "objective=adversarial");
        ConfigLoader.set(tree, "objective.params.objective=simclr");
        ConfigLoader.set(tree, "objective.params.objective-params.temperature=0.3");
        RunConfig c = ConfigLoader.resolve(tree);
        assertThat(c.objective().params().get("objective-params")).isEqualTo(Map.of("temperature", 0.3));
        Objective o = create("adversarial", c.objective().params());
        assertThat(((ForwardingObjective) o).delegate().getClass().getSimpleName()).isEqualTo("SimClrObjective");
    }
}
