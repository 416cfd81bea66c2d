package org.pretext.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * 3×3 convolutions (padding 1) and their gradients against the same sums in float64, for channel
 * counts that oneDNN pads to its block: with oneDNN's convolutions these came out wrong at one
 * engine thread every time and at two threads most times, sometimes NaN.
 */
class NativeConvolutionsTest {
    /** Batch, input channels, output channels, side. */
    private static final int[][] SHAPES = {
        {16, 4, 8, 6}, // cnn-small at width 4 on multi-crop's 12x12 views: its second convolution
        {16, 1, 8, 6}, // a first layer's input gradient (adversarial perturbations)
        {8, 20, 40, 6}, // more than 16 input channels, not a multiple of 16: the forward pass
        {4, 2, 4, 3},
    };

    /** Channel counts oneDNN gets right: cnn-small's default 32-64-128 and the measured safe ones. */
    private static final int[][] SAFE_SHAPES = {
        {8, 1, 32, 28}, {8, 32, 64, 14}, {8, 64, 128, 7}, {16, 4, 16, 6}, {16, 8, 16, 6},
    };

    @Test
    void convolutionsAndTheirGradientsMatchFloat64OnNativeKernels() {
        withOneDnn(false, () -> assertMatchFloat64(SHAPES));
    }

    @Test
    void channelsLastConvolutionsMatchFloat64OnNativeKernelsAndOnOneDnnForTheSafeChannelCounts() {
        assumeTrue(ChannelsLast.get().isPresent(), "channels-last is off (-Dpretext.channelsLast=false)");
        withOneDnn(false, () -> assertMatchFloat64(SHAPES, true));
        withOneDnn(true, () -> assertMatchFloat64(SAFE_SHAPES, true));
    }

    @Test
    void theChannelCountsCalledSafeMatchFloat64OnOneDnn() {
        withOneDnn(true, () -> assertMatchFloat64(SAFE_SHAPES));
        for (int[] s : SAFE_SHAPES) {
            assertThat(NativeConvolutions.safeForOneDnn(s[1], s[2])).as(s[1] + " -> " + s[2]).isTrue();
        }
        for (int[] s : SHAPES) {
            assertThat(NativeConvolutions.safeForOneDnn(s[1], s[2])).as(s[1] + " -> " + s[2]).isFalse();
        }
    }

    @Test
    void aModelWithAConvolutionOneDnnGetsWrongSwitchesTheProcessToNativeKernels() {
        assumeTrue(NativeConvolutions.mode().equals("auto"), "the setting is not auto");
        EngineSetup.engine();
        boolean before = oneDnnOn();
        try (NDManager m = EngineSetup.engine().newBaseManager()) {
            NativeConvolutions.switchOneDnn(true, "oneDNN (auto: test)");
            Block safe = Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(32).build();
            safe.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(2, 1, 6, 6));
            assertThat(NativeConvolutions.convolutionChannels(safe)).singleElement().isEqualTo(new long[] {1, 32});
            NativeConvolutions.check(safe, "a 1 -> 32 encoder");
            assertThat(NativeConvolutions.status()).startsWith("oneDNN");

            SequentialBlock wrong = new SequentialBlock().add(Conv2d.builder().setKernelShape(new Shape(3, 3))
                    .setFilters(4).build()).add(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(8).build());
            wrong.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(2, 1, 12, 12));
            NativeConvolutions.check(wrong, "a 1 -> 4 -> 8 encoder");
            assertThat(NativeConvolutions.status()).isEqualTo(
                    "native (a 1 -> 4 -> 8 encoder has a convolution of 1 -> 4 channels, which oneDNN computes wrongly)");
            assertThat(oneDnnOn()).isFalse();
        } finally {
            restore(before);
        }
    }

    /** Runs the check with oneDNN on or off, then puts back what the process had. */
    private static void withOneDnn(boolean on, Runnable check) {
        EngineSetup.engine();
        boolean before = oneDnnOn();
        try {
            NativeConvolutions.switchOneDnn(on, on ? "oneDNN (test)" : "native (test)");
            check.run();
        } finally {
            restore(before);
        }
    }

    private static boolean oneDnnOn() {
        return !NativeConvolutions.status().startsWith("native");
    }

    private static void restore(boolean oneDnn) {
        NativeConvolutions.switchOneDnn(oneDnn, oneDnn ? "oneDNN (auto: no convolution oneDNN gets wrong so far)"
                : "native (restored by a test)");
    }

    private static void assertMatchFloat64(int[][] shapes) {
        assertMatchFloat64(shapes, false);
    }

    /** @param channelsLast whether x, w and the output gradient are laid out channels-last first */
    private static void assertMatchFloat64(int[][] shapes, boolean channelsLast) {
        Engine engine = EngineSetup.engine();
        for (int[] s : shapes) {
            Reference ref = new Reference(s[0], s[1], s[2], s[3], 11);
            for (int rep = 0; rep < 5; rep++) { // at two threads wrong results came and went
                try (NDManager m = engine.newBaseManager()) {
                    NDArray x = EngineArrays.floats(m, ref.x, new Shape(s[0], s[1], s[3], s[3]));
                    NDArray w = EngineArrays.floats(m, ref.w, new Shape(s[2], s[1], 3, 3));
                    NDArray g = EngineArrays.floats(m, ref.g, new Shape(s[0], s[2], s[3], s[3]));
                    if (channelsLast) {
                        assertThat(ChannelsLast.apply(java.util.List.of(x, w, g))).isEqualTo(3);
                        assertThat(ChannelsLast.strides(java.util.List.of(w)).orElseThrow().get(0))
                                .containsExactly(s[1] * 9L, 1, 3L * s[1], s[1]);
                    }
                    x.setRequiresGradient(true);
                    w.setRequiresGradient(true);
                    NDArray y;
                    try (GradientCollector gc = engine.newGradientCollector()) {
                        y = Conv2d.conv2d(x, w, null, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1).head();
                        JniUtils.backward((PtNDArray) y, (PtNDArray) g, false, false); // the gradient g of y
                    }
                    String shape = "n=" + s[0] + " ic=" + s[1] + " oc=" + s[2] + " " + s[3] + "x" + s[3] + " rep " + rep
                            + (channelsLast ? " channels-last" : "");
                    assertClose(shape + ": output", y.toFloatArray(), ref.y);
                    assertClose(shape + ": input gradient", x.getGradient().toFloatArray(), ref.dx);
                    assertClose(shape + ": weight gradient", w.getGradient().toFloatArray(), ref.dw);
                }
            }
        }
    }

    @Test
    void theSettingIsAutoUnlessTheUserSaysOtherwise() {
        String before = System.getProperty("pretext.nativeConvolutions");
        try {
            System.clearProperty("pretext.nativeConvolutions");
            if (System.getenv("PRETEXT_NATIVE_CONVOLUTIONS") == null) {
                assertThat(NativeConvolutions.mode()).isEqualTo("auto");
            }
            System.setProperty("pretext.nativeConvolutions", "false");
            assertThat(NativeConvolutions.mode()).isEqualTo("oneDNN");
            System.setProperty("pretext.nativeConvolutions", "true");
            assertThat(NativeConvolutions.mode()).isEqualTo("native");
            System.setProperty("pretext.nativeConvolutions", "AUTO ");
            assertThat(NativeConvolutions.mode()).isEqualTo("auto");
            System.setProperty("pretext.nativeConvolutions", "natve");
            assertThatThrownBy(NativeConvolutions::mode).isInstanceOf(org.pretext.PretextException.class)
                    .hasMessage("-Dpretext.nativeConvolutions is 'natve': expected auto (oneDNN unless a model has a"
                            + " convolution it computes wrongly), true (libtorch's own kernels always) or false (oneDNN"
                            + " always)");
        } finally {
            if (before == null) {
                System.clearProperty("pretext.nativeConvolutions");
            } else {
                System.setProperty("pretext.nativeConvolutions", before);
            }
        }
    }

    private static void assertClose(String what, float[] got, double[] want) {
        double scale = 0;
        for (double v : want) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertThat(scale).as(what + ": reference").isGreaterThan(1);
        for (int i = 0; i < got.length; i++) {
            // float32 sums of at most 360 products of values about 1: a few 1e-6 of the largest value
            if (!(Math.abs(got[i] - want[i]) <= 1e-5 * scale)) {
                throw new AssertionError(what + ": element " + i + " is " + got[i] + ", float64 gives " + want[i]);
            }
        }
    }

    /** Random x, w and output gradient g, and y = conv(x, w), dL/dx and dL/dw for L = Σ g·y, in float64. */
    private static final class Reference {
        final float[] x;
        final float[] w;
        final float[] g;
        final double[] y;
        final double[] dx;
        final double[] dw;

        Reference(int n, int in, int out, int side, long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            x = gaussian(r, n * in * side * side);
            w = gaussian(r, out * in * 9);
            g = gaussian(r, n * out * side * side);
            y = new double[g.length];
            dx = new double[x.length];
            dw = new double[w.length];
            for (int b = 0; b < n; b++) {
                for (int o = 0; o < out; o++) {
                    for (int c = 0; c < in; c++) {
                        for (int oh = 0; oh < side; oh++) {
                            for (int ow = 0; ow < side; ow++) {
                                int yi = ((b * out + o) * side + oh) * side + ow;
                                for (int kh = 0; kh < 3; kh++) {
                                    for (int kw = 0; kw < 3; kw++) {
                                        int ih = oh - 1 + kh;
                                        int iw = ow - 1 + kw;
                                        if (ih < 0 || ih >= side || iw < 0 || iw >= side) {
                                            continue;
                                        }
                                        int xi = ((b * in + c) * side + ih) * side + iw;
                                        int wi = ((o * in + c) * 3 + kh) * 3 + kw;
                                        y[yi] += (double) x[xi] * w[wi];
                                        dx[xi] += (double) g[yi] * w[wi];
                                        dw[wi] += (double) g[yi] * x[xi];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        private static float[] gaussian(SplittableRandom r, int size) {
            float[] v = new float[size];
            for (int i = 0; i < size; i++) {
                v[i] = (float) r.nextGaussian();
            }
            return v;
        }
    }
}
