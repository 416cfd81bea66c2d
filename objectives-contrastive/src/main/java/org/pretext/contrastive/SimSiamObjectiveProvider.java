package org.pretext.contrastive;

import org.pretext.registry.ProviderBase;
import java.util.List;
import org.pretext.Versions;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;
import org.pretext.transform.AugmentationParams;

/**
 * {@code simsiam}: SimSiam, see {@link SimSiamObjective}. The paper's ImageNet widths (2,048 with
 * a 512 bottleneck predictor) are scaled down by 4 keeping the 4:1 bottleneck.
 */
public final class SimSiamObjectiveProvider extends ProviderBase implements ObjectiveProvider {
    /** Projector hidden width. */
    public static final Param<Integer> PROJECTION_HIDDEN = Param.ofInt("projection-hidden", 512,
            "width of the projector's two hidden layers (SimSiam: 2,048)").atLeast(1);
    /** Projector output width. */
    public static final Param<Integer> PROJECTION_DIM = Param.ofInt("projection-dim", 512,
            "output width of projector and predictor (SimSiam: 2,048)").atLeast(1);
    /** Predictor bottleneck width. */
    public static final Param<Integer> PREDICTOR_HIDDEN = Param.ofInt("predictor-hidden", 128,
            "bottleneck width of the predictor (SimSiam: 512, a quarter of the output)").atLeast(1);
    /** Stop-gradient on the projections. */
    public static final Param<Boolean> STOP_GRADIENT = Param.ofBoolean("stop-gradient", true,
            "stop the gradient through the projection side (false is the paper's collapsing ablation)");

    public SimSiamObjectiveProvider() {
        super(Versions.SPI_VERSION, "simsiam", "SimSiam: predictor and stop-gradient, negative cosine, no target network or negatives",
                join(List.of(PROJECTION_HIDDEN, PROJECTION_DIM, PREDICTOR_HIDDEN,
                STOP_GRADIENT), AugmentationParams.ALL));
    }

    @Override
    public Objective create(ParamValues p) {
        return new SimSiamObjective(p.get(PROJECTION_HIDDEN), p.get(PROJECTION_DIM), p.get(PREDICTOR_HIDDEN),
                p.get(STOP_GRADIENT), shape -> AugmentationParams.build(p, shape));
    }
}
