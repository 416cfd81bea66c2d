package org.pretext.contrastive;

import org.pretext.registry.ProviderBase;
import java.util.List;
import org.pretext.Versions;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;
import org.pretext.transform.AugmentationParams;

/** {@code simclr}: SimCLR with NT-Xent (InfoNCE over 2N views). */
public final class SimClrObjectiveProvider extends ProviderBase implements ObjectiveProvider {
    /** Softmax temperature τ of NT-Xent. */
    public static final Param<Double> TEMPERATURE = Param.ofDouble("temperature", 0.5,
            "softmax temperature τ of NT-Xent").above(0);
    /** Hidden width of the projection head (0: a single linear layer). */
    public static final Param<Integer> PROJECTION_HIDDEN = Param.ofInt("projection-hidden", 128,
            "hidden width of the projection head (0: a single linear layer)").atLeast(0);
    /** Output width of the projection head. */
    public static final Param<Integer> PROJECTION_DIM = Param.ofInt("projection-dim", 64,
            "output width of the projection head").atLeast(1);

    public SimClrObjectiveProvider() {
        super(Versions.SPI_VERSION, "simclr", "SimCLR: two augmented views, projection head, NT-Xent (InfoNCE) loss",
                join(List.of(TEMPERATURE, PROJECTION_HIDDEN, PROJECTION_DIM), AugmentationParams.ALL));
    }

    @Override
    public Objective create(ParamValues p) {
        return new SimClrObjective(p.get(TEMPERATURE), p.get(PROJECTION_HIDDEN), p.get(PROJECTION_DIM),
                shape -> AugmentationParams.build(p, shape));
    }
}
