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
 * {@code moco}: MoCo v2, see {@link MocoObjective}. Defaults are the paper's where they do not
 * depend on the data's scale (τ = 0.2, m = 0.999, 128-d MLP head); the queue and the head's
 * hidden width are scaled down from ImageNet's 65,536 keys and 2,048 units, because the queue
 * must stay well below the number of training images or it holds older keys of the query's own
 * image as negatives.
 */
public final class MocoObjectiveProvider extends ProviderBase implements ObjectiveProvider {
    /** τ. */
    public static final Param<Double> TEMPERATURE = Param.ofDouble("temperature", 0.2,
            "softmax temperature τ of InfoNCE (MoCo v2: 0.2)").above(0);
    /** m. */
    public static final Param<Double> MOMENTUM = Param.ofDouble("momentum", 0.999,
            "momentum m of the key encoder, θ_k ← m·θ_k + (1−m)·θ_q (MoCo: 0.999)").atLeast(0).atMost(1);
    /** K. */
    public static final Param<Integer> QUEUE_SIZE = Param.ofInt("queue-size", 4096,
            "K, keys in the queue of negatives (MoCo: 65,536 for ImageNet's 1.28M images; keep it well below the"
                    + " dataset size and at least the batch size)").atLeast(1);
    /** Hidden width of the MLP head. */
    public static final Param<Integer> PROJECTION_HIDDEN = Param.ofInt("projection-hidden", 512,
            "hidden width of the MLP head (MoCo v2: 2,048 on ResNet-50; 0: a linear head as in MoCo v1)").atLeast(0);
    /** Output width of the MLP head. */
    public static final Param<Integer> PROJECTION_DIM = Param.ofInt("projection-dim", 128,
            "output width of the head and of the keys (MoCo: 128)").atLeast(1);

    public MocoObjectiveProvider() {
        super(Versions.SPI_VERSION, "moco", "MoCo v2: momentum key encoder, queue of negatives, InfoNCE",
                join(List.of(TEMPERATURE, MOMENTUM, QUEUE_SIZE, PROJECTION_HIDDEN,
                PROJECTION_DIM), AugmentationParams.ALL));
    }

    @Override
    public Objective create(ParamValues p) {
        return new MocoObjective(p.get(TEMPERATURE), p.get(MOMENTUM), p.get(QUEUE_SIZE), p.get(PROJECTION_HIDDEN),
                p.get(PROJECTION_DIM), shape -> AugmentationParams.build(p, shape));
    }
}
