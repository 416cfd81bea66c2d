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
 * {@code tico}: TiCo, see {@link TicoObjective} and {@link TicoLoss}. β = 0.9 and ρ = 20 are the
 * paper's; the base momentum 0.99 is the TiCo reference code's (sayannag/TiCo-pytorch); the
 * projector is scaled down from 4,096-256 as BYOL's is.
 */
public final class TicoObjectiveProvider extends ProviderBase implements ObjectiveProvider {
    /** β. */
    public static final Param<Double> BETA = Param.ofDouble("beta", 0.9,
            "β, decay of the running covariance C_t = β·C_{t−1} + (1−β)·B_t (TiCo: 0.9)").atLeast(0).atMost(1);
    /** ρ. */
    public static final Param<Double> RHO = Param.ofDouble("rho", 20,
            "ρ, weight of the covariance contrast term (TiCo: 20)").atLeast(0);
    /** Base momentum. */
    public static final Param<Double> BASE_MOMENTUM = Param.ofDouble("base-momentum", 0.99,
            "base momentum of the second branch, rising to 1 on a cosine schedule (TiCo's code: 0.99)")
            .atLeast(0).atMost(1);
    /** Projector hidden width. */
    public static final Param<Integer> PROJECTION_HIDDEN = Param.ofInt("projection-hidden", 512,
            "hidden width of the projector (TiCo: 4,096)").atLeast(1);
    /** Projector output width. */
    public static final Param<Integer> PROJECTION_DIM = Param.ofInt("projection-dim", 128,
            "output width of the projector, the size of C (TiCo: 256)").atLeast(1);

    public TicoObjectiveProvider() {
        super(Versions.SPI_VERSION, "tico",
                "TiCo: invariance to a momentum branch and contrast against the running covariance of embeddings",
                join(List.of(BETA, RHO, BASE_MOMENTUM, PROJECTION_HIDDEN, PROJECTION_DIM), AugmentationParams.ALL));
    }

    @Override
    public Objective create(ParamValues p) {
        return new TicoObjective(p.get(BETA), p.get(RHO), p.get(BASE_MOMENTUM), p.get(PROJECTION_HIDDEN),
                p.get(PROJECTION_DIM), shape -> AugmentationParams.build(p, shape));
    }
}
