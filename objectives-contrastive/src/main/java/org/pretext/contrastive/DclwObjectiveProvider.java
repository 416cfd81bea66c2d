package org.pretext.contrastive;

import static org.pretext.contrastive.DclObjectiveProvider.PROJECTION_DIM;
import static org.pretext.contrastive.DclObjectiveProvider.PROJECTION_HIDDEN;
import static org.pretext.contrastive.DclObjectiveProvider.SIGMA;
import static org.pretext.contrastive.DclObjectiveProvider.TEMPERATURE;

import java.util.List;
import org.pretext.Versions;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderBase;
import org.pretext.transform.AugmentationParams;

/** {@code dclw}: DCL with the von Mises–Fisher weighting of the positive term, see {@link DclLoss}. */
public final class DclwObjectiveProvider extends ProviderBase implements ObjectiveProvider {
    public DclwObjectiveProvider() {
        super(Versions.SPI_VERSION, "dclw",
                "DCLW: decoupled contrastive loss with the von Mises–Fisher weighting of the positive pair",
                join(List.of(TEMPERATURE, SIGMA, PROJECTION_HIDDEN, PROJECTION_DIM), AugmentationParams.ALL));
    }

    @Override
    public Objective create(ParamValues p) {
        return new DclObjective(p.get(TEMPERATURE), p.get(SIGMA), p.get(PROJECTION_HIDDEN), p.get(PROJECTION_DIM),
                shape -> AugmentationParams.build(p, shape));
    }
}
