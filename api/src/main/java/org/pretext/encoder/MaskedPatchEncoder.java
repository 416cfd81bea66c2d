package org.pretext.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import org.apiguardian.api.API;

/**
 * Capability of patch encoders that can take a mask token in place of some patches' embeddings,
 * as masked image modelling with mask tokens in the encoder (SimMIM) needs: every patch is
 * embedded, the embedding of each masked patch is replaced by the given token, and then position
 * embeddings are added and the encoder runs over all N tokens. A masked patch's pixel values
 * therefore cannot influence the result.
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.3")
public interface MaskedPatchEncoder extends PatchEncoder {
    /**
     * Hidden states of every patch with the masked ones' embeddings replaced by {@code maskToken}.
     *
     * @param patches (B, N, patchValues) pixel values of all N patches, in the layout of {@link PatchEncoder}
     * @param mask (B, N) floating-point, 1 for masked patches and 0 for visible ones
     * @param maskToken (B, 1, hiddenSize) the token, one copy per example so that it can be split
     *     along the batch like the other inputs; its gradient is returned through autograd
     * @return (B, N, hiddenSize) the final hidden state of every patch
     */
    NDArray encodeMasked(ParameterStore store, NDArray patches, NDArray mask, NDArray maskToken, boolean training);
}
