package org.pretext.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import org.pretext.encoder.SequenceEncoder;
import org.pretext.encoder.FeatureMap;
import org.pretext.text.SequenceBatch;

/** {@code mean}: the mean of a sentence's hidden states, f(s) = 1/|s| Σ_t h_t (D values). */
public final class MeanFeatureMap extends PromptedFeatureMap {
    /** The provider (and the map without a prompt). */
    public MeanFeatureMap() {
        this("");
    }

    /** The map with text appended to every sentence before the encoder runs. */
    public MeanFeatureMap(String prompt) {
        super("mean", "Mean of the hidden states over the sentence's tokens", prompt);
    }

    @Override
    protected FeatureMap withPrompt(String prompt) {
        return new MeanFeatureMap(prompt);
    }

    @Override
    public int featureSize(SequenceEncoder encoder) {
        return encoder.hiddenSize();
    }

    @Override
    public NDArray apply(SequenceEncoder encoder, ParameterStore store, SequenceBatch batch) {
        return batch.pool(batch.meanWeights());
    }
}
