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
 * {@code nnclr}: NNCLR, see {@link NnclrObjective} and {@link NnclrLoss}. τ = 0.1 is the paper's;
 * the support set and the heads are scaled down from ImageNet's 98,304 projections and 2,048 / 4,096
 * units, as MoCo's queue is.
 */
public final class NnclrObjectiveProvider extends ProviderBase implements ObjectiveProvider {
    /** τ. */
    public static final Param<Double> TEMPERATURE = Param.ofDouble("temperature", 0.1,
            "softmax temperature τ (NNCLR: 0.1)").above(0);
    /** K. */
    public static final Param<Integer> QUEUE_SIZE = Param.ofInt("queue-size", 4096,
            "K, projections in the support set the nearest neighbours come from (NNCLR: 98,304 for ImageNet;"
                    + " at least the batch size)").atLeast(1);
    /** Projector hidden width. */
    public static final Param<Integer> PROJECTION_HIDDEN = Param.ofInt("projection-hidden", 512,
            "width of the projector's two hidden layers (NNCLR: 2,048)").atLeast(1);
    /** Projector output width. */
    public static final Param<Integer> PROJECTION_DIM = Param.ofInt("projection-dim", 128,
            "output width of the projector and predictor, and of the support set (NNCLR: 256)").atLeast(1);
    /** Predictor hidden width. */
    public static final Param<Integer> PREDICTOR_HIDDEN = Param.ofInt("predictor-hidden", 512,
            "hidden width of the predictor (NNCLR: 4,096)").atLeast(1);

    public NnclrObjectiveProvider() {
        super(Versions.SPI_VERSION, "nnclr",
                "NNCLR: nearest neighbour from a support set of projections as the positive, predictor, InfoNCE",
                join(List.of(TEMPERATURE, QUEUE_SIZE, PROJECTION_HIDDEN, PROJECTION_DIM, PREDICTOR_HIDDEN),
                        AugmentationParams.ALL));
    }

    @Override
    public Objective create(ParamValues p) {
        return new NnclrObjective(p.get(TEMPERATURE), p.get(QUEUE_SIZE), p.get(PROJECTION_HIDDEN),
                p.get(PROJECTION_DIM), p.get(PREDICTOR_HIDDEN), shape -> AugmentationParams.build(p, shape));
    }
}
