package org.pretext.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pretext.data.IndexedSplit;
import org.pretext.model.PretextModel;
import org.pretext.checkpoint.Provenance;

/**
 * {@code training.precision: bf16} in the pretraining loop: the toy objective trains as in float32,
 * on numbers of its own that repeat under the same seed, and the setting reaches the loop.
 */
class MixedPrecisionTrainingTest {
    private static final Provenance PROVENANCE = new Provenance("toy", "1", Map.of(), "linear", Map.of(), "toy",
            Map.of(), 5, Map.of(), null);

    private static PretrainResult train(String precision) {
        IndexedSplit data = ToyDenoising.data(1);
        PretrainConfig config = PretrainConfig.builder().batchSize(64).steps(120).learningRate(0.02)
                .warmupFraction(0.1).seed(5).logEvery(10).precision(precision).build();
        try (PretextModel model = PretextModel.create(ToyDenoising.encoder(), new ToyDenoising(), data.exampleShape(),
                Device.cpu(), 5)) {
            return new Pretrainer(config).run(model, data, PROVENANCE);
        }
    }

    @Test
    void bf16TrainsLikeFloat32OnNumbersOfItsOwnThatRepeat() {
        PretrainResult f32 = train("float32");
        PretrainResult bf16 = train("bf16");
        PretrainResult again = train("bf16");
        assertThat(again.losses()).isEqualTo(bf16.losses());
        assertThat(bf16.losses()).isNotEqualTo(f32.losses());
        // the same first step to bfloat16's rounding, and the same progress
        assertThat(bf16.losses()[0]).isCloseTo(f32.losses()[0], org.assertj.core.data.Percentage.withPercentage(2));
        assertThat(bf16.finalLoss()).isLessThan(bf16.losses()[0] * 0.3f);
        assertThat(bf16.finalLoss()).isCloseTo(f32.finalLoss(), org.assertj.core.data.Percentage.withPercentage(10));
    }

    /** Outside the steps (probes, monitors, exports) the encoder computes in float32 after a bf16 run. */
    @Test
    void afterABf16RunTheEncoderIsFloat32Again() {
        IndexedSplit data = ToyDenoising.data(1);
        PretrainConfig config = PretrainConfig.builder().batchSize(64).steps(20).learningRate(0.02).seed(5)
                .logEvery(10).precision("bf16").build();
        try (PretextModel model = PretextModel.create(ToyDenoising.encoder(), new ToyDenoising(), data.exampleShape(),
                Device.cpu(), 5)) {
            new Pretrainer(config).run(model, data, PROVENANCE);
            float[] w = model.parameters().get("encoder/weight").getArray().toFloatArray(); // (4, 8)
            float[] b = model.parameters().get("encoder/bias").getArray().toFloatArray();
            float[] x = java.util.Arrays.copyOf(data.floatData(), 16 * ToyDenoising.DIM);
            float[] got = model.encode(model.manager().create(x, new ai.djl.ndarray.types.Shape(16, ToyDenoising.DIM)),
                    false).toFloatArray();
            for (int i = 0; i < 16; i++) {
                for (int o = 0; o < 4; o++) {
                    double expected = b[o];
                    for (int k = 0; k < ToyDenoising.DIM; k++) {
                        expected += (double) x[i * ToyDenoising.DIM + k] * w[o * ToyDenoising.DIM + k];
                    }
                    // float32 to its rounding; bfloat16 products would be off by about 1e-2 of the sum's terms
                    assertThat((double) got[i * 4 + o]).as("feature %d of row %d", o, i)
                            .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5 * (1 + Math.abs(expected))));
                }
            }
        }
    }

    @Test
    void theSettingIsCheckedByName() {
        assertThatThrownBy(() -> PretrainConfig.builder().precision("fp8")).hasMessageContaining("precision")
                .hasMessageContaining("fp8").hasMessageContaining("bf16");
        assertThat(TrainingSettings.PRECISION.defaultValue()).isEqualTo("float32");
        assertThat(TrainingSettings.ALL).contains(TrainingSettings.PRECISION);
    }

    /** build() copies field by field: every field set on the builder must reach the config. */
    @Test
    void buildCopiesEveryField() throws ReflectiveOperationException {
        PretrainConfig.Builder builder = PretrainConfig.builder();
        Field inner = PretrainConfig.Builder.class.getDeclaredField("c");
        inner.setAccessible(true);
        PretrainConfig draft = (PretrainConfig) inner.get(builder);
        List<Field> fields = java.util.Arrays.stream(PretrainConfig.class.getDeclaredFields())
                .filter(f -> !Modifier.isStatic(f.getModifiers())).toList();
        for (Field f : fields) {
            f.setAccessible(true);
            f.set(draft, unusual(f.getType(), f.get(draft)));
        }
        PretrainConfig built = builder.build();
        assertThat(fields).hasSizeGreaterThan(20);
        for (Field f : fields) {
            assertThat(f.get(built)).as(f.getName()).isEqualTo(f.get(draft));
        }
    }

    private static Object unusual(Class<?> type, Object current) {
        if (type == int.class) {
            return 7 + (int) current;
        } else if (type == long.class) {
            return 7 + (long) current;
        } else if (type == double.class) {
            return 0.5 + (double) current;
        } else if (type == boolean.class) {
            return !(boolean) current;
        } else if (type == String.class) {
            return "unusual-" + current;
        } else if (type == Path.class) {
            return Path.of("unusual");
        } else if (type == List.class) {
            return List.of(Device.cpu(), Device.cpu());
        }
        throw new AssertionError("no unusual value for a field of type " + type + ": add one here");
    }
}
