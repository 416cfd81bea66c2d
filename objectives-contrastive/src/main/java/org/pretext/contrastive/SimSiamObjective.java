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
import org.pretext.objective.Model;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.StepContext;
import org.pretext.transform.Augmentation;

/**
 * SimSiam (Chen and He 2021): encoder f with a projector (three linear layers, BatchNorm after
 * each, ReLU after the first two), a bottleneck predictor h ({@code Linear → BatchNorm → ReLU →
 * Linear}), and the symmetrised negative cosine of {@link SimSiamLoss} between each view's
 * prediction and the other view's projection under stop-gradient. No target network, no
 * negatives. {@code stopGradient = false} is the paper's Figure 2 ablation, which collapses.
 */
public final class SimSiamObjective extends TwoViewObjective {
    static final String PROJECTOR = "projector";
    static final String PREDICTOR = "predictor";
    private final int projectionHidden;
    private final int projectionDim;
    private final int predictorHidden;
    private final boolean stopGradient;
    private Block projector;
    private Block predictor;

    public SimSiamObjective(int projectionHidden, int projectionDim, int predictorHidden, boolean stopGradient,
            Function<Shape, Augmentation> augmentationFor) {
        super(augmentationFor);
        this.projectionHidden = projectionHidden;
        this.projectionDim = projectionDim;
        this.predictorHidden = predictorHidden;
        this.stopGradient = stopGradient;
    }

    @Override
    protected void build(ObjectiveSetup setup) {
        projector = initialized(MlpHead.create(List.of(projectionHidden, projectionHidden), projectionDim, true, true),
                setup, setup.encoder().featureSize());
        predictor = initialized(MlpHead.create(List.of(predictorHidden), projectionDim, true, false), setup,
                projectionDim);
    }

    @Override
    public Optional<String> embeddingHead() {
        return Optional.of(PROJECTOR);
    }

    /** The loss is computed over the gathered batch: its negatives and batch statistics are global. */
    @Override
    public Distribution distribution() {
        return Distribution.GATHERED;
    }

    @Override
    public Map<String, Block> heads() {
        return Map.of(PROJECTOR, projector, PREDICTOR, predictor);
    }

    @Override
    public NDArray loss(StepContext ctx, NDList inputs) {
        Model model = ctx.model();
        NDArray z = project(model, PROJECTOR, inputs);
        NDList p = model.head(PREDICTOR, z).split(2);
        NDList t = (stopGradient ? z.stopGradient() : z).split(2);
        return SimSiamLoss.symmetric(p.get(0), p.get(1), t.get(0), t.get(1));
    }
}
