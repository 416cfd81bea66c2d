package org.pretext.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
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
import org.pretext.engine.HostArrays;
import org.pretext.engine.NoGradient;
import org.pretext.objective.Distribution;
import org.pretext.objective.Model;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.StepContext;
import org.pretext.transform.Augmentation;

/**
 * TiCo (Zhu et al. 2022): the online encoder and projector embed the first view, a momentum copy of
 * them (θ_m ← m·θ_m + (1 − m)·θ, m rising from its base value to 1 on BYOL's cosine schedule) embeds
 * the second without gradient, and {@link TicoLoss} pulls the pair together while pushing the online
 * embedding away from the running covariance C of earlier batches. C (d × d, starting at zero) and the
 * momentum network are the objective's state, checkpointed. Projector {@code Linear → BN → ReLU →
 * Linear}, as BYOL's.
 */
public final class TicoObjective extends TwoViewObjective {
    static final String HEAD = "projection";
    private final double beta;
    private final double rho;
    private final MomentumSchedule schedule;
    private final int projectionHidden;
    private final int projectionDim;
    private Block projector;
    private Encoder targetEncoder;
    private Block targetProjector;
    private EmaTarget ema;
    private NDArray covariance;
    private NDArray pending;

    public TicoObjective(double beta, double rho, double baseMomentum, int projectionHidden, int projectionDim,
            Function<Shape, Augmentation> augmentationFor) {
        super(augmentationFor);
        this.beta = beta;
        this.rho = rho;
        this.schedule = MomentumSchedule.cosine(baseMomentum);
        this.projectionHidden = projectionHidden;
        this.projectionDim = projectionDim;
    }

    @Override
    protected void build(ObjectiveSetup setup) {
        int features = setup.encoder().featureSize();
        projector = initialized(projectorBlock(), setup, features);
        targetEncoder = setup.newEncoder("tico");
        targetEncoder.block().initialize(setup.manager(), DataType.FLOAT32, Model.batched(targetEncoder.inputShape(), 2));
        targetProjector = initialized(projectorBlock(), setup, features);
        ema = new EmaTarget();
        ema.track("encoder", setup.encoder().block(), targetEncoder.block());
        ema.track("projection", projector, targetProjector);
        covariance = setup.manager().zeros(new Shape(projectionDim, projectionDim), DataType.FLOAT32);
    }

    private Block projectorBlock() {
        return MlpHead.create(List.of(projectionHidden), projectionDim, true, false);
    }

    @Override
    public Optional<String> embeddingHead() {
        return Optional.of(HEAD);
    }

    /** B_t and the contrast are over the gathered batch, as in the paper's multi-GPU training. */
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
        return Map.of("targetMomentum", "TiCo's momentum m of the second branch: cosine schedule from its base value to 1");
    }

    @Override
    public NDArray loss(StepContext ctx, NDList inputs) {
        Model model = ctx.model();
        NDArray z1 = model.head(HEAD, model.encode(inputs.get(0), true));
        NDList h = model.forward(targetEncoder.block(), new NDList(inputs.get(1)), true);
        NDArray z2 = model.forward(targetProjector, h, true).singletonOrThrow().stopGradient();
        NDArray previous = covariance.toType(z1.getDataType(), true);
        previous.attach(z1.getManager());
        TicoLoss.Result r = TicoLoss.compute(z1, z2, previous, beta, rho);
        pending = r.covariance().stopGradient().toType(DataType.FLOAT32, false);
        return r.loss();
    }

    @Override
    public void afterUpdate(StepContext ctx) {
        double m = schedule.at(ctx.step(), ctx.totalSteps());
        ema.update(m);
        ctx.metric("targetMomentum", m);
        if (pending != null) {
            NDArray c = pending;
            NoGradient.run(() -> covariance.set(new NDIndex(":"), c));
            pending = null;
        }
    }

    @Override
    public void saveState(DataOutputStream out) throws IOException {
        out.writeInt(1);
        ema.write(out);
        out.writeInt(projectionDim);
        for (float f : covariance.toFloatArray()) {
            out.writeFloat(f);
        }
    }

    @Override
    public void loadState(DataInputStream in, NDManager manager) throws IOException {
        int version = in.readInt();
        if (version != 1) {
            throw new IOException("TiCo state format " + version + " is not supported (expected 1)");
        }
        ema.read(in, "TiCo momentum network");
        int d = in.readInt();
        if (d != projectionDim) {
            throw new IOException("the checkpoint's TiCo covariance is " + d + " × " + d + " but this objective has"
                    + " projection-dim " + projectionDim);
        }
        float[] c = new float[d * d];
        for (int i = 0; i < c.length; i++) {
            c[i] = in.readFloat();
        }
        HostArrays.copyInto(covariance, c);
    }

    /** The running covariance C, for tests. */
    NDArray covariance() {
        return covariance;
    }
}
