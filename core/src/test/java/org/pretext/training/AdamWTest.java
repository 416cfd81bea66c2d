package org.pretext.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pretext.training.optimizer.AdamW;
import org.pretext.training.optimizer.LearningRateSchedule;

class AdamWTest {
    @ParameterizedTest(name = "fused kernel {0}")
    @ValueSource(booleans = {true, false})
    void twoStepsFollowTheFormula(boolean fused) {
        // f(w) = Σ w², ∇f = 2w. Reference: PyTorch's AdamW — decoupled decay, then Adam with bias
        // correction m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ), w −= η·m̂/(√v̂ + ε).
        double lr = 0.1;
        double wd = 0.01;
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 0.1; // large, so that where ε enters the formula shows in the result
        double[] w = {1.0, -2.0, 0.5};
        double[] m = new double[3];
        double[] v = new double[3];
        try (NDManager manager = NDManager.newBaseManager();
                AdamW opt = new AdamW(b1, b2, eps, wd).useFusedKernel(fused)) {
            Parameter p = weight(manager, new Shape(1, 3));
            p.getArray().set(new float[] {1f, -2f, 0.5f});
            opt.attach(Map.of("w", p), manager);
            for (int t = 1; t <= 2; t++) {
                try (NDManager step = manager.newSubManager();
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray loss = p.getArray().square().sum();
                    gc.backward(loss);
                }
                opt.step(lr, 1.0);
                assertThat(opt.lastUpdateFused()).as("update went through the fused kernel").isEqualTo(fused);
                for (int i = 0; i < 3; i++) {
                    double g = 2 * w[i];
                    w[i] *= 1 - lr * wd;
                    m[i] = b1 * m[i] + (1 - b1) * g;
                    v[i] = b2 * v[i] + (1 - b2) * g * g;
                    double mHat = m[i] / (1 - Math.pow(b1, t));
                    double vHat = v[i] / (1 - Math.pow(b2, t));
                    w[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
                }
                float[] got = p.getArray().toFloatArray();
                for (int i = 0; i < 3; i++) {
                    assertThat((double) got[i]).as("w[%d] after step %d", i, t).isCloseTo(w[i], within(1e-5));
                }
            }
            // the update zeroed the gradient
            assertThat(p.getArray().getGradient().abs().sum().getFloat()).isZero();
        }
    }

    @ParameterizedTest(name = "fused kernel {0}")
    @ValueSource(booleans = {true, false})
    void anUpdateLeavesNoArraysBehind(boolean fused) {
        // every temporary of an update belongs to the update's own scope; the optimizer keeps its moments only
        try (NDManager manager = NDManager.newBaseManager();
                AdamW opt = new AdamW(0.9, 0.999, 1e-8, 0.1).useFusedKernel(fused)) {
            Parameter p = weight(manager, new Shape(4, 3));
            opt.attach(Map.of("w", p), manager);
            int[] counts = new int[3];
            for (int t = 0; t < 3; t++) {
                try (NDManager step = manager.newSubManager();
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray square = p.getArray().square();
                    square.attach(step); // and so its sum: results belong to the first operand's manager
                    gc.backward(square.sum());
                }
                opt.step(0.1, 0.5);
                counts[t] = manager.getManagedArrays().size();
            }
            assertThat(counts[2]).as("arrays held after steps 1, 2, 3: %s", java.util.Arrays.toString(counts))
                    .isEqualTo(counts[0]);
        }
    }

    @ParameterizedTest(name = "fused kernel {0}")
    @ValueSource(booleans = {true, false})
    void gradientScaleClipsTheStep(boolean fused) {
        // with s = 0.5 the first Adam step is unchanged in direction and size (Adam is scale-invariant),
        // but the moments hold the scaled gradient: m₁ = (1−β₁)·s·g.
        try (NDManager manager = NDManager.newBaseManager();
                AdamW opt = new AdamW(0.9, 0.999, 1e-8, 0).useFusedKernel(fused)) {
            Parameter p = weight(manager, new Shape(1, 1));
            p.getArray().set(new float[] {3f});
            opt.attach(Map.of("w", p), manager);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(p.getArray().square().sum());
            }
            assertThat(opt.gradientNorm(manager)).isCloseTo(6.0, within(1e-5));
            opt.step(0.1, 0.5);
            assertThat(opt.lastUpdateFused()).isEqualTo(fused);
            assertThat((double) p.getArray().getFloat()).isCloseTo(2.9, within(1e-5));
            // m₁ = 0.1·0.5·6 = 0.3, v₁ = 0.001·(0.5·6)² = 0.009
            assertThat((double) opt.stateArrays().get(0).getFloat()).isCloseTo(0.3, within(1e-6));
            assertThat((double) opt.stateArrays().get(1).getFloat()).isCloseTo(0.009, within(1e-8));
        }
    }

    @Test
    void warmupCosineSchedule() {
        LearningRateSchedule s = LearningRateSchedule.warmupCosine(1.0, 10, 110, 0.1);
        assertThat(s.at(0)).isCloseTo(0.1, within(1e-12));
        assertThat(s.at(9)).isCloseTo(1.0, within(1e-12));
        assertThat(s.at(10)).isCloseTo(1.0, within(1e-12));
        assertThat(s.at(60)).isCloseTo(0.55, within(1e-12)); // half-way: floor + (1 − floor)/2
        assertThat(s.at(110)).isCloseTo(0.1, within(1e-12));
    }

    /** A float32 weight "w" of a shape, initialised in the manager. */
    private static Parameter weight(NDManager manager, Shape shape) {
        Parameter p = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
        p.setShape(shape);
        p.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32);
        return p;
    }
}
