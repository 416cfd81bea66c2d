package org.pretext.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * Gradients through the constant helpers stay exact when a garbage collection runs between the
 * forward and the backward pass and the freed memory is filled with other numbers: the situation in
 * which DJL's own {@code mul(Number)} reads freed memory.
 */
class ScalarsTest {
    private static final int TRIALS = 20;

    @Test
    void gradientsSurviveAGarbageCollectionBeforeBackward() {
        // d/dx Σ f(x) at x = 2 for each helper, worked out by hand
        assertThat(wrongGradients((x, c) -> Scalars.mul(x, c), 3, 3f)).isZero();
        assertThat(wrongGradients((x, c) -> Scalars.div(x, c), 4, 0.25f)).isZero();
        assertThat(wrongGradients((x, c) -> Scalars.pow(x, c), 3, 12f)).isZero(); // 3·2²
        assertThat(wrongGradients((x, c) -> Scalars.maximum(x, c), 1, 1f)).isZero(); // x > c
        assertThat(wrongGradients((x, c) -> Scalars.minimum(x, c), 5, 1f)).isZero(); // x < c
    }

    private static int wrongGradients(BiFunction<NDArray, Double, NDArray> op, double c, float expected) {
        Engine engine = Engines.engine();
        int wrong = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            for (int t = 0; t < TRIALS; t++) {
                try (NDManager step = m.newSubManager()) {
                    NDArray x = step.full(new Shape(4), 2f);
                    x.setRequiresGradient(true);
                    try (GradientCollector gc = engine.newGradientCollector()) {
                        NDArray y = op.apply(x, c).sum();
                        System.gc();
                        for (int i = 0; i < 2000; i++) {
                            ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putFloat(0, 1e30f);
                        }
                        gc.backward(y);
                    }
                    for (float g : x.getGradient().toFloatArray()) {
                        if (g != expected) {
                            wrong++;
                            break;
                        }
                    }
                }
            }
        }
        return wrong;
    }
}
