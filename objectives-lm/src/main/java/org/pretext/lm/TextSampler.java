package org.pretext.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.pretext.PretextException;
import org.pretext.encoder.TokenEmbeddings;
import org.pretext.text.Tokenizer;

/**
 * Samples text from a causal language model, for a sanity look: at each step the last
 * {@code context} tokens are run through the encoder, the last position's logits are divided by
 * the temperature, all but the top k are dropped, and a token is drawn from the softmax with a
 * seeded random stream (temperature 0: the most likely token). Special tokens are never drawn.
 *
 * @param encoder a causal encoder with tied output embeddings
 * @param store the store it runs with
 * @param tokenizer its tokenizer
 */
public record TextSampler(TokenEmbeddings encoder, ParameterStore store, Tokenizer tokenizer) {
    public TextSampler {
        CausalLmObjective.check(encoder);
    }

    /**
     * Continues a prompt by {@code tokens} tokens and returns prompt + continuation.
     *
     * @param prompt the text to continue; empty starts from a newline
     * @param temperature softmax temperature (0: greedy)
     * @param topK sample among the k most likely tokens (0: all)
     */
    public String sample(String prompt, int tokens, double temperature, int topK, long seed) {
        if (temperature < 0 || topK < 0 || tokens < 0) {
            throw new PretextException("Sampling needs temperature >= 0, top-k >= 0 and tokens >= 0; got temperature "
                    + temperature + ", top-k " + topK + ", tokens " + tokens);
        }
        int[] start = tokenizer.encode(prompt.isEmpty() ? "\n" : prompt);
        int[] seq = Arrays.copyOf(start, start.length + tokens);
        int n = start.length;
        int context = (int) encoder.inputShape().get(0);
        SplittableRandom random = new SplittableRandom(seed);
        ai.djl.Device device = encoder.block().getParameters().valueAt(0).getArray().getDevice();
        try (NDManager manager = NDManager.newBaseManager(device)) {
            for (int i = 0; i < tokens; i++) {
                int from = Math.max(0, n - context);
                float[] logits;
                try (NDManager step = manager.newSubManager()) {
                    NDArray x = step.create(Arrays.copyOfRange(seq, from, n), new Shape(1, n - from));
                    NDArray h = encoder.hiddenStates(store, x, false).get(new NDIndex(":, -1, :"));
                    logits = Linear.linear(h, encoder.tokenEmbeddings(store, h.getDevice(), false)).singletonOrThrow()
                            .toFloatArray();
                }
                seq[n++] = draw(logits, temperature, topK, random);
            }
        }
        return tokenizer.decode(seq);
    }

    /** Draws a non-special token id from logits with temperature and top-k. */
    int draw(float[] logits, double temperature, int topK, SplittableRandom random) {
        double[] z = new double[logits.length];
        for (int i = 0; i < z.length; i++) {
            z[i] = tokenizer.isSpecial(i) ? Double.NEGATIVE_INFINITY : logits[i];
        }
        if (temperature == 0) {
            int best = 0;
            for (int i = 1; i < z.length; i++) {
                if (z[i] > z[best]) {
                    best = i;
                }
            }
            return best;
        }
        if (topK > 0 && topK < z.length) {
            double[] sorted = z.clone();
            Arrays.sort(sorted);
            double kth = sorted[sorted.length - topK];
            for (int i = 0; i < z.length; i++) {
                if (z[i] < kth) {
                    z[i] = Double.NEGATIVE_INFINITY;
                }
            }
        }
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            z[i] = Math.exp((z[i] - max) / temperature);
            sum += z[i];
        }
        double u = random.nextDouble() * sum;
        for (int i = 0; i < z.length; i++) {
            u -= z[i];
            if (u <= 0 && z[i] > 0) {
                return i;
            }
        }
        for (int i = z.length - 1; i >= 0; i--) {
            if (z[i] > 0) {
                return i;
            }
        }
        throw new IllegalStateException("no token to draw");
    }
}
