package org.pretext.contrastive;

import org.pretext.blocks.TwoViewObjective;
import org.pretext.blocks.MlpHead;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
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
 * VICReg (Bardes, Ponce and LeCun 2022): encoder and expander (two {@code Linear → BatchNorm →
 * ReLU} layers and a final linear layer) on two views, trained with the invariance, variance and
 * covariance terms of {@link VicRegLoss}; each term is reported as a metric
 * ({@code invariance}, {@code variance}, {@code covariance}).
 */
public final class VicRegObjective extends TwoViewObjective {
    static final String HEAD = "expander";
    private final double invarianceWeight;
    private final double varianceWeight;
    private final double covarianceWeight;
    private final int expanderHidden;
    private final int expanderDim;
    private Block expander;

    public VicRegObjective(double invarianceWeight, double varianceWeight, double covarianceWeight, int expanderHidden,
            int expanderDim, Function<Shape, Augmentation> augmentationFor) {
        super(augmentationFor);
        this.invarianceWeight = invarianceWeight;
        this.varianceWeight = varianceWeight;
        this.covarianceWeight = covarianceWeight;
        this.expanderHidden = expanderHidden;
        this.expanderDim = expanderDim;
    }

    @Override
    protected void build(ObjectiveSetup setup) {
        expander = initialized(MlpHead.create(List.of(expanderHidden, expanderHidden), expanderDim, true, false), setup,
                setup.encoder().featureSize());
    }

    @Override
    public Map<String, String> metricCaptions() {
        return Map.of("invariance", "VICReg's invariance term: mean squared distance of the two views' embeddings",
                "variance", "VICReg's variance term: hinge on each embedding dimension's standard deviation below 1",
                "covariance", "VICReg's covariance term: squared off-diagonal covariances of the embedding, per dimension");
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
        return Map.of(HEAD, expander);
    }

    @Override
    public NDArray loss(StepContext ctx, NDList inputs) {
        NDList z = project(ctx.model(), HEAD, inputs).split(2);
        VicRegLoss.Terms t = VicRegLoss.compute(z.get(0), z.get(1), invarianceWeight, varianceWeight,
                covarianceWeight);
        ctx.metric("invariance", t.invariance().toType(DataType.FLOAT32, false).getFloat());
        ctx.metric("variance", t.variance().toType(DataType.FLOAT32, false).getFloat());
        ctx.metric("covariance", t.covariance().toType(DataType.FLOAT32, false).getFloat());
        return t.total();
    }
}
