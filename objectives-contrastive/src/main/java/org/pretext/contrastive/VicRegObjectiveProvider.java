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
 * {@code vicreg}: VICReg, see {@link VicRegObjective}. The weights 25/25/1 are the paper's; the
 * expander's 8,192-unit layers are scaled down to 512.
 */
public final class VicRegObjectiveProvider extends ProviderBase implements ObjectiveProvider {
    /** λ. */
    public static final Param<Double> INVARIANCE_WEIGHT = Param.ofDouble("invariance-weight", 25,
            "λ, weight of the invariance (mean squared error) term (VICReg: 25)").atLeast(0);
    /** μ. */
    public static final Param<Double> VARIANCE_WEIGHT = Param.ofDouble("variance-weight", 25,
            "μ, weight of the variance (standard deviation hinge) term (VICReg: 25)").atLeast(0);
    /** ν. */
    public static final Param<Double> COVARIANCE_WEIGHT = Param.ofDouble("covariance-weight", 1,
            "ν, weight of the covariance (off-diagonal) term (VICReg: 1)").atLeast(0);
    /** Expander hidden width. */
    public static final Param<Integer> PROJECTION_HIDDEN = Param.ofInt("projection-hidden", 512,
            "width of the expander's two hidden layers (VICReg: 8,192)").atLeast(1);
    /** Expander output width. */
    public static final Param<Integer> PROJECTION_DIM = Param.ofInt("projection-dim", 512,
            "output width of the expander (VICReg: 8,192)").atLeast(1);

    public VicRegObjectiveProvider() {
        super(Versions.SPI_VERSION, "vicreg", "VICReg: invariance, variance and covariance terms on expanded embeddings",
                join(List.of(INVARIANCE_WEIGHT, VARIANCE_WEIGHT, COVARIANCE_WEIGHT,
                PROJECTION_HIDDEN, PROJECTION_DIM), AugmentationParams.ALL));
    }

    @Override
    public Objective create(ParamValues p) {
        return new VicRegObjective(p.get(INVARIANCE_WEIGHT), p.get(VARIANCE_WEIGHT), p.get(COVARIANCE_WEIGHT),
                p.get(PROJECTION_HIDDEN), p.get(PROJECTION_DIM), shape -> AugmentationParams.build(p, shape));
    }
}
