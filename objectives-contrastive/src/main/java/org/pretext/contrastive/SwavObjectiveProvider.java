package org.pretext.contrastive;

import java.util.List;
import org.pretext.Versions;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderBase;
import org.pretext.transform.AugmentationParams;
import org.pretext.transform.MultiCrop;

/**
 * {@code swav}: SwAV with multi-crop, see {@link SwavObjective} and, for the formulas,
 * {@link SwavLoss}. τ, ε, the iterations and the local crops' scale are the paper's; the widths are
 * scaled down for 128-feature encoders on a CPU; per-epoch settings are fractions of the run.
 */
public final class SwavObjectiveProvider extends ProviderBase implements ObjectiveProvider {
    public static final Param<Integer> HIDDEN = Param.ofInt("projection-hidden", 512,
            "hidden width of the projector (SwAV: 2,048; scaled down for a CPU)").atLeast(1);
    public static final Param<Integer> DIM = Param.ofInt("projection-dim", 128,
            "width of the l2-normalised projection (SwAV: 128)").atLeast(1);
    public static final Param<Integer> PROTOTYPES = Param.ofInt("prototypes", 300,
            "K, the number of prototypes (SwAV: 3,000 on ImageNet; scaled down for a CPU)").atLeast(2);
    public static final Param<Double> TEMPERATURE = Param.ofDouble("temperature", 0.1,
            "τ of the softmax over prototype scores (SwAV: 0.1)").above(0);
    public static final Param<Double> EPSILON = Param.ofDouble("epsilon", 0.05,
            "ε, the entropic regularisation of Sinkhorn-Knopp (SwAV: 0.05)").above(0);
    public static final Param<Integer> ITERATIONS = Param.ofInt("sinkhorn-iterations", 3,
            "Sinkhorn-Knopp iterations (SwAV: 3)").atLeast(1);
    public static final Param<Integer> QUEUE = Param.ofInt("queue-size", 0,
            "R, stored projections per global view whose scores join the batch's in Sinkhorn-Knopp, 0 for none"
                    + " (SwAV: 3,840 for batches of 256; its code's default 0)").atLeast(0);
    public static final Param<Double> QUEUE_START = Param.ofDouble("queue-start", 0.15,
            "fraction of the run before which the queue is not used (SwAV: from epoch 15)").atLeast(0).atMost(1);
    public static final Param<Double> FREEZE_PROTOTYPES = Param.ofDouble("freeze-prototypes", 0.01,
            "fraction of the run during which the prototypes are not updated (SwAV: the first 313 iterations,"
                    + " about its first epoch)").atLeast(0).atMost(1);

    public SwavObjectiveProvider() {
        super(Versions.SPI_VERSION, "swav",
                "SwAV (Caron et al. 2020): every view's prototype scores predict the Sinkhorn-Knopp codes of the other"
                        + " global views; multi-crop, queue",
                join(join(List.of(HIDDEN, DIM, PROTOTYPES, TEMPERATURE, EPSILON, ITERATIONS, QUEUE, QUEUE_START,
                        FREEZE_PROTOTYPES), MultiCrop.PARAMS), AugmentationParams.ALL));
    }

    @Override
    public Objective create(ParamValues p) {
        return new SwavObjective(new SwavObjective.Settings(p.get(HIDDEN), p.get(DIM), p.get(PROTOTYPES),
                p.get(TEMPERATURE), p.get(EPSILON), p.get(ITERATIONS), p.get(QUEUE), p.get(QUEUE_START),
                p.get(FREEZE_PROTOTYPES)), MultiCrop.of(p, 2), shape -> AugmentationParams.build(p, shape),
                shape -> AugmentationParams.buildUncropped(p, shape));
    }
}
