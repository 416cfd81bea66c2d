package org.pretext.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pretext.PretextException;
import org.pretext.engine.Scalars;

/**
 * {@link MixedPrecision} and {@link Autocast}: a layer under bf16 computes what bfloat16 inputs,
 * weights and output give (worked out on the host), its output comes back as float32 with its
 * gradient, and the thread's autocast state is as before afterwards.
 */
class MixedPrecisionTest {
    private static final int ROWS = 16;
    private static final int IN = 96;
    private static final int OUT = 24;

    private static MixedPrecision autocastBf16() {
        return MixedPrecision.of("bf16").orElseThrow();
    }

    /** x rounded to the nearest bfloat16 (ties to even), as libtorch's conversion does. */
    static float bf16(float x) {
        int bits = Float.floatToRawIntBits(x);
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return Float.intBitsToFloat((bits + rounding) & 0xFFFF0000);
    }

    private static float[] gaussian(int n, long seed, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return v;
    }

    private static NDArray inputs(NDManager m, long seed) {
        return m.create(gaussian(ROWS * IN, seed, 1), new Shape(ROWS, IN));
    }

    private static NDArray weights(NDManager m, long seed) {
        return m.create(gaussian(OUT * IN, seed, 0.1), new Shape(OUT, IN));
    }

    @Test
    void aLinearLayerRunsInBfloat16AndItsOutputComesBackAsFloat32WithItsGradient() {
        float[] x = gaussian(ROWS * IN, 1, 1);
        float[] w = gaussian(OUT * IN, 2, 0.1);
        float[] b = gaussian(OUT, 3, 0.1);
        Engine engine = EngineSetup.engine();
        try (NDManager m = engine.newBaseManager()) {
            NDArray xs = m.create(x, new Shape(ROWS, IN));
            NDArray ws = m.create(w, new Shape(OUT, IN));
            NDArray bs = m.create(b, new Shape(OUT));
            ws.setRequiresGradient(true);
            NDArray mixed;
            float[] mixedGradient;
            try (GradientCollector gc = engine.newGradientCollector()) {
                mixed = autocastBf16().runSingle(Device.cpu(), () -> Linear.linear(xs, ws, bs).singletonOrThrow());
                gc.backward(mixed.sum());
                mixedGradient = ws.getGradient().toFloatArray();
            }
            assertThat(mixed.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(Autocast.get().enabled(Device.cpu())).isFalse();
            float[] got = mixed.toFloatArray();
            float[] plain = Linear.linear(xs, ws, bs).singletonOrThrow().toFloatArray();
            double worstToHost = 0;
            double worstToFloat32 = 0;
            for (int i = 0; i < ROWS; i++) {
                for (int o = 0; o < OUT; o++) {
                    double sum = bf16(b[o]);
                    for (int k = 0; k < IN; k++) {
                        sum += (double) bf16(x[i * IN + k]) * bf16(w[o * IN + k]);
                    }
                    float expected = bf16((float) sum); // the product accumulates in float32, its result is bfloat16
                    float scale = Math.max(Math.abs(expected), 1e-3f);
                    worstToHost = Math.max(worstToHost, Math.abs(got[i * OUT + o] - expected) / scale);
                    worstToFloat32 = Math.max(worstToFloat32, Math.abs(got[i * OUT + o] - plain[i * OUT + o]) / scale);
                }
            }
            // at most one bfloat16 step (2^-8 relative) from the host's bfloat16 result, where the
            // accumulation order rounds the other way; float32 differs by far more
            assertThat(worstToHost).isLessThanOrEqualTo(1.0 / 256);
            assertThat(worstToFloat32).isGreaterThan(1.0 / 256);
            // the gradient of sum(x·Wᵀ + b) with respect to W is the column sums of x, for every output row:
            // in bfloat16 within its rounding of x
            for (int o = 0; o < OUT; o++) {
                for (int k = 0; k < IN; k++) {
                    double expected = 0;
                    for (int i = 0; i < ROWS; i++) {
                        expected += bf16(x[i * IN + k]);
                    }
                    assertThat((double) mixedGradient[o * IN + k]).isCloseTo(expected, org.assertj.core.data.Offset
                            .offset(0.02 * Math.max(1, Math.abs(expected))));
                }
            }
        }
    }

    @Test
    void autocastIsOffAfterTheRegionAndOpsAreFloat32Again() {
        try (NDManager m = EngineSetup.engine().newBaseManager()) {
            NDArray xs = inputs(m, 4);
            NDArray ws = weights(m, 5);
            float[] before = Linear.linear(xs, ws).singletonOrThrow().toFloatArray();
            NDList inside = autocastBf16().run(Device.cpu(), () -> new NDList(Linear.linear(xs, ws).singletonOrThrow(),
                    m.create(new int[] {1, 2, 3})));
            assertThat(inside.get(1).getDataType()).isEqualTo(DataType.INT32); // integers are left as they are
            assertThat(inside.get(1).toIntArray()).isEqualTo(new int[] {1, 2, 3});
            assertThat(Autocast.get().enabled(Device.cpu())).isFalse();
            assertThat(Linear.linear(xs, ws).singletonOrThrow().toFloatArray()).isEqualTo(before);
        }
    }

    @Test
    void aBfloat16ArrayTakesConstantsAndSoftmaxThroughScalars() {
        try (NDManager m = EngineSetup.engine().newBaseManager()) {
            NDArray xs = inputs(m, 6);
            NDArray ws = weights(m, 7);
            NDArray probs = autocastBf16().runSingle(Device.cpu(), () -> {
                NDArray scores = Linear.linear(xs, ws).singletonOrThrow();
                assertThat(scores.getDataType()).isEqualTo(DataType.UNKNOWN); // bfloat16: DJL has no name for it
                NDArray halved = Scalars.mul(scores, 0.5); // a float32 0-d constant keeps bfloat16
                assertThat(halved.getDataType()).isEqualTo(DataType.UNKNOWN);
                return Scalars.float32(halved).softmax(-1); // DJL's softmax passes the type: float32 first
            });
            float[] p = probs.toFloatArray();
            for (int i = 0; i < ROWS; i++) {
                double sum = 0;
                for (int o = 0; o < OUT; o++) {
                    sum += p[i * OUT + o];
                }
                assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
            }
        }
    }

    @Test
    void nativeBfloat16IsAvx512Bf16OrAmx() {
        assertThat(MixedPrecision.nativeBf16(java.util.Set.of("avx2", "avx512f", "avx512_bf16"))).isTrue();
        assertThat(MixedPrecision.nativeBf16(java.util.Set.of("avx2", "amx_tile", "amx_bf16"))).isTrue();
        assertThat(MixedPrecision.nativeBf16(java.util.Set.of("avx2", "avx512f", "avx512bw", "avx512_vnni"))).isFalse();
    }

    @Test
    void float32IsNoPrecisionObjectAndAnUnknownValueIsRefusedByName() {
        assertThat(MixedPrecision.of("float32")).isEmpty();
        assertThatThrownBy(() -> MixedPrecision.of("fp16")).isInstanceOf(PretextException.class)
                .hasMessageContaining("training.precision is 'fp16'").hasMessageContaining("[float32, bf16]");
    }

    @Test
    void bfloat16RoundingOfTheHostReferenceIsTiesToEven() {
        assertThat(bf16(1.0f)).isEqualTo(1.0f);
        assertThat(bf16(Float.intBitsToFloat(0x3F808000))).isEqualTo(1.0f); // tie, even below
        assertThat(bf16(Float.intBitsToFloat(0x3F818000))).isEqualTo(Float.intBitsToFloat(0x3F820000)); // tie, even above
        assertThat(bf16(Float.intBitsToFloat(0x3F808001))).isEqualTo(Float.intBitsToFloat(0x3F810000));
    }
}
