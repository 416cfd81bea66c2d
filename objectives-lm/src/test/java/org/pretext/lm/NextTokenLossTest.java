package org.pretext.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pretext.encoders.transformer.PooledSequenceBlock;
import org.pretext.encoders.transformer.TokenTransformer;
import org.pretext.encoders.transformer.TransformerEncoder;
import org.pretext.engine.Engines;
import org.pretext.model.PretextModel;

class NextTokenLossTest {

    @Test
    void lossOfATinyTransformerMatchesTheValueWorkedOutByHand() {
        // V = 2 tokens, D = 2, context 2, one block. All projection weights and biases are zero, so each block
        // adds nothing to the residual stream and h = LayerNorm(E[token] + P[position]) with γ = 1, β = 0.
        // LayerNorm of a 2-vector [u, v] is sign(u − v)·[1, −1] (up to ε = 1e-5).
        // E[0] = [1, 0], E[1] = [0, 1]; P[0] = [0, 0], P[1] = [0, 3].
        // Window [0, 0, 1]: inputs [0, 0], targets [0, 1].
        //   t = 0: E0 + P0 = [1, 0] -> h = [1, −1] -> logits h·Eᵀ = [1, −1] -> p(0) = σ(2)
        //   t = 1: E0 + P1 = [1, 3] -> h = [−1, 1] -> logits [−1, 1]  -> p(1) = σ(2)
        // L = −log σ(2) = log(1 + e^−2) = 0.126928...
        // Without the position embedding t = 1 would give p(1) = σ(−2) and L = 1.126928...
        Device device = Engines.engine().defaultDevice();
        TokenTransformer t = new TokenTransformer(2, 2, 1, 1, 2, 0f, true, -1);
        TransformerEncoder encoder = new TransformerEncoder(t, PooledSequenceBlock.Pooling.LAST);
        CausalLmObjective objective = new CausalLmObjective(0);
        try (PretextModel model = PretextModel.create(encoder, objective, new Shape(3), device, 1)) {
            for (Pair<String, Parameter> p : encoder.block().getParameters()) {
                Parameter.Type type = p.getValue().getType();
                if (type == Parameter.Type.WEIGHT || type == Parameter.Type.BIAS) {
                    NDArray a = p.getValue().getArray();
                    a.subi(a);
                }
            }
            NDArray e = encoder.tokenEmbeddings(model.parameterStore(), device, false);
            e.set(new NDIndex("0, 0"), 1f);
            e.set(new NDIndex("1, 1"), 1f);
            Parameter pos = encoder.block().getParameters().values().stream()
                    .filter(p -> p.getName().equals("positionEmbedding")).findFirst().orElseThrow();
            pos.getArray().set(new NDIndex("1, 1"), 3f);
            try (NDManager step = model.manager().newSubManager()) {
                NDList in = objective.prepare(new org.pretext.data.Batch(
                        org.pretext.data.HostTensor.ofInts(new int[] {0, 0, 1}, new Shape(1, 3)), null),
                        new SplittableRandom(0)).toNDList(step);
                float loss = objective.loss(new LmTestSupport(model, step), in).getFloat();
                assertThat((double) loss).isCloseTo(Math.log(1 + Math.exp(-2)), within(1e-4));
                pos.getArray().set(new NDIndex("1, 1"), 0f);
                float noPos = objective.loss(new LmTestSupport(model, step), in).getFloat();
                assertThat((double) noPos).isCloseTo(
                        (Math.log(1 + Math.exp(-2)) + Math.log(1 + Math.exp(2))) / 2, within(1e-4));
            }
        }
    }

    @Test
    void matchesAPlainLoopAndItsGradientMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(3);
        int b = 2;
        int t = 3;
        int v = 4;
        float[] z = new float[b * t * v];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) (r.nextGaussian() * 2);
        }
        int[] y = {0, 3, 1, 2, 2, 0};
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(z, new Shape(b, t, v));
            logits.setRequiresGradient(true);
            NDArray targets = m.create(y, new Shape(b, t));
            float loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray l = NextTokenLoss.compute(logits, targets);
                gc.backward(l);
                loss = l.getFloat();
            }
            assertThat((double) loss).isCloseTo(reference(z, y, v), within(1e-5));
            assertThat((double) NextTokenLoss.total(logits, targets).getFloat())
                    .isCloseTo(reference(z, y, v) * b * t, within(1e-4));
            float[] grad = logits.getGradient().toFloatArray();
            double h = 1e-3;
            for (int i = 0; i < z.length; i++) {
                float[] plus = z.clone();
                float[] minus = z.clone();
                plus[i] += (float) h;
                minus[i] -= (float) h;
                double numeric = (reference(plus, y, v) - reference(minus, y, v)) / (2 * h);
                assertThat((double) grad[i]).as("dL/dz[%d]", i).isCloseTo(numeric, within(1e-4));
            }
        }
    }

    /** Mean next-token cross-entropy in double precision with loops. */
    static double reference(float[] z, int[] y, int v) {
        double total = 0;
        for (int p = 0; p < y.length; p++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < v; k++) {
                max = Math.max(max, z[p * v + k]);
            }
            double sum = 0;
            for (int k = 0; k < v; k++) {
                sum += Math.exp(z[p * v + k] - max);
            }
            total += -(z[p * v + y[p]] - max - Math.log(sum));
        }
        return total / y.length;
    }
}
