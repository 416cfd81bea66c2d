package org.pretext.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link FusedAttention} gives the values and the gradients (to Q, K and V) of the op-by-op formula
 * softmax(Q·Kᵀ/√d + M)·V, without a bias, with a causal bias and with a key-padding bias.
 */
class FusedAttentionTest {
    private static final int B = 2;
    private static final int H = 3;
    private static final int T = 5;
    private static final int D = 4;

    @Test
    void matchesTheFormulaAndItsGradients() {
        EngineSetup.engine();
        FusedAttention fused = FusedAttention.get().orElseThrow();
        try (NDManager m = NDManager.newBaseManager()) {
            float[] causal = new float[T * T];
            for (int q = 0; q < T; q++) {
                for (int k = q + 1; k < T; k++) {
                    causal[q * T + k] = -1e9f;
                }
            }
            float[] padding = new float[B * T];
            for (int k = 3; k < T; k++) {
                padding[T + k] = -1e9f; // the second sequence has 3 real keys
            }
            NDArray[] biases = {null, m.create(causal, new Shape(1, 1, T, T)), m.create(padding, new Shape(B, 1, 1, T))};
            for (NDArray bias : biases) {
                Result a = run(m, bias, (qkv) -> fused.attend(qkv[0], qkv[1], qkv[2], bias));
                Result b = run(m, bias, (qkv) -> formula(qkv[0], qkv[1], qkv[2], bias));
                for (int i = 0; i < 4; i++) {
                    float[] x = a.arrays[i];
                    float[] y = b.arrays[i];
                    assertThat(x).hasSameSizeAs(y);
                    double scale = 0;
                    for (float v : y) {
                        scale = Math.max(scale, Math.abs(v));
                    }
                    assertThat(scale).as("output and gradients are not all zero").isGreaterThan(1e-3);
                    for (int j = 0; j < x.length; j++) {
                        assertThat((double) x[j]).as("array %d (output, dQ, dK, dV) element %d, bias %s", i, j,
                                bias == null ? "none" : bias.getShape()).isCloseTo(y[j], within(2e-6 * (1 + scale)));
                    }
                }
            }
        }
    }

    private record Result(float[][] arrays) {}

    /** Output and gradients of sum(attention(q, k, v) ⊙ w) for fixed random q, k, v, w. */
    private static Result run(NDManager m, NDArray bias, Function<NDArray[], NDArray> attention) {
        SplittableRandom r = new SplittableRandom(11);
        try (NDManager step = m.newSubManager()) {
            NDArray[] qkv = new NDArray[3];
            for (int i = 0; i < 3; i++) {
                qkv[i] = step.create(gaussian(r, B * H * T * D), new Shape(B, H, T, D));
                qkv[i].setRequiresGradient(true);
            }
            NDArray w = step.create(gaussian(r, B * H * T * D), new Shape(B, H, T, D));
            float[] out;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = attention.apply(qkv);
                out = y.toFloatArray();
                gc.backward(y.mul(w).sum());
            }
            return new Result(new float[][] {out, qkv[0].getGradient().toFloatArray(),
                qkv[1].getGradient().toFloatArray(), qkv[2].getGradient().toFloatArray()});
        }
    }

    private static NDArray formula(NDArray q, NDArray k, NDArray v, NDArray bias) {
        NDArray scores = org.pretext.engine.Scalars.mul(q, 1.0 / Math.sqrt(D)).matMul(k.transpose(0, 1, 3, 2));
        if (bias != null) {
            scores = scores.add(bias);
        }
        return scores.softmax(-1).matMul(v);
    }

    private static float[] gaussian(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian());
        }
        return a;
    }
}
