package org.pretext.contrastive;

import org.pretext.blocks.TwoViewObjective;
import org.pretext.blocks.MlpHead;
import org.pretext.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.pretext.objective.Distribution;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.StepContext;
import org.pretext.transform.Augmentation;

/**
 * Spectral contrastive learning (HaoChen, Wei, Gaidon and Ma 2021): encoder and projector
 * ({@code Linear → BatchNorm → ReLU → Linear}) on two views with the loss of
 * {@link SpectralContrastiveLoss}. As in the authors' code, embeddings longer than √μ are scaled
 * back to norm √μ and the loss is divided by μ, which bounds the quadratic term early in training.
 */
public final class SpectralObjective extends TwoViewObjective {
    static final String HEAD = "projector";
    private final double mu;
    private final int projectionHidden;
    private final int projectionDim;
    private Block projector;

    public SpectralObjective(double mu, int projectionHidden, int projectionDim,
            Function<Shape, Augmentation> augmentationFor) {
        super(augmentationFor);
        this.mu = mu;
        this.projectionHidden = projectionHidden;
        this.projectionDim = projectionDim;
    }

    @Override
    protected void build(ObjectiveSetup setup) {
        projector = initialized(MlpHead.create(List.of(projectionHidden), projectionDim, true, false), setup,
                setup.encoder().featureSize());
    }

    @Override
    public Optional<String> embeddingHead() {
        return Optional.of(HEAD);
    }

    /** The loss is computed over the gathered batch: its negatives and batch statistics are global. */
    @Override
    public Distribution distribution() {
        return Distribution.GATHERED;
    }

    @Override
    public Map<String, Block> heads() {
        return Map.of(HEAD, projector);
    }

    @Override
    public NDArray loss(StepContext ctx, NDList inputs) {
        NDArray z = project(ctx.model(), HEAD, inputs);
        float radius = (float) Math.sqrt(mu);
        NDArray bounded = Scalars.mul(z, radius).div(Scalars.maximum(z.norm(new int[] {1}, true), radius));
        NDList v = bounded.split(2);
        return Scalars.div(SpectralContrastiveLoss.compute(v.get(0), v.get(1)), mu);
    }
}
