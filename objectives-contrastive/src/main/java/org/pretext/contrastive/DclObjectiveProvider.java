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
 * {@code dcl}: decoupled contrastive learning ({@code dclw}: {@link DclwObjectiveProvider}), see {@link DclObjective} and
 * {@link DclLoss}; SimCLR's projection head with {@code simclr}'s widths.
 */
public final class DclObjectiveProvider extends ProviderBase implements ObjectiveProvider {
    /** τ. */
    public static final Param<Double> TEMPERATURE = Param.ofDouble("temperature", 0.1,
            "softmax temperature τ (DCL: 0.1)").above(0);
    /** σ of DCLW. */
    public static final Param<Double> SIGMA = Param.ofDouble("sigma", 0.5,
            "σ of the von Mises–Fisher weight of the positive term, w = 2 − N·softmax(s/σ) (DCLW: 0.5)").above(0);
    /** Projection hidden width. */
    public static final Param<Integer> PROJECTION_HIDDEN = Param.ofInt("projection-hidden", 128,
            "hidden width of the projection head (0: a single linear layer)").atLeast(0);
    /** Projection output width. */
    public static final Param<Integer> PROJECTION_DIM = Param.ofInt("projection-dim", 64,
            "output width of the projection head").atLeast(1);

    public DclObjectiveProvider() {
        super(Versions.SPI_VERSION, "dcl",
                "DCL: decoupled contrastive loss, NT-Xent without the positive pair in the denominator",
                join(List.of(TEMPERATURE, PROJECTION_HIDDEN, PROJECTION_DIM), AugmentationParams.ALL));
    }

    @Override
    public Objective create(ParamValues p) {
        return new DclObjective(p.get(TEMPERATURE), 0, p.get(PROJECTION_HIDDEN), p.get(PROJECTION_DIM),
                shape -> AugmentationParams.build(p, shape));
    }
}
