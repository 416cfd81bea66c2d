package org.pretext.contrastive;

import java.util.List;
import org.pretext.Versions;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderBase;
import org.pretext.transform.AugmentationParams;

/**
 * {@code moco-v3}: MoCo v3, see {@link MocoV3Objective} and {@link MocoV3Loss}. τ = 0.2 and the base
 * momentum 0.99 are the paper's; the heads are scaled down from 4,096 hidden and 256 output units.
 */
public final class MocoV3ObjectiveProvider extends ProviderBase implements ObjectiveProvider {
    /** τ. */
    public static final Param<Double> TEMPERATURE = Param.ofDouble("temperature", 0.2,
            "softmax temperature τ (MoCo v3: 0.2 for ViT, 1.0 for ResNet)").above(0);
    /** Base momentum. */
    public static final Param<Double> BASE_MOMENTUM = Param.ofDouble("base-momentum", 0.99,
            "base momentum of the key encoder, rising to 1 on a cosine schedule (MoCo v3: 0.99)").atLeast(0).atMost(1);
    /** Projector hidden width. */
    public static final Param<Integer> PROJECTION_HIDDEN = Param.ofInt("projection-hidden", 512,
            "width of the projector's two hidden layers (MoCo v3: 4,096)").atLeast(1);
    /** Projector output width. */
    public static final Param<Integer> PROJECTION_DIM = Param.ofInt("projection-dim", 128,
            "output width of the projector and predictor (MoCo v3: 256)").atLeast(1);
    /** Predictor hidden width. */
    public static final Param<Integer> PREDICTOR_HIDDEN = Param.ofInt("predictor-hidden", 512,
            "hidden width of the predictor (MoCo v3: 4,096)").atLeast(1);

    public MocoV3ObjectiveProvider() {
        super(Versions.SPI_VERSION, "moco-v3",
                "MoCo v3: predictor, momentum key encoder, symmetric in-batch InfoNCE without a queue",
                join(List.of(TEMPERATURE, BASE_MOMENTUM, PROJECTION_HIDDEN, PROJECTION_DIM, PREDICTOR_HIDDEN),
                        AugmentationParams.ALL));
    }

    @Override
    public Objective create(ParamValues p) {
        return new MocoV3Objective(p.get(TEMPERATURE), p.get(BASE_MOMENTUM), p.get(PROJECTION_HIDDEN),
                p.get(PROJECTION_DIM), p.get(PREDICTOR_HIDDEN), shape -> AugmentationParams.build(p, shape));
    }
}
