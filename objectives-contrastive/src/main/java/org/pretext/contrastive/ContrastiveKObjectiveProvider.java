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
 * {@code contrastive-k}: a positive pair and k sampled negatives (Arora et al. 2019), see
 * {@link ContrastiveKObjective}. A provider of its own rather than a parameter of {@code simclr}:
 * it draws a fixed number k of negatives per anchor (independent of the batch size, i.i.d. as in
 * the paper's analysis) where SimCLR contrasts every other view of the batch, so it is a
 * different estimator with its own parameter, and {@code simclr} stays exactly SimCLR.
 */
public final class ContrastiveKObjectiveProvider extends ProviderBase implements ObjectiveProvider {
    /** k, negatives per anchor. */
    public static final Param<Integer> NEGATIVES = Param.ofInt("negatives", 16,
            "k, negatives drawn per anchor from the other examples of the batch (with replacement); the paper's"
                    + " bounds hold for any k").atLeast(1);
    /** τ. */
    public static final Param<Double> TEMPERATURE = Param.ofDouble("temperature", 0.5,
            "temperature τ dividing the similarities (the paper's form: 1 with normalize=false)").above(0);
    /** Whether embeddings are ℓ2-normalised. */
    public static final Param<Boolean> NORMALIZE = Param.ofBoolean("normalize", true,
            "ℓ2-normalise the embeddings (cosine similarity); false gives the paper's plain inner product");
    /** Hidden width of the projection head. */
    public static final Param<Integer> PROJECTION_HIDDEN = Param.ofInt("projection-hidden", 128,
            "hidden width of the projection head (0: a single linear layer)").atLeast(0);
    /** Output width of the projection head. */
    public static final Param<Integer> PROJECTION_DIM = Param.ofInt("projection-dim", 64,
            "output width of the projection head").atLeast(1);

    public ContrastiveKObjectiveProvider() {
        super(Versions.SPI_VERSION, "contrastive-k", "Arora et al. 2019: a positive pair and k sampled negatives, logistic (softmax) contrastive loss",
                join(List.of(NEGATIVES, TEMPERATURE, NORMALIZE, PROJECTION_HIDDEN,
                PROJECTION_DIM), AugmentationParams.ALL));
    }

    @Override
    public Objective create(ParamValues p) {
        return new ContrastiveKObjective(p.get(NEGATIVES), p.get(TEMPERATURE), p.get(NORMALIZE),
                p.get(PROJECTION_HIDDEN), p.get(PROJECTION_DIM), shape -> AugmentationParams.build(p, shape));
    }
}
