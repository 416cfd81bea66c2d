package org.pretext.encoders.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import org.pretext.encoder.MaskedPatchEncoder;
import org.pretext.encoder.PatchEncoder;

/**
 * A {@link VisionTransformer} as a Pretext encoder: features (B, D) from images, and per-patch
 * states for any subset of patches ({@link PatchEncoder}) for masked image modelling, and for all
 * patches with mask tokens in place of the masked ones ({@link MaskedPatchEncoder}, SimMIM).
 */
public final class VitEncoder implements MaskedPatchEncoder {
    private final VisionTransformer vit;
    private final Shape inputShape;

    public VitEncoder(VisionTransformer vit, Shape inputShape) {
        this.vit = vit;
        this.inputShape = inputShape;
    }

    public VisionTransformer transformer() {
        return vit;
    }

    @Override
    public Block block() {
        return vit;
    }

    @Override
    public Shape inputShape() {
        return inputShape;
    }

    @Override
    public int featureSize() {
        return vit.width();
    }

    /**
     * Its own shape, and images of the same channels whose sides are multiples of the patch size
     * (multi-crop's local views), whose position embeddings are interpolated bicubically to the
     * smaller grid as DINO does.
     */
    @Override
    public boolean acceptsInputShape(Shape shape) {
        return vit.accepts(shape);
    }

    @Override
    public int patchSize() {
        return vit.patchSize();
    }

    @Override
    public int patchCount() {
        return vit.patchCount();
    }

    @Override
    public int patchValues() {
        return vit.patchValues();
    }

    @Override
    public int hiddenSize() {
        return vit.width();
    }

    @Override
    public NDArray encodePatches(ParameterStore store, NDArray patches, NDArray positions, boolean training) {
        return vit.hidden(store, patches, positions, training);
    }

    @Override
    public String toString() {
        return "VitEncoder(" + vit + ")";
    }

    @Override
    public NDArray encodeMasked(ParameterStore store, NDArray patches, NDArray mask, NDArray maskToken,
            boolean training) {
        return vit.hiddenMasked(store, patches, mask, maskToken, training);
    }
}
