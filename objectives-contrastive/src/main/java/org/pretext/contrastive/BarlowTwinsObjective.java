package org.pretext.contrastive;

import org.pretext.blocks.TwoViewObjective;
import org.pretext.blocks.MlpHead;
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
 * Barlow Twins (Zbontar et al. 2021): encoder and projector (two {@code Linear → BatchNorm →
 * ReLU} layers and a final linear layer) on two views, the cross-correlation of the
 * batch-standardised embeddings driven towards the identity ({@link BarlowTwinsLoss}) with
 * off-diagonal weight λ.
 */
public final class BarlowTwinsObjective extends TwoViewObjective {
    static final String HEAD = "projector";
    private final double lambda;
    private final int projectorHidden;
    private final int projectionDim;
    private Block projector;

    public BarlowTwinsObjective(double lambda, int projectorHidden, int projectionDim,
            Function<Shape, Augmentation> augmentationFor) {
        super(augmentationFor);
        this.lambda = lambda;
        this.projectorHidden = projectorHidden;
        this.projectionDim = projectionDim;
    }

    @Override
    protected void build(ObjectiveSetup setup) {
        projector = initialized(MlpHead.create(List.of(projectorHidden, projectorHidden), projectionDim, true, false),
                setup, setup.encoder().featureSize());
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
        NDList z = project(ctx.model(), HEAD, inputs).split(2);
        return BarlowTwinsLoss.compute(z.get(0), z.get(1), lambda);
    }
}
