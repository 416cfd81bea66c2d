package org.pretext.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import org.pretext.PretextException;
import org.pretext.encoder.SequenceEncoder;
import org.pretext.encoder.TokenEmbeddings;
import org.pretext.encoder.FeatureMap;
import org.pretext.text.SequenceBatch;

/**
 * {@code conditional-mean}: Saunshi, Malladi and Arora (ICLR 2021), "A Mathematical Exploration of
 * Why Language Modeling Helps Solve Downstream Tasks": the expectation of the output word embeddings
 * under the model's next-token distribution after the sentence,
 *
 * <pre>
 *   f(s) = Φ · p(· | s) = Σ_w p(w | s) φ_w,   p(· | s) = softmax(Φᵀ h_{|s|})
 * </pre>
 *
 * where Φ (D × V) holds the output word embeddings (the tied token embedding E = Φᵀ) and
 * h_{|s|} is the last token's hidden state. D values; needs a {@link TokenEmbeddings} encoder.
 * As in the paper, a prompt appended to the sentence (e.g. {@code " this movie is"} for movie
 * reviews) makes the next word speak of the downstream task; without one the model mostly
 * predicts what follows any sentence (a newline), whatever the sentence said.
 */
public final class ConditionalMeanFeatureMap extends PromptedFeatureMap {
    /** The provider (and the map without a prompt). */
    public ConditionalMeanFeatureMap() {
        this("");
    }

    /** The map with text appended to every sentence before the encoder runs. */
    public ConditionalMeanFeatureMap(String prompt) {
        super("conditional-mean", "Saunshi et al. 2021: Φ·p(·|s), the next-token distribution's mean output word embedding", prompt);
    }

    @Override
    protected FeatureMap withPrompt(String prompt) {
        return new ConditionalMeanFeatureMap(prompt);
    }

    @Override
    public int featureSize(SequenceEncoder encoder) {
        return encoder.hiddenSize();
    }

    @Override
    public NDArray apply(SequenceEncoder encoder, ParameterStore store, SequenceBatch batch) {
        if (!(encoder instanceof TokenEmbeddings t)) {
            throw new PretextException("Feature map 'conditional-mean' needs an encoder with output word embeddings"
                    + " (tied token embeddings, e.g. 'transformer'), but got " + encoder);
        }
        NDArray last = batch.pool(batch.lastTokenWeights()); // (B, D)
        NDArray phi = t.tokenEmbeddings(store, last.getDevice(), false); // (V, D)
        NDArray p = Linear.linear(last, phi).singletonOrThrow().softmax(-1); // (B, V)
        return p.matMul(phi);
    }
}
