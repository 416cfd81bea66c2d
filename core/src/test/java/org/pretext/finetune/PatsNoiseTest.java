package org.pretext.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pretext.runtime.EngineArrays;

/** PATS's sensitivities and noise scales against hand-worked numbers; NoisyTune's noise statistics. */
class PatsNoiseTest {
    private static Parameter weight(NDManager manager, float[] values) {
        Parameter p = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
        p.setShape(new Shape(1, values.length));
        p.initialize(manager, DataType.FLOAT32);
        EngineArrays.copyInto(p.getArray(), values);
        return p;
    }

    /** One backward pass of L = ½ Σ c_j w_j², so ∂L/∂w_j = c_j w_j, in its own scope. */
    private static void backward(NDManager manager, Parameter p, float[] c) {
        try (NDManager step = manager.newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray cs = step.create(c);
            NDArray sq = p.getArray().square();
            sq.attach(step);
            gc.backward(sq.mul(cs).sum().div(2f));
        }
    }

    @Test
    void sensitivitiesSmoothedOverTwoStepsAndNoiseScalesMatchAHandWorkedCase() {
        float[] w = {1f, -2f, 0.5f, 3f};
        float[] c = {0.1f, 1f, 2f, 0f};
        // g = c·w = [0.1, −2, 1, 0]; I = |w·g| = [0.1, 4, 0.5, 0]
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter p = weight(manager, w);
            PatsNoise pats = new PatsNoise(0.01, 0.85, Map.of("w", p), manager);
            for (int t = 0; t < 2; t++) {
                backward(manager, p, c);
                try (NDManager step = manager.newSubManager()) {
                    pats.observe(step);
                }
                EngineArrays.zeroGradient(p.getArray());
            }
            // Ī(1) = 0.15·I; Ī(2) = 0.85·0.15·I + 0.15·I = 0.2775·I
            float[] ibar = pats.smoothed("w");
            double[] expected = {0.02775, 1.11, 0.13875, 0};
            for (int j = 0; j < 4; j++) {
                assertThat((double) ibar[j]).as("Ī_%d", j).isCloseTo(expected[j], within(1e-6));
            }
            // r = Ī / max Ī = I / 4 = [0.025, 1, 0.125, 0]; std(w) = √3.171875 = 1.780976;
            // σ = λ·(η/η_max)·std·(1 − r) with λ = 0.01, η/η_max = 0.5
            try (NDManager step = manager.newSubManager()) {
                float[] sigma = pats.scales("w", 0.5, step).toFloatArray();
                double std = Math.sqrt(3.171875);
                double[] r = {0.025, 1, 0.125, 0};
                for (int j = 0; j < 4; j++) {
                    assertThat((double) sigma[j]).as("σ_%d", j).isCloseTo(0.01 * 0.5 * std * (1 - r[j]), within(1e-7));
                }
                // the paper's order: less sensitive, more noise; the most sensitive none
                assertThat(sigma[3]).isGreaterThan(sigma[0]);
                assertThat(sigma[0]).isGreaterThan(sigma[2]);
                assertThat(sigma[2]).isGreaterThan(sigma[1]);
                assertThat(sigma[1]).isZero();
            }
        }
    }

    @Test
    void perturbingFollowsTheScalesAndLeavesNoArraysBehind() {
        // a wide tensor: a few sensitive elements, many insensitive ones
        int n = 20_000;
        float[] w = new float[n];
        float[] c = new float[n];
        for (int j = 0; j < n; j++) {
            w[j] = (j % 7) - 3f;
            c[j] = j < 100 ? 1f : 0f; // only the first 100 elements matter to the loss
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter p = weight(manager, w);
            PatsNoise pats = new PatsNoise(0.1, 0.85, Map.of("w", p), manager);
            Engine.getInstance().setRandomSeed(5);
            int[] counts = new int[4];
            for (int t = 0; t < 4; t++) {
                backward(manager, p, c);
                try (NDManager step = manager.newSubManager()) {
                    pats.observe(step);
                    EngineArrays.zeroGradient(p.getArray());
                    if (t == 3) {
                        EngineArrays.copyInto(p.getArray(), w); // measure one perturbation from the known weights
                    }
                    pats.perturb(1.0, step);
                }
                counts[t] = manager.getManagedArrays().size();
            }
            assertThat(counts[3]).as("arrays held after steps: %s", java.util.Arrays.toString(counts))
                    .isEqualTo(counts[0]);
            float[] after = p.getArray().toFloatArray();
            double std = 0;
            double mean = 0;
            for (float v : w) {
                mean += v / (double) n;
            }
            for (float v : w) {
                std += (v - mean) * (v - mean) / n;
            }
            std = Math.sqrt(std);
            double insensitiveSq = 0;
            int insensitive = 0;
            for (int j = 100; j < n; j++) {
                double d = after[j] - w[j];
                insensitiveSq += d * d;
                insensitive++;
            }
            double rms = Math.sqrt(insensitiveSq / insensitive);
            // elements the loss ignores have Ī = 0, r = 0: σ = λ·std(W)
            assertThat(rms).isCloseTo(0.1 * std, within(0.1 * std * 0.03));
            // the most sensitive elements (|w| = 3 among the first 100) move the least
            double sensitiveMax = 0;
            for (int j = 0; j < 100; j++) {
                if (Math.abs(w[j]) == 3f) {
                    sensitiveMax = Math.max(sensitiveMax, Math.abs(after[j] - w[j]));
                }
            }
            assertThat(sensitiveMax).isZero();
        }
    }

    @Test
    void noisyTunesUniformNoiseHasTheWidthOfLambdaStandardDeviations() {
        int n = 100_000;
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(11);
            float[] w = manager.randomNormal(1f, 2f, new Shape(n), DataType.FLOAT32).toFloatArray();
            Parameter p = weight(manager, w);
            Parameter ones = Parameter.builder().setName("gain").setType(Parameter.Type.GAMMA).build();
            ones.setShape(new Shape(8));
            ones.initialize(manager, DataType.FLOAT32);
            EngineArrays.copyInto(ones.getArray(), new float[] {1, 1, 1, 1, 1, 1, 1, 1});
            try (NDManager scratch = manager.newSubManager()) {
                UniformNoise.perturb(Map.of("w", p, "gain", ones), 0.15, scratch);
            }
            float[] after = p.getArray().toFloatArray();
            double mean = 0;
            for (float v : w) {
                mean += v / (double) n;
            }
            double var = 0;
            for (float v : w) {
                var += (v - mean) * (v - mean) / n;
            }
            double std = Math.sqrt(var);
            double half = 0.15 / 2 * std;
            double sum = 0;
            double sq = 0;
            double lo = Double.MAX_VALUE;
            double hi = -Double.MAX_VALUE;
            for (int j = 0; j < n; j++) {
                double d = after[j] - w[j];
                sum += d;
                sq += d * d;
                lo = Math.min(lo, d);
                hi = Math.max(hi, d);
            }
            // U(−λ/2·std, λ/2·std): bounded, mean 0, variance (λ·std)²/12
            assertThat(hi).isLessThanOrEqualTo(half * (1 + 1e-5)).isGreaterThan(half * 0.99);
            assertThat(lo).isGreaterThanOrEqualTo(-half * (1 + 1e-5)).isLessThan(-half * 0.99);
            assertThat(sum / n).isCloseTo(0, within(half * 0.02));
            assertThat(Math.sqrt(sq / n)).isCloseTo(0.15 * std / Math.sqrt(12), within(0.15 * std / Math.sqrt(12) * 0.01));
            assertThat(ones.getArray().toFloatArray()).as("std 0: unchanged").containsOnly(1f);
        }
    }
}
