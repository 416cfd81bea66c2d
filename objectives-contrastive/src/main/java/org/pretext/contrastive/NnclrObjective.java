package org.pretext.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.pretext.Seeds;
import org.pretext.blocks.MlpHead;
import org.pretext.blocks.NegativeQueue;
import org.pretext.blocks.Norms;
import org.pretext.blocks.TwoViewObjective;
import org.pretext.objective.Distribution;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.StepContext;
import org.pretext.transform.Augmentation;

/**
 * NNCLR (Dwibedi et al. 2021): SimCLR whose positive for each view is the nearest neighbour of its
 * projection in a support set of earlier projections, contrasted with the other view's prediction
 * ({@link NnclrLoss}, where the formula and the paper's defaults are). Projector
 * {@code Linear → BN → ReLU → Linear → BN → ReLU → Linear → BN} and predictor
 * {@code Linear → BN → ReLU → Linear}, as in the paper. After every update the first view's
 * normalised projections of the whole (gathered) batch replace the oldest in the support set, which
 * starts as random unit vectors and is part of the objective's state.
 */
public final class NnclrObjective extends TwoViewObjective {
    static final String PROJECTOR = "projection";
    static final String PREDICTOR = "prediction";
    private final double temperature;
    private final int queueSize;
    private final int projectionHidden;
    private final int projectionDim;
    private final int predictorHidden;
    private Block projector;
    private Block predictor;
    private NegativeQueue support;
    private NDArray pending;

    public NnclrObjective(double temperature, int queueSize, int projectionHidden, int projectionDim,
            int predictorHidden, Function<Shape, Augmentation> augmentationFor) {
        super(augmentationFor);
        this.temperature = temperature;
        this.queueSize = queueSize;
        this.projectionHidden = projectionHidden;
        this.projectionDim = projectionDim;
        this.predictorHidden = predictorHidden;
    }

    @Override
    protected void build(ObjectiveSetup setup) {
        projector = initialized(MlpHead.create(List.of(projectionHidden, projectionHidden), projectionDim, true, true),
                setup, setup.encoder().featureSize());
        predictor = initialized(MlpHead.create(List.of(predictorHidden), projectionDim, true, false), setup,
                projectionDim);
        support = new NegativeQueue(setup.manager(), queueSize, projectionDim, Seeds.derive(setup.seed(), 0x22c1L));
    }

    @Override
    public Optional<String> embeddingHead() {
        return Optional.of(PROJECTOR);
    }

    /** The loss is computed over the gathered batch, and the support set receives the gathered batch. */
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
        NDArray z = project(ctx.model(), PROJECTOR, inputs);
        NDList p = ctx.model().head(PREDICTOR, z).split(2);
        NDList zs = z.split(2);
        NDArray loss = NnclrLoss.compute(zs.get(0), zs.get(1), p.get(0), p.get(1), support.keys(), temperature);
        pending = Norms.unitRows(zs.get(0).stopGradient()).toType(support.keys().getDataType(), false);
        return loss;
    }

    @Override
    public void afterUpdate(StepContext ctx) {
        if (pending != null) {
            support.enqueue(pending);
            pending = null;
        }
    }

    @Override
    public void saveState(DataOutputStream out) throws IOException {
        out.writeInt(1);
        support.write(out);
    }

    @Override
    public void loadState(DataInputStream in, NDManager manager) throws IOException {
        int version = in.readInt();
        if (version != 1) {
            throw new IOException("NNCLR state format " + version + " is not supported (expected 1)");
        }
        support.read(in, "NNCLR support set");
    }

    /** The support set, for tests. */
    NegativeQueue support() {
        return support;
    }
}
