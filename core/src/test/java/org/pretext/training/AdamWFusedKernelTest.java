package org.pretext.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pretext.training.optimizer.AdamW;

/**
 * The fused kernel and the op-by-op path of {@link AdamW} give the same weights and moments over many
 * updates of a small two-layer model, with everything that splits the parameters into kernel calls in
 * play: a learning-rate scale on some tensors, vectors exempt from decay, a clipping scale on some steps
 * (weights to 2e-6 relative; moments, which follow the weights' rounding through the gradients, to 1e-4).
 */
class AdamWFusedKernelTest {
    private static final Map<String, Shape> SHAPES = new LinkedHashMap<>();

    static {
        SHAPES.put("w1", new Shape(6, 5));
        SHAPES.put("b1", new Shape(6));
        SHAPES.put("w2", new Shape(3, 6));
        SHAPES.put("gain", new Shape(3));
    }

    @Test
    void fusedAndOpByOpUpdatesAgreeOverSixtyStepsWithGroups() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, Parameter> a = model(manager);
            Map<String, Parameter> b = model(manager);
            float[] x = inputs(7);
            try (AdamW fused = new AdamW(0.9, 0.95, 1e-6, 0.1, false);
                    AdamW plain = new AdamW(0.9, 0.95, 1e-6, 0.1, false).useFusedKernel(false)) {
                attachWithScales(fused, a, manager);
                attachWithScales(plain, b, manager);
                for (int t = 1; t <= 60; t++) {
                    double lr = 0.01 * (1 + Math.cos(Math.PI * t / 60)) / 2 + 1e-3;
                    double clip = t % 3 == 0 ? 0.6 : 1.0;
                    backward(manager, a, x);
                    backward(manager, b, x);
                    fused.step(lr, clip);
                    plain.step(lr, clip);
                    assertThat(fused.lastUpdateFused()).isTrue();
                    assertThat(plain.lastUpdateFused()).isFalse();
                }
                for (String name : SHAPES.keySet()) {
                    float[] u = a.get(name).getArray().toFloatArray();
                    float[] v = b.get(name).getArray().toFloatArray();
                    float[] start = initial(name);
                    double moved = 0;
                    for (int i = 0; i < u.length; i++) {
                        assertThat((double) u[i]).as("%s[%d]", name, i).isCloseTo(v[i],
                                within(2e-6 * (1 + Math.abs(v[i]))));
                        moved = Math.max(moved, Math.abs(v[i] - start[i]));
                    }
                    assertThat(moved).as("%s moved", name).isGreaterThan(0.05);
                }
                List<NDArray> sf = fused.stateArrays();
                List<NDArray> sp = plain.stateArrays();
                for (int k = 0; k < sf.size(); k++) {
                    float[] u = sf.get(k).toFloatArray();
                    float[] v = sp.get(k).toFloatArray();
                    for (int i = 0; i < u.length; i++) {
                        assertThat((double) u[i]).as("moment %d [%d]", k, i).isCloseTo(v[i],
                                within(1e-4 * (1e-3 + Math.abs(v[i]))));
                    }
                }
                // gradients were zeroed by both
                assertThat(a.get("w1").getArray().getGradient().abs().sum().getFloat()).isZero();
                assertThat(b.get("w1").getArray().getGradient().abs().sum().getFloat()).isZero();
            }
        }
    }

    /** A batch of 4 inputs of 5 features, uniform in [−1, 1). */
    static float[] inputs(long seed) {
        float[] x = new float[4 * 5];
        Random random = new Random(seed);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return x;
    }

    /** Attaches the optimizer with the learning-rate scales both tests use: w2 at 0.5, b1 at 3. */
    static void attachWithScales(AdamW optimizer, Map<String, Parameter> p, NDManager manager) {
        optimizer.attach(p, manager);
        optimizer.setLearningRateScales(Map.of("w2", 0.5, "b1", 3.0));
    }

    /** loss = Σ (gain ⊙ tanh(x·w1ᵀ + b1)·w2ᵀ − 1)², a batch of 4 inputs of 5 features. */
    static void backward(NDManager manager, Map<String, Parameter> p, float[] x) {
        backward(manager, p, x, true);
    }

    /** The same loss, without {@code gain} (which then gets no gradient) unless {@code withGain}. */
    static void backward(NDManager manager, Map<String, Parameter> p, float[] x, boolean withGain) {
        try (NDManager step = manager.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray in = step.create(x, new Shape(4, 5));
            NDArray one = step.ones(new Shape(4, 3));
            NDArray w1t = p.get("w1").getArray().transpose();
            NDArray w2t = p.get("w2").getArray().transpose();
            w1t.attach(step); // a result belongs to its first operand's manager: the model's, unless attached
            w2t.attach(step);
            NDArray h = in.matMul(w1t).add(p.get("b1").getArray()).tanh();
            NDArray y = h.matMul(w2t);
            if (withGain) {
                y = y.mul(p.get("gain").getArray());
            }
            gc.backward(y.sub(one).square().sum());
        }
    }

    static Map<String, Parameter> model(NDManager manager) {
        Map<String, Parameter> p = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : SHAPES.entrySet()) {
            Parameter param = Parameter.builder().setName(e.getKey())
                    .setType(e.getValue().dimension() > 1 ? Parameter.Type.WEIGHT : Parameter.Type.BIAS).build();
            param.setShape(e.getValue());
            param.initialize(manager, DataType.FLOAT32);
            param.getArray().set(initial(e.getKey()));
            p.put(e.getKey(), param);
        }
        return p;
    }

    static float[] initial(String name) {
        Random r = new Random(name.hashCode());
        float[] v = new float[(int) SHAPES.get(name).size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (name.equals("gain") ? 1 + 0.1 * r.nextGaussian() : 0.5 * r.nextGaussian());
        }
        return v;
    }
}
