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
 * {@code barlow-twins}: Barlow Twins, see {@link BarlowTwinsObjective}. λ = 5·10⁻³ is the
 * paper's; the projector's 8,192-unit layers are scaled down to 512.
 */
public final class BarlowTwinsObjectiveProvider extends ProviderBase implements ObjectiveProvider {
    /** λ. */
    public static final Param<Double> LAMBDA = Param.ofDouble("lambda", 5e-3,
            "λ, weight of the off-diagonal (redundancy reduction) terms (Barlow Twins: 5e-3)").atLeast(0);
    /** Projector hidden width. */
    public static final Param<Integer> PROJECTION_HIDDEN = Param.ofInt("projection-hidden", 512,
            "width of the projector's two hidden layers (Barlow Twins: 8,192)").atLeast(1);
    /** Projector output width. */
    public static final Param<Integer> PROJECTION_DIM = Param.ofInt("projection-dim", 512,
            "output width of the projector, the size of the cross-correlation matrix (Barlow Twins: 8,192)")
            .atLeast(1);

    public BarlowTwinsObjectiveProvider() {
        super(Versions.SPI_VERSION, "barlow-twins", "Barlow Twins: cross-correlation of standardised embeddings towards the identity",
                join(List.of(LAMBDA, PROJECTION_HIDDEN, PROJECTION_DIM), AugmentationParams.ALL));
    }

    @Override
    public Objective create(ParamValues p) {
        return new BarlowTwinsObjective(p.get(LAMBDA), p.get(PROJECTION_HIDDEN), p.get(PROJECTION_DIM),
                shape -> AugmentationParams.build(p, shape));
    }
}
