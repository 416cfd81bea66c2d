package org.pretext.encoder;

import org.apiguardian.api.API;
import org.pretext.text.SequenceBatch;
import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;

/**
 * How the hidden states of a sentence become one feature vector for a probe (last token, mean,
 * the language model's conditional-mean features...). Chosen by name through a
 * {@link FeatureMapProvider}; applied by {@link TextFeatures#extract}, which runs the encoder once
 * per batch for all maps.
 */
@API(status = API.Status.STABLE, since = "0.1")
public interface FeatureMap {
    /** The provider name, for reports. */
    String name();

    /**
     * Text appended to every sentence before the encoder runs, e.g. Saunshi et al.'s prompt
     * {@code " This movie is"} that makes the next-token distribution after a review speak of its
     * sentiment; empty (the default) for none. Maps with the same prompt share one forward pass.
     */
    default String prompt() {
        return "";
    }

    /** Width of the features this map gives for an encoder. */
    int featureSize(SequenceEncoder encoder);

    /**
     * Features (B, featureSize) of a batch, in inference mode. Arrays it creates must attach to the
     * batch's manager (ops on {@code batch.hidden()} do) so they are freed with it.
     *
     * @throws org.pretext.PretextException when the encoder lacks a capability the map needs
     */
    NDArray apply(SequenceEncoder encoder, ParameterStore store, SequenceBatch batch);
}
