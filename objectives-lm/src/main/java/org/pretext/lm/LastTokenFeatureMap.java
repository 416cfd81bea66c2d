package org.pretext.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import org.pretext.encoder.SequenceEncoder;
import org.pretext.encoder.FeatureMap;
import org.pretext.text.SequenceBatch;

/** {@code last-token}: the hidden state of a sentence's last token, f(s) = h_{|s|} (D values). */
public final class LastTokenFeatureMap extends PromptedFeatureMap {
    /** The provider (and the map without a prompt). */
    public LastTokenFeatureMap() {
        this("");
    }

    /** The map with text appended to every sentence before the encoder runs. */
    public LastTokenFeatureMap(String prompt) {
        super("last-token", "Hidden state of the sentence's last token", prompt);
    }

    @Override
    protected FeatureMap withPrompt(String prompt) {
        return new LastTokenFeatureMap(prompt);
    }

    @Override
    public int featureSize(SequenceEncoder encoder) {
        return encoder.hiddenSize();
    }

    @Override
    public NDArray apply(SequenceEncoder encoder, ParameterStore store, SequenceBatch batch) {
        return batch.pool(batch.lastTokenWeights());
    }
}
