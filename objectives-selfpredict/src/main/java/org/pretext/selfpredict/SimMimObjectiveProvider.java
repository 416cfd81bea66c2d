package org.pretext.selfpredict;

import java.util.List;
import org.pretext.Versions;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderBase;

/**
 * {@code simmim}: SimMIM (Xie et al. 2022), see {@link SimMimObjective} and {@link SimMimLoss}.
 * Paper defaults: 60% of the mask units masked, L1 on raw pixels, a linear prediction head. The
 * paper masks 32 px units on 192–224 px images, a 6×6 or 7×7 grid of units each covering 2×2 ViT
 * patches of 16 px; on 28 px digits the default unit is the 4 px patch itself, which keeps the 7×7
 * grid of units.
 */
public final class SimMimObjectiveProvider extends ProviderBase implements ObjectiveProvider {
    public static final Param<Double> MASK_RATIO = Param.ofDouble("mask-ratio", 0.6,
            "fraction of mask units masked, ⌈ratio·U⌉ of U (SimMIM: 0.6)").above(0).below(1);
    public static final Param<Integer> MASK_PATCH_SIZE = Param.ofInt("mask-patch-size", 0,
            "side of a mask unit in pixels, a multiple of the encoder's patch size; 0: the patch size (SimMIM: 32 px"
                    + " units on 224 px images, 7x7 units; 4 px on 28 px digits keeps the 7x7 grid)").atLeast(0);

    public static final Param<String> LOSS = Param.ofChoice("loss", "l1", List.of("l1", "l2"),
            "l1: mean absolute error on masked pixels (SimMIM); l2: squared error (the paper's ablation found them"
                    + " alike on ImageNet)");

    public static final Param<Double> CROP_SCALE_MIN = Param.ofDouble("crop-scale-min", 1.0,
            "smallest area fraction of a random resized crop each image is first cut to (aspect 3/4 to 4/3, resized"
                    + " back; SimMIM: 0.67); 1: no crop").above(0).atMost(1);
    public static final Param<Double> CROP_SCALE_MAX = Param.ofDouble("crop-scale-max", 1.0,
            "largest area fraction of the random resized crop (SimMIM: 1)").above(0).atMost(1);

    public SimMimObjectiveProvider() {
        super(Versions.SPI_VERSION, "simmim",
                "SimMIM: mask tokens in place of random patches in the encoder, linear head, L1 on masked pixels (needs vit-tiny)",
                List.of(MASK_RATIO, MASK_PATCH_SIZE, LOSS, CROP_SCALE_MIN, CROP_SCALE_MAX));
    }

    @Override
    public Objective create(ParamValues p) {
        p.require(p.get(CROP_SCALE_MIN) <= p.get(CROP_SCALE_MAX), CROP_SCALE_MIN.name(),
                "at most crop-scale-max (" + p.get(CROP_SCALE_MAX) + ")");
        return new SimMimObjective(p.get(MASK_RATIO), p.get(MASK_PATCH_SIZE), p.get(LOSS).equals("l1"),
                p.get(CROP_SCALE_MIN), p.get(CROP_SCALE_MAX));
    }
}
