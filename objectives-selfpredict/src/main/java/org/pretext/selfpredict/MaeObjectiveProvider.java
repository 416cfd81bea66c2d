package org.pretext.selfpredict;

import org.pretext.registry.ProviderBase;
import java.util.List;
import org.pretext.Versions;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;

/**
 * {@code mae}: masked autoencoder (He et al. 2022) with a patch encoder such as {@code vit-tiny}.
 * Paper defaults: 75% of the patches masked, per-patch normalised pixel targets. The paper's
 * decoder (8 blocks of width 512) is sized for ViT-Large; the default here keeps its proportions
 * for a tiny encoder: 2 blocks of width 64 with 4 heads, light next to the encoder.
 */
public final class MaeObjectiveProvider extends ProviderBase implements ObjectiveProvider {
    public static final Param<Double> MASK_RATIO = Param.ofDouble("mask-ratio", 0.75,
            "fraction of each image's patches hidden from the encoder; exactly round(ratio*N) of N are masked")
            .above(0).below(1);
    public static final Param<Boolean> NORM_PIX_LOSS = Param.ofBoolean("norm-pix-loss", true,
            "predict each masked patch's pixels normalised by the patch's own mean and deviation");
    public static final Param<Integer> DECODER_WIDTH = Param.ofInt("decoder-width", 64,
            "width of the decoder (divisible by decoder-heads and by 4)").atLeast(4);
    public static final Param<Integer> DECODER_DEPTH = Param.ofInt("decoder-depth", 2, "blocks of the decoder")
            .atLeast(1);
    public static final Param<Integer> DECODER_HEADS = Param.ofInt("decoder-heads", 4,
            "attention heads of the decoder").atLeast(1);

    public MaeObjectiveProvider() {
        super(Versions.SPI_VERSION, "mae", "Masked autoencoder: encode the visible patches only, reconstruct the masked ones (needs vit-tiny)",
                List.of(MASK_RATIO, NORM_PIX_LOSS, DECODER_WIDTH, DECODER_DEPTH, DECODER_HEADS));
    }

    @Override
    public Objective create(ParamValues p) {
        int width = p.get(DECODER_WIDTH);
        int heads = p.get(DECODER_HEADS);
        p.require(width % heads == 0 && width % 4 == 0, DECODER_WIDTH.name(),
                "a multiple of decoder-heads (" + heads + ") and of 4");
        return new MaeObjective(p.get(MASK_RATIO), p.get(NORM_PIX_LOSS), width, p.get(DECODER_DEPTH), heads);
    }
}
