package org.pretext.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pretext.blocks.EmaTarget;
import org.pretext.training.optimizer.AdamW;

/**
 * Channels-last weights: re-strided in place with their values kept; a two-convolution model trained
 * channels-last by the fused AdamW kernel follows the same model trained row-major op by op, weights
 * and moments (the kernel walks weights, gradients and moments by memory offset: moments of another
 * layout would hold their values at other indices than the op-by-op path and a checkpoint expect);
 * weights re-strided after the optimizer was attached are updated op by op; an EMA target takes its
 * online weights' layout.
 */
class ChannelsLastTest {
    private static final Map<String, Shape> SHAPES = new LinkedHashMap<>();

    static {
        SHAPES.put("conv1", new Shape(8, 1, 3, 3));
        SHAPES.put("bias1", new Shape(8));
        SHAPES.put("conv2", new Shape(16, 8, 3, 3));
    }

    @BeforeAll
    static void theModuleIsOn() {
        EngineSetup.engine();
        assumeTrue(ChannelsLast.get().isPresent(), "channels-last is off (-Dpretext.channelsLast=false)");
    }

    @Test
    void fourDimensionalArraysAreReStridedInPlaceWithTheirValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, Parameter> p = model(m);
            NDArray matrix = m.arange(12f).reshape(3, 4);
            List<NDArray> arrays = List.of(p.get("conv1").getArray(), p.get("bias1").getArray(),
                    p.get("conv2").getArray(), matrix);
            List<float[]> before = arrays.stream().map(NDArray::toFloatArray).toList();
            assertThat(ChannelsLast.strides(arrays).orElseThrow()).containsExactly(new long[] {9, 9, 3, 1},
                    new long[] {1}, new long[] {72, 9, 3, 1}, new long[] {4, 1});

            assertThat(ChannelsLast.apply(arrays)).isEqualTo(2);
            // the one-channel weight too: its channel axis's stride becomes 1
            assertThat(ChannelsLast.strides(arrays).orElseThrow()).containsExactly(new long[] {9, 1, 3, 1},
                    new long[] {1}, new long[] {72, 1, 24, 8}, new long[] {4, 1});
            for (int i = 0; i < arrays.size(); i++) {
                assertThat(arrays.get(i).toFloatArray()).as("values of array %d", i).containsExactly(before.get(i));
            }
            assertThat(ChannelsLast.isChannelsLast(new long[] {16, 8, 3, 3}, new long[] {72, 1, 24, 8})).isTrue();
            assertThat(ChannelsLast.isChannelsLast(new long[] {16, 8, 3, 3}, new long[] {72, 9, 3, 1})).isFalse();
            assertThat(ChannelsLast.apply(arrays)).as("again: already laid out").isEqualTo(2);
            assertThat(ChannelsLast.strides(arrays).orElseThrow().get(2)).containsExactly(72, 1, 24, 8);
        }
    }

    @Test
    void theFusedUpdateOfChannelsLastWeightsFollowsTheRowMajorOpByOpOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, Parameter> a = model(m);
            Map<String, Parameter> b = model(m);
            ChannelsLast.apply(a.values().stream().map(Parameter::getArray).toList());
            NDArray x = EngineArrays.floats(m, gaussian(new SplittableRandom(3), 4 * 10 * 10), new Shape(4, 1, 10, 10));
            NDArray target = EngineArrays.floats(m, gaussian(new SplittableRandom(4), 4 * 16 * 6 * 6),
                    new Shape(4, 16, 6, 6));
            try (AdamW fused = new AdamW(0.9, 0.95, 1e-6, 0.1);
                    AdamW plain = new AdamW(0.9, 0.95, 1e-6, 0.1).useFusedKernel(false)) {
                fused.attach(a, m);
                plain.attach(b, m);
                for (int t = 1; t <= 10; t++) {
                    backward(m, a, x, target);
                    backward(m, b, x, target);
                    fused.step(0.01, 1);
                    plain.step(0.01, 1);
                    assertThat(fused.lastUpdateFused()).isTrue();
                }
                List<NDArray> weights = a.values().stream().map(Parameter::getArray).toList();
                List<long[]> w = ChannelsLast.strides(weights).orElseThrow();
                List<long[]> moments = ChannelsLast.strides(fused.stateArrays()).orElseThrow();
                for (int i = 0; i < weights.size(); i++) {
                    assertThat(moments.get(2 * i)).as("first moment of %d", i).containsExactly(w.get(i));
                    assertThat(moments.get(2 * i + 1)).as("second moment of %d", i).containsExactly(w.get(i));
                }
                assertThat(w.get(2)).containsExactly(72, 1, 24, 8);
                assertClose(a, b, 10);
                // and the moments, element by element: a moment of another layout than its weight would be
                // walked in the weight's memory order, its values landing on other indices
                List<NDArray> sf = fused.stateArrays();
                List<NDArray> sp = plain.stateArrays();
                for (int k = 0; k < sf.size(); k++) {
                    float[] u = sf.get(k).toFloatArray();
                    float[] v = sp.get(k).toFloatArray();
                    for (int i = 0; i < u.length; i++) {
                        assertThat((double) u[i]).as("moment %d [%d]", k, i).isCloseTo(v[i],
                                within(1e-3 * (1e-3 + Math.abs(v[i]))));
                    }
                }
            }
        }
    }

    @Test
    void weightsReStridedAfterTheOptimizerWasAttachedAreUpdatedOpByOpAndStillRight() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, Parameter> a = model(m);
            Map<String, Parameter> b = model(m);
            NDArray x = EngineArrays.floats(m, gaussian(new SplittableRandom(5), 4 * 10 * 10), new Shape(4, 1, 10, 10));
            NDArray target = EngineArrays.floats(m, gaussian(new SplittableRandom(6), 4 * 16 * 6 * 6),
                    new Shape(4, 16, 6, 6));
            try (AdamW late = new AdamW(0.9, 0.95, 1e-6, 0.1);
                    AdamW plain = new AdamW(0.9, 0.95, 1e-6, 0.1).useFusedKernel(false)) {
                late.attach(a, m); // row-major moments
                plain.attach(b, m);
                ChannelsLast.apply(a.values().stream().map(Parameter::getArray).toList());
                for (int t = 1; t <= 3; t++) {
                    backward(m, a, x, target);
                    backward(m, b, x, target);
                    late.step(0.01, 1);
                    plain.step(0.01, 1);
                    assertThat(late.lastUpdateFused()).as("fused with moments of another layout").isFalse();
                }
                assertClose(a, b, 3);
            }
        }
    }

    @Test
    void anEmaTargetTakesItsOnlineWeightsLayoutAndValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            Convs online = new Convs();
            Convs target = new Convs();
            online.initialize(m, DataType.FLOAT32, new Shape(2, 1, 10, 10));
            target.initialize(m, DataType.FLOAT32, new Shape(2, 1, 10, 10));
            ChannelsLast.apply(online);
            EmaTarget ema = new EmaTarget();
            ema.track("encoder", online, target);
            List<NDArray> on = online.getParameters().values().stream().map(Parameter::getArray).toList();
            List<NDArray> tg = target.getParameters().values().stream().map(Parameter::getArray).toList();
            assertThat(ChannelsLast.strides(tg).orElseThrow().get(0)).containsExactly(9, 1, 3, 1);
            assertThat(ChannelsLast.strides(tg).orElseThrow().get(2)).containsExactly(72, 1, 24, 8);
            for (int i = 0; i < on.size(); i++) {
                assertThat(tg.get(i).toFloatArray()).containsExactly(on.get(i).toFloatArray());
            }
            ema.update(0.5); // ξ ← (ξ − θ)·m + θ = θ while ξ = θ
            for (int i = 0; i < on.size(); i++) {
                assertThat(tg.get(i).toFloatArray()).containsExactly(on.get(i).toFloatArray());
            }
        }
    }

    /** Weights to 1e-4 (float32 sums in another order, compounded through Adam's steps), each moved by far more. */
    private static void assertClose(Map<String, Parameter> a, Map<String, Parameter> b, int steps) {
        for (String name : SHAPES.keySet()) {
            float[] u = a.get(name).getArray().toFloatArray();
            float[] v = b.get(name).getArray().toFloatArray();
            float[] start = initial(name);
            double moved = 0;
            for (int i = 0; i < u.length; i++) {
                assertThat((double) u[i]).as("%s[%d]", name, i).isCloseTo(v[i], within(1e-4 * (1 + Math.abs(v[i]))));
                moved = Math.max(moved, Math.abs(v[i] - start[i]));
            }
            assertThat(moved).as("%s moved", name).isGreaterThan(0.005 * steps);
        }
    }

    /** loss = Σ (conv2(tanh(conv1(x) + b1)) − target)², 10×10 images, no padding. */
    private static void backward(NDManager m, Map<String, Parameter> p, NDArray x, NDArray target) {
        try (NDManager step = m.newSubManager(); GradientCollector gc = EngineSetup.engine().newGradientCollector()) {
            NDArray in = x.duplicate();
            in.attach(step); // results belong to their first operand's manager: this step's
            NDArray h = conv(in, p.get("conv1").getArray(), p.get("bias1").getArray()).tanh();
            NDArray y = conv(h, p.get("conv2").getArray(), null);
            gc.backward(y.sub(target).square().sum());
        }
    }

    /** A 3×3 convolution, stride 1, no padding. */
    private static NDArray conv(NDArray x, NDArray w, NDArray bias) {
        return Conv2d.conv2d(x, w, bias, new Shape(1, 1), new Shape(0, 0), new Shape(1, 1), 1).head();
    }

    private static Map<String, Parameter> model(NDManager manager) {
        Map<String, Parameter> p = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : SHAPES.entrySet()) {
            Parameter param = Parameter.builder().setName(e.getKey())
                    .setType(e.getValue().dimension() > 1 ? Parameter.Type.WEIGHT : Parameter.Type.BIAS).build();
            param.setShape(e.getValue());
            param.initialize(manager, DataType.FLOAT32);
            EngineArrays.copyInto(param.getArray(), initial(e.getKey()));
            p.put(e.getKey(), param);
        }
        return p;
    }

    private static float[] initial(String name) {
        float[] v = gaussian(new SplittableRandom(name.hashCode()), (int) SHAPES.get(name).size());
        for (int i = 0; i < v.length; i++) {
            v[i] *= 0.3f;
        }
        return v;
    }

    private static float[] gaussian(SplittableRandom r, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    /** The two convolutions as a block, for the EMA target. */
    private static final class Convs extends AbstractBlock {
        private final Parameter conv1 = addParameter(Parameter.builder().setName("conv1")
                .setType(Parameter.Type.WEIGHT).optShape(SHAPES.get("conv1")).build());
        private final Parameter bias1 = addParameter(Parameter.builder().setName("bias1")
                .setType(Parameter.Type.BIAS).optShape(SHAPES.get("bias1")).build());
        private final Parameter conv2 = addParameter(Parameter.builder().setName("conv2")
                .setType(Parameter.Type.WEIGHT).optShape(SHAPES.get("conv2")).build());

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                PairList<String, Object> params) {
            NDArray h = conv(inputs.head(), store.getValue(conv1, inputs.head().getDevice(), training),
                    store.getValue(bias1, inputs.head().getDevice(), training)).tanh();
            return new NDList(conv(h, store.getValue(conv2, h.getDevice(), training), null));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            Shape s = inputShapes[0];
            return new Shape[] {new Shape(s.get(0), 16, s.get(2) - 4, s.get(3) - 4)};
        }
    }
}
