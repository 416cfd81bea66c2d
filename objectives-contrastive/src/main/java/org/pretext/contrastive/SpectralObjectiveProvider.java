package org.pretext.contrastive;

import org.pretext.registry.ProviderBase;
import java.util.List;
import org.pretext.Versions;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;
import org.pretext.transform.AugmentationParams;

/** {@code spectral}: spectral contrastive learning (HaoChen et al. 2021), see {@link SpectralObjective}. */
public final class SpectralObjectiveProvider extends ProviderBase implements ObjectiveProvider {
    /** μ. */
    public static final Param<Double> MU = Param.ofDouble("mu", 1,
            "μ: embeddings are scaled to norm at most √μ and the loss divided by μ (authors' code: 1)").above(0);
    /** Projector hidden width. */
    public static final Param<Integer> PROJECTION_HIDDEN = Param.ofInt("projection-hidden", 512,
            "hidden width of the projector").atLeast(1);
    /** Projector output width. */
    public static final Param<Integer> PROJECTION_DIM = Param.ofInt("projection-dim", 128,
            "output width of the projector, the embedding the loss sees").atLeast(1);

    public SpectralObjectiveProvider() {
        super(Versions.SPI_VERSION, "spectral", "Spectral contrastive loss (HaoChen et al. 2021): -2E[f(x)·f(x+)] + E[(f(x)·f(x-))^2]",
                join(List.of(MU, PROJECTION_HIDDEN, PROJECTION_DIM), AugmentationParams.ALL));
    }

    @Override
    public Objective create(ParamValues p) {
        return new SpectralObjective(p.get(MU), p.get(PROJECTION_HIDDEN), p.get(PROJECTION_DIM),
                shape -> AugmentationParams.build(p, shape));
    }
}
