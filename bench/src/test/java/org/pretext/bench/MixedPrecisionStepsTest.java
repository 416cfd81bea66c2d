package org.pretext.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pretext.data.IndexedSplit;
import org.pretext.model.PretextModel;
import org.pretext.objective.Objective;
import org.pretext.runtime.EngineSetup;
import org.pretext.training.PretrainConfig;
import org.pretext.training.PretrainResult;
import org.pretext.training.Pretrainer;

/**
 * Every benchmark configuration's step runs with {@code training.precision: bf16}: the MLP, the
 * convolutional encoder with batch norm (SimCLR, and DINO with multi-crop), the transformer with
 * its causal mask and the vision transformer without one (whose attention scores are bfloat16 at
 * the softmax). From the same weights on the same batches, its first loss is float32's to
 * bfloat16's rounding and not float32's to the bit.
 */
class MixedPrecisionStepsTest {
    private static final ClassLoader CL = MixedPrecisionStepsTest.class.getClassLoader();

    @BeforeAll
    static void oneThread() {
        EngineSetup.configureThreads(1);
    }

    static List<String> configs() {
        return BenchConfig.ALL.stream().map(BenchConfig::name).toList();
    }

    private static float[] losses(BenchConfig config, String precision) {
        Objective inner = config.newObjective(CL);
        FixedInputsObjective objective = new FixedInputsObjective(inner);
        IndexedSplit data = IndexedSplit.ofFloats(new float[config.batch() * 8], new Shape(1), null, List.of());
        try (PretextModel model = PretextModel.create(config.encoders(CL, objective.encoderInputShape(
                config.exampleShape())), objective, config.exampleShape(), Device.cpu(), 1)) {
            objective.use(config.fixedBatches(inner, 2, 1));
            PretrainConfig c = PretrainConfig.builder().batchSize(config.batch()).steps(2).logEvery(2)
                    .learningRate(1e-3).weightDecay(0).warmupFraction(0).seed(1).precision(precision).build();
            PretrainResult r = new Pretrainer(c).run(model, data, null);
            return r.losses();
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void aStepInBfloat16IsFloat32sToItsRounding(String name) {
        BenchConfig config = BenchConfig.named(name);
        float[] f32 = losses(config, "float32");
        float[] bf16 = losses(config, "bf16");
        assertThat(bf16).hasSize(2);
        for (int i = 0; i < 2; i++) {
            assertThat(Float.isFinite(bf16[i])).as("step %d finite", i).isTrue();
            assertThat((double) bf16[i]).as("step %d", i).isCloseTo(f32[i], org.assertj.core.data.Percentage.withPercentage(3));
        }
        assertThat(bf16).isNotEqualTo(f32);
    }
}
