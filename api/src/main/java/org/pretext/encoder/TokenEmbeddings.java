package org.pretext.encoder;

import org.apiguardian.api.API;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;

/**
 * Capability of sequence encoders whose token embedding table is also their output layer (weight
 * tying, Press and Wolf 2017): next-token or masked-token logits are {@code h·Eᵀ} for hidden states
 * h, and E's rows are the output word embeddings Φ that language-model features use.
 */
@API(status = API.Status.STABLE, since = "0.1")
public interface TokenEmbeddings extends SequenceEncoder {
    /**
     * The (vocabularySize, hiddenSize) embedding table E as the store gives it: on its own device
     * this is the trained parameter itself (gradients flow into it), not a copy; never close it.
     */
    NDArray tokenEmbeddings(ParameterStore store, Device device, boolean training);
}
