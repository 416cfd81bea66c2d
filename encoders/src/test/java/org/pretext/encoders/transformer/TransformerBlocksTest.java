package org.pretext.encoders.transformer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pretext.runtime.EngineSetup;
import org.pretext.engine.Engines;

class TransformerBlocksTest {
    private static final int V = 11;
    private static final int T = 6;

    @org.junit.jupiter.api.BeforeAll
    static void oneThread() {
        EngineSetup.configureThreads(1); // tiny models: op overhead dominates; one thread avoids OpenMP contention
    }

    @Test
    void causalMaskLeaksNothingFromTheFuture() {
        // Changing token t+1 must leave every hidden state at positions <= t unchanged; positions
        // > t (which see the change) must move, so the test would notice a model that ignores input.
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice())) {
            Engines.engine().setRandomSeed(7);
            TransformerEncoder enc = TransformerEncoder.create(V, T, 2, 2, 8, 0f, true, -1);
            enc.block().initialize(m, DataType.FLOAT32, new Shape(2, T));
            ParameterStore store = new ParameterStore(m, false);
            int[] base = {3, 1, 4, 1, 5, 9};
            for (int changed = 1; changed < T; changed++) {
                int[] other = base.clone();
                other[changed] = (base[changed] + 4) % V;
                float[] a = hidden(enc, store, m, base);
                float[] b = hidden(enc, store, m, other);
                int d = enc.hiddenSize();
                for (int pos = 0; pos < T; pos++) {
                    double diff = maxAbsDiff(a, b, pos * d, (pos + 1) * d);
                    if (pos < changed) {
                        assertThat(diff).as("position %d after changing token %d", pos, changed).isZero();
                    } else {
                        assertThat(diff).as("position %d after changing token %d", pos, changed).isGreaterThan(1e-4);
                    }
                }
            }
        }
    }

    @Test
    void bidirectionalModelSeesTheFutureButNotPadding() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engines.engine().setRandomSeed(8);
            int pad = 0;
            TransformerEncoder enc = TransformerEncoder.create(V, T, 2, 2, 8, 0f, false, pad);
            enc.block().initialize(m, DataType.FLOAT32, new Shape(2, T));
            ParameterStore store = new ParameterStore(m, false);
            int d = enc.hiddenSize();
            float[] a = hidden(enc, store, m, new int[] {3, 1, 4, 1, 5, 9});
            float[] b = hidden(enc, store, m, new int[] {3, 1, 4, 1, 5, 2});
            assertThat(maxAbsDiff(a, b, 0, d)).as("position 0 sees the last token").isGreaterThan(1e-4);
            // Real tokens must not see padding: the same three tokens padded differently agree.
            float[] p1 = hidden(enc, store, m, new int[] {3, 1, 4, pad, pad, pad});
            float[] p2 = hidden(enc, store, m, new int[] {3, 1, 4, pad, pad});
            float[] shortSeq = hidden(enc, store, m, new int[] {3, 1, 4});
            assertThat(maxAbsDiff(p1, p2, 0, 3 * d)).isZero();
            assertThat(maxAbsDiff(p1, shortSeq, 0, 3 * d)).isLessThan(1e-5);
        }
    }

    @Test
    void attentionMatchesAPlainLoopWithAndWithoutMask() {
        SplittableRandom r = new SplittableRandom(5);
        int b = 2;
        int t = 4;
        int d = 6;
        int heads = 3;
        float[] x = gaussian(r, b * t * d, 1);
        float[] wqkv = gaussian(r, 3 * d * d, 0.4);
        float[] bqkv = gaussian(r, 3 * d, 0.1);
        float[] wo = gaussian(r, d * d, 0.4);
        float[] bo = gaussian(r, d, 0.1);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray xs = m.create(x, new Shape(b, t, d));
            NDArray[] w = {m.create(wqkv, new Shape(3 * d, d)), m.create(bqkv, new Shape(3 * d)),
                    m.create(wo, new Shape(d, d)), m.create(bo, new Shape(d))};
            float[] plain = MultiHeadSelfAttention.attend(xs, null, w[0], w[1], w[2], w[3], heads, 0f).toFloatArray();
            float[] causal = MultiHeadSelfAttention.attend(xs, AttentionMask.causal(m, t), w[0], w[1], w[2], w[3],
                    heads, 0f).toFloatArray();
            int[] lengths = {4, 2};
            float[] padded = MultiHeadSelfAttention.attend(xs, AttentionMask.keyPadding(m, lengths, t), w[0], w[1],
                    w[2], w[3], heads, 0f).toFloatArray();
            double[] refPlain = reference(x, wqkv, bqkv, wo, bo, b, t, d, heads, (bi, q, k) -> true);
            double[] refCausal = reference(x, wqkv, bqkv, wo, bo, b, t, d, heads, (bi, q, k) -> k <= q);
            double[] refPad = reference(x, wqkv, bqkv, wo, bo, b, t, d, heads, (bi, q, k) -> k < lengths[bi]);
            float[] noBias = MultiHeadSelfAttention.attend(xs, null, w[0], null, w[2], null, heads, 0f).toFloatArray();
            double[] refNoBias = reference(x, wqkv, new float[3 * d], wo, new float[d], b, t, d, heads,
                    (bi, q, k) -> true);
            for (int i = 0; i < plain.length; i++) {
                assertThat((double) plain[i]).isCloseTo(refPlain[i], within(1e-5));
                assertThat((double) causal[i]).isCloseTo(refCausal[i], within(1e-5));
                assertThat((double) padded[i]).isCloseTo(refPad[i], within(1e-5));
                assertThat((double) noBias[i]).isCloseTo(refNoBias[i], within(1e-5));
            }
        }
    }

    @Test
    void parameterCountFollowsTheGptFormula() {
        // Per block 12·D² + 13·D (QKV 3D²+3D, output D²+D, MLP 8D²+5D, two LayerNorms 4D), final
        // LayerNorm 2D, token table V·D, position table T·D.
        try (NDManager m = NDManager.newBaseManager()) {
            int layers = 3;
            int d = 16;
            TransformerEncoder enc = TransformerEncoder.create(V, T, layers, 4, d, 0.1f, true, -1);
            enc.block().initialize(m, DataType.FLOAT32, new Shape(2, T));
            long n = 0;
            for (Pair<String, Parameter> p : enc.block().getParameters()) {
                n += p.getValue().getArray().getShape().size();
            }
            assertThat(n).isEqualTo(layers * (12L * d * d + 13L * d) + 2L * d + (long) V * d + (long) T * d);
            // without biases (nanoGPT): no linear biases, LayerNorm shifts fixed at 0 (not trained)
            TokenTransformer noBias = new TokenTransformer(V, T, layers, 4, d, 0f, true, -1, false);
            noBias.initialize(m, DataType.FLOAT32, new Shape(2, T));
            long trainable = 0;
            for (Pair<String, Parameter> p : noBias.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    trainable += p.getValue().getArray().getShape().size();
                }
            }
            assertThat(trainable).isEqualTo(layers * (12L * d * d + 2L * d) + d + (long) V * d + (long) T * d);
            NDArray e = enc.tokenEmbeddings(new ParameterStore(m, false), m.getDevice(), false);
            assertThat(e.getShape()).isEqualTo(new Shape(V, d));
            float std = e.sub(e.mean()).square().mean().sqrt().getFloat();
            assertThat(std).isCloseTo(0.02f, within(0.006f));
        }
    }

    @Test
    void pooledFeaturesAreTheLastRealTokenOrTheMean() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engines.engine().setRandomSeed(9);
            int pad = 0;
            TransformerEncoder enc = TransformerEncoder.create(V, T, 1, 2, 8, 0f, true, pad);
            enc.block().initialize(m, DataType.FLOAT32, new Shape(2, T));
            ParameterStore store = new ParameterStore(m, false);
            NDArray tokens = m.create(new int[] {3, 1, 4, pad, pad, pad, 2, 7, 1, 8, 2, 8}, new Shape(2, T));
            NDArray h = enc.hiddenStates(store, tokens, false);
            float[] last = enc.block().forward(store, new NDList(tokens), false).singletonOrThrow().toFloatArray();
            float[] hs = h.toFloatArray();
            int d = 8;
            for (int k = 0; k < d; k++) {
                assertThat(last[k]).isCloseTo(hs[2 * d + k], within(1e-6f));
                assertThat(last[d + k]).isCloseTo(hs[(T + 5) * d + k], within(1e-6f));
            }
            float[] mean = PooledSequenceBlock.pool(h, tokens, pad, PooledSequenceBlock.Pooling.MEAN).toFloatArray();
            for (int k = 0; k < d; k++) {
                float expected = (hs[k] + hs[d + k] + hs[2 * d + k]) / 3;
                assertThat(mean[k]).isCloseTo(expected, within(1e-6f));
            }
        }
    }

    @Test
    void stackRunsOnPatchEmbeddingsAtGatheredPositions() {
        // The ViT/MAE use: embeddings that are not tokens, learned positions looked up for the visible
        // patches only. Adding P[positions] must equal adding the matching rows of the table.
        try (NDManager m = NDManager.newBaseManager()) {
            Engines.engine().setRandomSeed(10);
            int d = 8;
            LearnedPositions pos = new LearnedPositions(T, d);
            TransformerStack stack = new TransformerStack(2, d, 2, 4, 0f);
            pos.initialize(m, DataType.FLOAT32, new Shape(2, 3, d));
            stack.initialize(m, DataType.FLOAT32, new Shape(2, 3, d));
            ParameterStore store = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(2, 3, d));
            NDArray visible = m.create(new int[] {0, 2, 5, 1, 3, 4}, new Shape(2, 3));
            NDArray withPos = pos.forward(store, new NDList(x, visible), false).singletonOrThrow();
            float[] table = pos.table(store, m.getDevice(), false).toFloatArray();
            float[] xs = x.toFloatArray();
            float[] got = withPos.toFloatArray();
            int[] idx = {0, 2, 5, 1, 3, 4};
            for (int i = 0; i < 6; i++) {
                for (int k = 0; k < d; k++) {
                    assertThat(got[i * d + k]).isCloseTo(xs[i * d + k] + table[idx[i] * d + k], within(1e-6f));
                }
            }
            NDArray h = stack.forward(store, new NDList(withPos), false).singletonOrThrow();
            assertThat(h.getShape()).isEqualTo(new Shape(2, 3, d));
            // final LayerNorm with γ = 1, β = 0: every position has mean 0 and variance 1
            assertThat(h.mean(new int[] {2}).abs().max().getFloat()).isLessThan(1e-5f);
        }
    }

    @Test
    void dropoutActsInTrainingOnly() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engines.engine().setRandomSeed(11);
            TransformerEncoder enc = TransformerEncoder.create(V, T, 1, 2, 8, 0.5f, true, -1);
            enc.block().initialize(m, DataType.FLOAT32, new Shape(2, T));
            ParameterStore store = new ParameterStore(m, false);
            NDArray x = m.create(new int[] {3, 1, 4, 1, 5, 9}, new Shape(1, T));
            float[] e1 = enc.hiddenStates(store, x, false).toFloatArray();
            float[] e2 = enc.hiddenStates(store, x, false).toFloatArray();
            float[] t1 = enc.hiddenStates(store, x, true).toFloatArray();
            assertThat(maxAbsDiff(e1, e2, 0, e1.length)).isZero();
            assertThat(maxAbsDiff(e1, t1, 0, e1.length)).isGreaterThan(1e-3);
        }
    }

    private static float[] hidden(TransformerEncoder enc, ParameterStore store, NDManager m, int[] tokens) {
        try (NDManager s = m.newSubManager()) {
            NDArray x = s.create(tokens, new Shape(1, tokens.length));
            return enc.hiddenStates(store, x, false).toFloatArray();
        }
    }

    private static double maxAbsDiff(float[] a, float[] b, int from, int to) {
        double max = 0;
        for (int i = from; i < to; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private static float[] gaussian(SplittableRandom r, int n, double sd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * sd);
        }
        return v;
    }

    interface Allowed {
        boolean test(int batch, int query, int key);
    }

    /** Multi-head attention in double precision with explicit loops. */
    static double[] reference(float[] x, float[] wqkv, float[] bqkv, float[] wo, float[] bo, int b, int t, int d,
            int heads, Allowed allowed) {
        int dh = d / heads;
        double[] out = new double[b * t * d];
        for (int bi = 0; bi < b; bi++) {
            double[][] qkv = new double[t][3 * d];
            for (int ti = 0; ti < t; ti++) {
                for (int o = 0; o < 3 * d; o++) {
                    double s = bqkv[o];
                    for (int i = 0; i < d; i++) {
                        s += wqkv[o * d + i] * (double) x[(bi * t + ti) * d + i];
                    }
                    qkv[ti][o] = s;
                }
            }
            double[][] y = new double[t][d];
            for (int h = 0; h < heads; h++) {
                for (int q = 0; q < t; q++) {
                    double[] w = new double[t];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < t; k++) {
                        if (!allowed.test(bi, q, k)) {
                            w[k] = Double.NEGATIVE_INFINITY;
                            continue;
                        }
                        double s = 0;
                        for (int c = 0; c < dh; c++) {
                            s += qkv[q][h * dh + c] * qkv[k][d + h * dh + c];
                        }
                        w[k] = s / Math.sqrt(dh);
                        max = Math.max(max, w[k]);
                    }
                    double z = 0;
                    for (int k = 0; k < t; k++) {
                        w[k] = Math.exp(w[k] - max);
                        z += w[k];
                    }
                    for (int k = 0; k < t; k++) {
                        for (int c = 0; c < dh; c++) {
                            y[q][h * dh + c] += w[k] / z * qkv[k][2 * d + h * dh + c];
                        }
                    }
                }
            }
            for (int ti = 0; ti < t; ti++) {
                for (int o = 0; o < d; o++) {
                    double s = bo[o];
                    for (int i = 0; i < d; i++) {
                        s += wo[o * d + i] * y[ti][i];
                    }
                    out[(bi * t + ti) * d + o] = s;
                }
            }
        }
        return out;
    }
}
