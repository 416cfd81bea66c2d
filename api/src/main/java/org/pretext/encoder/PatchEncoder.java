package org.pretext.encoder;

import org.apiguardian.api.API;
import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;

/**
 * Capability of encoders that cut images (C, H, W) into square patches, such as vision
 * transformers: they can encode any subset of each image's patches while seeing nothing of the
 * others, which masked image modelling (MAE) needs.
 *
 * <p>Patch layout, shared by every implementation and by objectives that cut images on the host:
 * with patch size p, the image holds (H/p)·(W/p) patches numbered row-major (patch
 * {@code r·(W/p) + c} covers rows {@code r·p…r·p+p−1} and columns {@code c·p…c·p+p−1}); a
 * patch's p·p·C values are ordered (row within the patch, column within the patch, channel).
 */
@API(status = API.Status.STABLE, since = "0.1")
public interface PatchEncoder extends Encoder {
    /** Side p of the square patches, in pixels. */
    int patchSize();

    /** Patches per image, (H/p)·(W/p). */
    int patchCount();

    /** Values per patch, p·p·C. */
    int patchValues();

    /** Width of the per-patch hidden states. */
    int hiddenSize();

    /**
     * Hidden states of a subset of each image's patches: the encoder's input is exactly the given
     * patch values and their positions, so patches left out cannot influence the result.
     *
     * @param patches (B, K, patchValues) pixel values of K patches per image, in the layout above
     * @param positions (B, K) int32 patch indices in 0..patchCount−1, one per given patch
     * @return (B, K, hiddenSize) the encoder's final hidden state of each given patch
     */
    NDArray encodePatches(ParameterStore store, NDArray patches, NDArray positions, boolean training);
}
