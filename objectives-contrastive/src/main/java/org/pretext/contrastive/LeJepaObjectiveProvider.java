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
 * {@code lejepa}: LeJEPA with SIGReg, see {@link LeJepaObjective} and {@link SigRegLoss}. λ and the
 * 256 directions follow the authors; the projector is scaled down from 2,048 units.
 */
public final class LeJepaObjectiveProvider extends ProviderBase implements ObjectiveProvider {
    /** λ. */
    public static final Param<Double> LAMBDA = Param.ofDouble("lambda", 0.05,
            "λ, weight of SIGReg against the prediction term, L = λ·SIGReg + (1−λ)·L_pred (LeJEPA: 0.05; the"
                    + " authors' minimal example 0.02)").atLeast(0).atMost(1);
    /** M. */
    public static final Param<Integer> SLICES = Param.ofInt("slices", 256,
            "M, random 1-D directions SIGReg tests along, drawn afresh every step (LeJEPA: 256)").atLeast(1);
    /** Projector hidden width. */
    public static final Param<Integer> PROJECTION_HIDDEN = Param.ofInt("projection-hidden", 512,
            "width of the projector's two hidden layers (LeJEPA's minimal example: 2,048)").atLeast(1);
    /** Projector output width. */
    public static final Param<Integer> PROJECTION_DIM = Param.ofInt("projection-dim", 64,
            "output width of the projector, where SIGReg and the prediction term act (LeJEPA's minimal example:"
                    + " 16–128)").atLeast(1);

    public LeJepaObjectiveProvider() {
        super(Versions.SPI_VERSION, "lejepa",
                "LeJEPA: views pulled to their centre, SIGReg (Epps–Pulley tests of random projections against N(0,1))",
                join(List.of(LAMBDA, SLICES, PROJECTION_HIDDEN, PROJECTION_DIM), AugmentationParams.ALL));
    }

    @Override
    public Objective create(ParamValues p) {
        return new LeJepaObjective(p.get(LAMBDA), p.get(SLICES), p.get(PROJECTION_HIDDEN), p.get(PROJECTION_DIM),
                shape -> AugmentationParams.build(p, shape));
    }
}
