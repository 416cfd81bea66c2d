package org.pretext.encoders.vit;

import org.pretext.registry.ProviderBase;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Locale;
import org.pretext.PretextException;
import org.pretext.Versions;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.EncoderProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;

/**
 * {@code vit-tiny}: a small Vision Transformer for small images, sized to train on a CPU. The
 * defaults (4×4 patches, so 49 tokens for 28×28 images; width 128, 4 blocks of 4 heads, MLP ratio
 * 4; fixed 2-D sine-cosine positions as in MAE; mean-pooled features) are far smaller than
 * DeiT-Tiny (width 192, 12 blocks, 3 heads on 16×16 patches of 224×224 images), which would take
 * minutes per epoch of MNIST on two cores.
 */
public final class VitEncoderProvider extends ProviderBase implements EncoderProvider {
    public static final Param<Integer> PATCH_SIZE = Param.ofInt("patch-size", 4,
            "side of the square patches in pixels; must divide the image height and width").atLeast(1);
    public static final Param<Integer> WIDTH = Param.ofInt("width", 128,
            "model width D (divisible by heads, and by 4 for sine-cosine positions)").atLeast(4);
    public static final Param<Integer> DEPTH = Param.ofInt("depth", 4, "number of transformer blocks").atLeast(1);
    public static final Param<Integer> HEADS = Param.ofInt("heads", 4, "attention heads per block").atLeast(1);
    public static final Param<Integer> MLP_RATIO = Param.ofInt("mlp-ratio", 4,
            "hidden width of each block's MLP as a multiple of the width").atLeast(1);
    public static final Param<String> POSITIONS = Param.ofChoice("positions", "sincos", List.of("sincos", "learned"),
            "sincos: fixed 2-D sine-cosine position embeddings (MAE); learned: trained embeddings (ViT)");
    public static final Param<String> POOLING = Param.ofChoice("pooling", "mean", List.of("mean", "cls"),
            "features: mean of the patch tokens' final states, or the final state of a learned [CLS] token");
    public static final Param<Double> DROPOUT = Param.ofDouble("dropout", 0.0,
            "dropout rate on attention probabilities and residual branches").atLeast(0).below(1);

    public VitEncoderProvider() {
        super(Versions.SPI_VERSION, "vit-tiny", "Small Vision Transformer (patch embedding, position embeddings, pre-norm blocks) for images (C, H, W)",
                List.of(PATCH_SIZE, WIDTH, DEPTH, HEADS, MLP_RATIO, POSITIONS, POOLING, DROPOUT));
    }

    @Override
    public Encoder create(ParamValues p, Shape inputShape) {
        int width = p.get(WIDTH);
        int heads = p.get(HEADS);
        p.require(width % heads == 0, WIDTH.name(), "a multiple of heads (" + heads + ")");
        boolean sincos = "sincos".equals(p.get(POSITIONS));
        p.require(!sincos || width % 4 == 0, WIDTH.name(), "a multiple of 4 for sine-cosine positions");
        return create(inputShape, p.get(PATCH_SIZE), width, p.get(DEPTH), heads, p.get(MLP_RATIO),
                p.get(DROPOUT).floatValue(), !sincos,
                VisionTransformer.Pooling.valueOf(p.get(POOLING).toUpperCase(Locale.ROOT)));
    }

    /** A ViT encoder from code. */
    public static VitEncoder create(Shape inputShape, int patch, int width, int depth, int heads, int mlpRatio,
            float dropout, boolean learnedPositions, VisionTransformer.Pooling pooling) {
        if (inputShape.dimension() != 3 || inputShape.get(1) % patch != 0 || inputShape.get(2) % patch != 0) {
            throw new PretextException("Encoder 'vit-tiny' takes images (channels, height, width) whose height and"
                    + " width are multiples of patch-size " + patch + ", but the data has examples of shape "
                    + inputShape + (inputShape.dimension() == 3 ? "; choose a patch-size that divides both"
                            : "; use encoder 'mlp' for vectors"));
        }
        if (width % heads != 0 || (!learnedPositions && width % 4 != 0)) {
            throw new PretextException("Encoder 'vit-tiny': width " + width + " must be a multiple of heads " + heads
                    + (learnedPositions ? "" : " and of 4 (sine-cosine positions)"));
        }
        VisionTransformer vit = new VisionTransformer((int) inputShape.get(0), (int) inputShape.get(1),
                (int) inputShape.get(2), patch, width, depth, heads, mlpRatio, dropout, learnedPositions, pooling);
        return new VitEncoder(vit, inputShape);
    }
}
