package org.pretext.contrastive;

import java.util.List;
import org.pretext.Versions;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderBase;
import org.pretext.transform.AugmentationParams;
import org.pretext.transform.MultiCrop;

/**
 * {@code msn}: Masked Siamese Networks, see {@link MsnObjective} and, for the formulas,
 * {@link MsnLoss}. Temperatures, λ, the Sinkhorn iterations and the momentum are the paper's; the
 * mask ratio is lightly's MSN example's for ViT-S/16; the head's widths and K are scaled down for
 * 128-feature encoders on a CPU. Needs a patch encoder ({@code --encoder vit-tiny}).
 */
public final class MsnObjectiveProvider extends ProviderBase implements ObjectiveProvider {
    public static final Param<Integer> HIDDEN = Param.ofInt("projection-hidden", 512,
            "hidden width of the projection head's two hidden layers (MSN: 2,048; scaled down for a CPU)").atLeast(1);
    public static final Param<Integer> DIM = Param.ofInt("projection-dim", 128,
            "width of the projection compared with the prototypes (MSN: 256; scaled down for a CPU)").atLeast(1);
    public static final Param<Boolean> HEAD_BATCH_NORM = Param.ofBoolean("head-batch-norm", true,
            "BatchNorm after each hidden layer of the projection head (MSN: yes)");
    public static final Param<Integer> PROTOTYPES = Param.ofInt("prototypes", 256,
            "K, the number of learned prototypes (MSN: 1,024; scaled down for a CPU)").atLeast(2);
    public static final Param<Double> TEMPERATURE = Param.ofDouble("temperature", 0.1,
            "τ of the anchors' softmax over prototype cosines (MSN: 0.1)").above(0);
    public static final Param<Double> TARGET_TEMPERATURE = Param.ofDouble("target-temperature", 0.025,
            "τ⁺ of the targets' softmax, the sharpening (MSN: 0.025; lightly: τ times its sharpening"
                    + " temperature 0.25; 28-pixel digits on vit-tiny did better at 0.01, see"
                    + " examples/configs/mnist-msn.yaml)").above(0);
    public static final Param<Integer> SINKHORN = Param.ofInt("sinkhorn-iterations", 3,
            "Sinkhorn-Knopp iterations on the target probabilities, 0 for none (MSN and lightly: 3)").atLeast(0);
    public static final Param<Double> ME_MAX = Param.ofDouble("me-max-weight", 1.0,
            "λ of the mean-entropy maximisation regulariser, 0 for none (MSN: 1)").atLeast(0);
    public static final Param<Double> MASK_RATIO = Param.ofDouble("mask-ratio", 0.15,
            "fraction of the anchor view's patches dropped (lightly's MSN example for ViT-S/16: 0.15)")
            .atLeast(0).below(1);
    public static final Param<Double> BASE_MOMENTUM = Param.ofDouble("base-momentum", 0.996,
            "the target's EMA momentum at step 0, rising linearly to 1 over the run (MSN: 0.996)").atLeast(0).atMost(1);
    public static final Param<String> PROBE_ENCODER = Param.ofChoice("probe-encoder", "target",
            List.of("target", "online"), "the encoder probed and exported after pretraining: target (the EMA"
                    + " encoder, which MSN evaluates) or online (the encoder being trained)");

    public MsnObjectiveProvider() {
        super(Versions.SPI_VERSION, "msn",
                "MSN (Assran et al. 2022): a view with patches dropped matches an unmasked view's sharpened EMA-target"
                        + " assignment to learned prototypes; mean-entropy regulariser, focal views; needs vit-tiny",
                join(join(List.of(HIDDEN, DIM, HEAD_BATCH_NORM, PROTOTYPES, TEMPERATURE, TARGET_TEMPERATURE, SINKHORN,
                        ME_MAX, MASK_RATIO, BASE_MOMENTUM, PROBE_ENCODER), MultiCrop.PARAMS), AugmentationParams.ALL));
    }

    @Override
    public Objective create(ParamValues p) {
        return new MsnObjective(new MsnObjective.Settings(p.get(HIDDEN), p.get(DIM), p.get(HEAD_BATCH_NORM),
                p.get(PROTOTYPES), p.get(TEMPERATURE), p.get(TARGET_TEMPERATURE), p.get(SINKHORN), p.get(ME_MAX),
                p.get(MASK_RATIO), p.get(BASE_MOMENTUM), p.get(PROBE_ENCODER).equals("target")),
                MultiCrop.of(p, 2), shape -> AugmentationParams.build(p, shape),
                shape -> AugmentationParams.buildUncropped(p, shape));
    }
}
