package org.pretext.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.pretext.blocks.EmaTarget;
import org.pretext.blocks.MlpHead;
import org.pretext.blocks.MomentumSchedule;
import org.pretext.blocks.TwoViewObjective;
import org.pretext.encoder.Encoder;
import org.pretext.objective.Distribution;
import org.pretext.objective.Model;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.StepContext;
import org.pretext.transform.Augmentation;

/**
 * MoCo v3 (Chen, Xie and He 2021): a base encoder with projector and predictor, a momentum encoder
 * with projector (θ_k ← m·θ_k + (1 − m)·θ_q, m rising from its base value to 1 on a cosine schedule),
 * both views through both, and the symmetrised in-batch InfoNCE of {@link MocoV3Loss}; no queue.
 * Projector {@code (Linear → BN → ReLU) × 2 → Linear → BN}, predictor {@code Linear → BN → ReLU →
 * Linear}, as in the paper. The momentum encoder is part of the objective's state.
 */
public final class MocoV3Objective extends TwoViewObjective {
    static final String PROJECTOR = "projection";
    static final String PREDICTOR = "prediction";
    private final double temperature;
    private final MomentumSchedule schedule;
    private final int projectionHidden;
    private final int projectionDim;
    private final int predictorHidden;
    private Block projector;
    private Block predictor;
    private Encoder keyEncoder;
    private Block keyProjector;
    private EmaTarget ema;

    public MocoV3Objective(double temperature, double baseMomentum, int projectionHidden, int projectionDim,
            int predictorHidden, Function<Shape, Augmentation> augmentationFor) {
        super(augmentationFor);
        this.temperature = temperature;
        this.schedule = MomentumSchedule.cosine(baseMomentum);
        this.projectionHidden = projectionHidden;
        this.projectionDim = projectionDim;
        this.predictorHidden = predictorHidden;
    }

    @Override
    protected void build(ObjectiveSetup setup) {
        int features = setup.encoder().featureSize();
        projector = initialized(projectorBlock(), setup, features);
        predictor = initialized(MlpHead.create(List.of(predictorHidden), projectionDim, true, false), setup,
                projectionDim);
        keyEncoder = setup.newEncoder("moco-v3");
        keyEncoder.block().initialize(setup.manager(), DataType.FLOAT32, Model.batched(keyEncoder.inputShape(), 2));
        keyProjector = initialized(projectorBlock(), setup, features);
        ema = new EmaTarget();
        ema.track("encoder", setup.encoder().block(), keyEncoder.block());
        ema.track("projection", projector, keyProjector);
    }

    private Block projectorBlock() {
        return MlpHead.create(List.of(projectionHidden, projectionHidden), projectionDim, true, true);
    }

    @Override
    public Optional<String> embeddingHead() {
        return Optional.of(PROJECTOR);
    }

    /** The loss is computed over the gathered batch: its negatives are global. */
    @Override
    public Distribution distribution() {
        return Distribution.GATHERED;
    }

    @Override
    public Map<String, Block> heads() {
        return Map.of(PROJECTOR, projector, PREDICTOR, predictor);
    }

    @Override
    public Map<String, String> metricCaptions() {
        return Map.of("targetMomentum", "MoCo v3's momentum m of the key encoder: cosine schedule from its base value"
                + " to 1");
    }

    @Override
    public NDArray loss(StepContext ctx, NDList inputs) {
        Model model = ctx.model();
        NDArray views = bothViews(inputs);
        NDList q = model.head(PREDICTOR, model.head(PROJECTOR, model.encode(views, true))).split(2);
        NDList h = model.forward(keyEncoder.block(), new NDList(views), true);
        NDList k = model.forward(keyProjector, h, true).singletonOrThrow().stopGradient().split(2);
        return MocoV3Loss.compute(q.get(0), q.get(1), k.get(0), k.get(1), temperature);
    }

    @Override
    public void afterUpdate(StepContext ctx) {
        double m = schedule.at(ctx.step(), ctx.totalSteps());
        ema.update(m);
        ctx.metric("targetMomentum", m);
    }

    @Override
    public void saveState(DataOutputStream out) throws IOException {
        out.writeInt(1);
        ema.write(out);
    }

    @Override
    public void loadState(DataInputStream in, NDManager manager) throws IOException {
        int version = in.readInt();
        if (version != 1) {
            throw new IOException("MoCo v3 state format " + version + " is not supported (expected 1)");
        }
        ema.read(in, "MoCo v3 momentum encoder");
    }
}
