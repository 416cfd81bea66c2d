package org.pretext.encoders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pretext.runtime.ChannelsLast;
import org.pretext.runtime.EngineArrays;
import org.pretext.runtime.EngineSetup;

/**
 * {@code cnn-small} with channels-last weights computes what it computes row-major: features agree to
 * float32 rounding and every parameter's gradient (BatchNorm in training mode included) to rounding and
 * ReLU's and max pooling's kinks, and each gradient comes back in its weight's layout; its global average
 * pool is the per-channel mean.
 */
class CnnChannelsLastTest {
    @Test
    void globalAveragePoolingIsThePerChannelMeanAndSpreadsItsGradientEvenly() {
        EngineSetup.engine();
        try (NDManager m = NDManager.newBaseManager()) {
            float[] v = gaussian(new SplittableRandom(1), 2 * 3 * 4 * 5);
            NDArray x = EngineArrays.floats(m, v, new Shape(2, 3, 4, 5));
            x.setRequiresGradient(true);
            Pool2d pool = Pool2d.globalAverage();
            float[] y;
            try (GradientCollector gc = EngineSetup.engine().newGradientCollector()) {
                NDArray out = pool.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow();
                assertThat(out.getShape()).isEqualTo(new Shape(2, 3));
                y = out.toFloatArray();
                gc.backward(out.mul(m.arange(6f).reshape(2, 3)).sum()); // dL/dy[b][c] = 3b + c
            }
            float[] g = x.getGradient().toFloatArray();
            for (int bc = 0; bc < 6; bc++) {
                double mean = 0;
                for (int i = 0; i < 20; i++) {
                    mean += v[bc * 20 + i] / 20.0;
                }
                assertThat((double) y[bc]).as("mean of channel %d", bc).isCloseTo(mean, within(1e-6));
                for (int i = 0; i < 20; i++) {
                    assertThat((double) g[bc * 20 + i]).isCloseTo(bc / 20.0, within(1e-7));
                }
            }
        }
    }

    /**
     * The pool's backward hands a channels-last map's gradient back without converting the map: an
     * average pool over the whole map, fed a (B, C, 1, 1) gradient that libtorch reads as row-major,
     * copied the map to row-major and back in every step. Asked of libtorch's profiler: no copy of a
     * map-sized array in the backward pass of ReLU and the pool, and the gradient channels-last.
     */
    @Test
    void globalAveragePoolingOfAChannelsLastMapCopiesNothingBackward(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) throws java.io.IOException {
        EngineSetup.engine();
        assumeTrue(ChannelsLast.get().isPresent(), "channels-last is off (-Dpretext.channelsLast=false)");
        try (NDManager m = NDManager.newBaseManager()) {
            // (B, H, W, C) memory read as (B, C, H, W): a channels-last map, as cnn-small's last convolution gives
            NDArray x = m.randomNormal(new Shape(4, 7, 7, 16)).transpose(0, 3, 1, 2).duplicate();
            x.setRequiresGradient(true);
            long[] channelsLast = {7 * 7 * 16, 1, 7 * 16, 16};
            assertThat(ChannelsLast.strides(List.of(x)).orElseThrow().get(0)).containsExactly(channelsLast);
            java.nio.file.Path trace = dir.resolve("trace.json");
            try (GradientCollector gc = EngineSetup.engine().newGradientCollector()) {
                NDArray out = Pool2d.globalAverage().forward(new ParameterStore(m, false),
                        new NDList(x.getNDArrayInternal().relu()), true).singletonOrThrow();
                NDArray loss = out.mul(m.arange(64f).reshape(4, 16)).sum();
                ai.djl.pytorch.jni.JniUtils.startProfile(false, true, false);
                try {
                    gc.backward(loss);
                } finally {
                    ai.djl.pytorch.jni.JniUtils.stopProfile(trace.toString());
                }
            }
            List<String> ops = new ArrayList<>();
            List<String> mapCopies = new ArrayList<>();
            com.google.gson.JsonElement root = com.google.gson.JsonParser.parseString(java.nio.file.Files.readString(trace));
            com.google.gson.JsonArray events = root.isJsonArray() ? root.getAsJsonArray()
                    : root.getAsJsonObject().getAsJsonArray("traceEvents");
            for (com.google.gson.JsonElement e : events) {
                com.google.gson.JsonObject event = e.getAsJsonObject();
                if (event.has("name")) {
                    String name = event.get("name").getAsString();
                    ops.add(name);
                    String shapes = String.valueOf(event.get("shape")).replace(" ", "");
                    if (List.of("aten::copy_", "aten::contiguous", "aten::clone").contains(name)
                            && shapes.contains("[4,16,7,7]")) {
                        mapCopies.add(name + " " + shapes);
                    }
                }
            }
            assertThat(ops).as("the ops of the backward pass").contains("aten::threshold_backward");
            assertThat(mapCopies).as("copies of the (4, 16, 7, 7) map in the backward pass").isEmpty();
            assertThat(ChannelsLast.strides(List.of(x.getGradient())).orElseThrow().get(0)).containsExactly(channelsLast);
        }
    }

    @Test
    void channelsLastWeightsGiveTheSameFeaturesAndGradients() {
        EngineSetup.engine();
        assumeTrue(ChannelsLast.get().isPresent(), "channels-last is off (-Dpretext.channelsLast=false)");
        try (NDManager m = NDManager.newBaseManager()) {
            Shape in = new Shape(1, 28, 28);
            Block rowMajor = CnnEncoderProvider.create(in, 32).block();
            Block channelsLast = CnnEncoderProvider.create(in, 32).block();
            rowMajor.initialize(m, DataType.FLOAT32, new Shape(2, 1, 28, 28));
            channelsLast.initialize(m, DataType.FLOAT32, new Shape(2, 1, 28, 28));
            List<Parameter> a = parameters(rowMajor);
            List<Parameter> b = parameters(channelsLast);
            SplittableRandom seeded = new SplittableRandom(3); // seeded, so that a failure reproduces
            for (int i = 0; i < a.size(); i++) {
                NDArray w = a.get(i).getArray();
                float[] v = w.toFloatArray();
                if (w.getShape().dimension() == 4) { // He-scaled Gaussian weights
                    v = gaussian(seeded, v.length);
                    double std = Math.sqrt(2.0 / (w.getShape().size() / w.getShape().get(0)));
                    for (int k = 0; k < v.length; k++) {
                        v[k] *= (float) std;
                    }
                    EngineArrays.copyInto(w, v);
                }
                EngineArrays.copyInto(b.get(i).getArray(), v);
            }
            assertThat(ChannelsLast.apply(channelsLast)).isEqualTo(3);
            NDArray x = EngineArrays.floats(m, gaussian(new SplittableRandom(2), 16 * 28 * 28), new Shape(16, 1, 28, 28));
            float[] fa = featuresAndGradients(m, rowMajor, x);
            float[] fb = featuresAndGradients(m, channelsLast, x);
            assertThat(fa.length).isEqualTo(16 * 128);
            for (int i = 0; i < fa.length; i++) {
                assertThat((double) fb[i]).as("feature %d", i).isCloseTo(fa[i], within(1e-4 * (1 + Math.abs(fa[i]))));
            }
            List<NDArray> weights = new ArrayList<>();
            List<NDArray> gradients = new ArrayList<>();
            double largest = 0; // the largest gradient of all
            for (Parameter p : a) {
                if (p.requiresGradient()) {
                    largest = Math.max(largest, p.getArray().getGradient().abs().max().getFloat());
                }
            }
            for (int i = 0; i < a.size(); i++) {
                // a bias before BatchNorm has no gradient, only rounding noise
                if (!a.get(i).requiresGradient() || a.get(i).getName().equals("bias")) {
                    continue;
                }
                float[] ga = a.get(i).getArray().getGradient().toFloatArray();
                float[] gb = b.get(i).getArray().getGradient().toFloatArray();
                double difference = 0;
                double norm = 0;
                double scale = 0;
                for (int k = 0; k < ga.length; k++) {
                    difference += ((double) gb[k] - ga[k]) * ((double) gb[k] - ga[k]);
                    norm += (double) ga[k] * ga[k];
                    scale = Math.max(scale, Math.abs(ga[k]));
                }
                if (a.get(i).getArray().getShape().dimension() == 4) {
                    assertThat(scale).as("%s's gradient", a.get(i).getName()).isGreaterThan(1e-2 * largest);
                }
                // ReLU and max pooling have kinks: where the two layouts round an activation to either
                // side of one, a gradient moves by up to 1 % (measured over 60 draws, row-major against
                // float64 too); a weight read in the wrong layout moves it by its own size
                assertThat(Math.sqrt(difference / norm)).as("%s %d's gradient, relative difference", a.get(i).getName(), i)
                        .isLessThan(5e-2);
                if (b.get(i).getArray().getShape().dimension() == 4) {
                    weights.add(b.get(i).getArray());
                    gradients.add(b.get(i).getArray().getGradient());
                }
            }
            List<long[]> ws = ChannelsLast.strides(weights).orElseThrow();
            List<long[]> gs = ChannelsLast.strides(gradients).orElseThrow();
            for (int i = 0; i < ws.size(); i++) {
                assertThat(ws.get(i)[1]).as("weight %d is channels-last", i).isEqualTo(1);
                long[] shape = weights.get(i).getShape().getShape();
                for (int d = 0; d < 4; d++) {
                    if (shape[d] > 1) {
                        assertThat(gs.get(i)[d]).as("gradient %d's stride %d", i, d).isEqualTo(ws.get(i)[d]);
                    }
                }
            }
        }
    }

    /** The features of x in training mode, after which every parameter holds the gradient of Σ features². */
    private static float[] featuresAndGradients(NDManager m, Block block, NDArray x) {
        try (NDManager step = m.newSubManager(); GradientCollector gc = EngineSetup.engine().newGradientCollector()) {
            NDArray in = x.duplicate();
            in.attach(step);
            NDArray f = block.forward(new ParameterStore(step, false), new NDList(in), true).singletonOrThrow();
            gc.backward(f.square().sum());
            return f.toFloatArray();
        }
    }

    private static List<Parameter> parameters(Block block) {
        List<Parameter> out = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            out.add(p.getValue());
        }
        return out;
    }

    private static float[] gaussian(SplittableRandom r, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }
}
