package org.pretext.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.pretext.blocks.TwoViewObjective;
import org.pretext.objective.Distribution;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.StepContext;
import org.pretext.transform.Augmentation;

/**
 * DCL and DCLW (Yeh et al. 2022): SimCLR's two views and projection head trained with the
 * decoupled contrastive loss of {@link DclLoss} (the positive pair out of the denominator), and for
 * DCLW its von Mises–Fisher weighting of the positive term.
 */
public final class DclObjective extends TwoViewObjective {
    static final String HEAD = "projection";
    private final double temperature;
    private final double sigma;
    private final int projectionHidden;
    private final int projectionDim;
    private Block head;

    /** @param sigma σ of DCLW's weighting, 0 for DCL */
    public DclObjective(double temperature, double sigma, int projectionHidden, int projectionDim,
            Function<Shape, Augmentation> augmentationFor) {
        super(augmentationFor);
        this.temperature = temperature;
        this.sigma = sigma;
        this.projectionHidden = projectionHidden;
        this.projectionDim = projectionDim;
    }

    @Override
    protected void build(ObjectiveSetup setup) {
        head = initialized(SimClrProjectionHead.create(projectionHidden, projectionDim), setup,
                setup.encoder().featureSize());
    }

    @Override
    public Optional<String> embeddingHead() {
        return Optional.of(HEAD);
    }

    /** The loss is computed over the gathered batch: its negatives are global. */
    @Override
    public Distribution distribution() {
        return Distribution.GATHERED;
    }

    @Override
    public Map<String, Block> heads() {
        return Map.of(HEAD, head);
    }

    @Override
    public NDArray loss(StepContext ctx, NDList inputs) {
        return DclLoss.compute(project(ctx.model(), HEAD, inputs), temperature, sigma);
    }
}
