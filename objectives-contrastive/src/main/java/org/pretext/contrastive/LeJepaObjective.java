package org.pretext.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.pretext.blocks.MlpHead;
import org.pretext.blocks.TwoViewObjective;
import org.pretext.objective.Distribution;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.StepContext;
import org.pretext.transform.Augmentation;

/**
 * LeJEPA (Balestriero and LeCun 2025) on two views: encoder and projector
 * ({@code Linear → BN → ReLU} twice, then {@code Linear}, as in the authors' minimal example),
 * trained with {@link SigRegLoss}: SIGReg pulls each view's projections towards an isotropic
 * Gaussian along M random directions drawn afresh every step from the engine's seeded generator,
 * and the prediction term pulls the views towards their centre. No stop-gradient, no target
 * network, no negatives. The two terms are logged as {@code sigreg} and {@code prediction}.
 * Multi-crop (LeJEPA's 2 global + 6 local views) is not supported yet.
 */
public final class LeJepaObjective extends TwoViewObjective {
    static final String HEAD = "projection";
    private final double lambda;
    private final int slices;
    private final int projectionHidden;
    private final int projectionDim;
    private Block projector;

    public LeJepaObjective(double lambda, int slices, int projectionHidden, int projectionDim,
            Function<Shape, Augmentation> augmentationFor) {
        super(augmentationFor);
        this.lambda = lambda;
        this.slices = slices;
        this.projectionHidden = projectionHidden;
        this.projectionDim = projectionDim;
    }

    @Override
    protected void build(ObjectiveSetup setup) {
        projector = initialized(MlpHead.create(List.of(projectionHidden, projectionHidden), projectionDim, true, false),
                setup, setup.encoder().featureSize());
    }

    @Override
    public Optional<String> embeddingHead() {
        return Optional.of(HEAD);
    }

    /** SIGReg's characteristic functions are means over the gathered batch, as the authors' all-reduce makes them. */
    @Override
    public Distribution distribution() {
        return Distribution.GATHERED;
    }

    @Override
    public Map<String, Block> heads() {
        return Map.of(HEAD, projector);
    }

    @Override
    public Map<String, String> metricCaptions() {
        return Map.of("sigreg", "LeJEPA's SIGReg: mean Epps–Pulley statistic of random 1-D projections against N(0,1)",
                "prediction", "LeJEPA's prediction term: mean squared distance of each view's projection from the views'"
                        + " centre");
    }

    @Override
    public NDArray loss(StepContext ctx, NDList inputs) {
        NDList z = project(ctx.model(), HEAD, inputs).split(2);
        NDArray directions = z.get(0).getManager().randomNormal(0, 1, new Shape(projectionDim, slices),
                z.get(0).getDataType());
        SigRegLoss.Terms t = SigRegLoss.compute(List.of(z.get(0), z.get(1)), directions, lambda);
        ctx.metric("sigreg", t.sigreg().toType(DataType.FLOAT32, false).getFloat());
        ctx.metric("prediction", t.prediction().toType(DataType.FLOAT32, false).getFloat());
        return t.total();
    }
}
