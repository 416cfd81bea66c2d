package org.pretext.contrastive;

import org.pretext.blocks.TwoViewObjective;
import org.pretext.blocks.MlpHead;
import org.pretext.blocks.MomentumSchedule;
import org.pretext.blocks.EmaTarget;
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
import org.pretext.encoder.Encoder;
import org.pretext.objective.Distribution;
import org.pretext.objective.Model;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.StepContext;
import org.pretext.transform.Augmentation;

/**
 * BYOL (Grill et al. 2020): an online network (encoder f_θ, projector g_θ, predictor q_θ) predicts
 * the target network's projection of the other view; the target (f_ξ, g_ξ) is an exponential
 * moving average of the online encoder and projector, ξ ← τ·ξ + (1 − τ)·θ, with τ rising from
 * τ_base to 1 along BYOL's cosine schedule ({@link MomentumSchedule}); its output gets no
 * gradient. The loss is the symmetrised normalised MSE of {@link ByolLoss}. Projector and
 * predictor are {@code Linear → BatchNorm → ReLU → Linear} as in the paper.
 *
 * <p>{@link Target} selects the target for ablations: {@code ema} is BYOL;
 * {@code online-stop-gradient} uses the online network itself, with stop-gradient (τ = 0, the
 * paper's Table 5 ablation; this is SimSiam's design); {@code online} also lets gradients through
 * the target branch, removing the asymmetry that keeps BYOL from collapsing.
 */
public final class ByolObjective extends TwoViewObjective {
    static final String PROJECTOR = "projector";
    static final String PREDICTOR = "predictor";

    /** Which network provides the regression targets. */
    public enum Target {
        /** An EMA of the online encoder and projector (BYOL). */
        EMA("ema"),
        /** The online network, output with stop-gradient (no EMA). */
        ONLINE_STOP_GRADIENT("online-stop-gradient"),
        /** The online network with gradients through both branches (no asymmetry but the predictor). */
        ONLINE("online");

        private final String key;

        Target(String key) {
            this.key = key;
        }

        /** The parameter value naming this target. */
        public String key() {
            return key;
        }

        /** The target named by a parameter value. */
        public static Target of(String key) {
            for (Target t : values()) {
                if (t.key.equals(key)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown BYOL target '" + key + "'");
        }
    }

    private final MomentumSchedule schedule;
    private final int projectionHidden;
    private final int projectionDim;
    private final int predictorHidden;
    private final Target target;
    private Block projector;
    private Block predictor;
    private Encoder targetEncoder;
    private Block targetProjector;
    private EmaTarget ema;
    private boolean probeTarget;

    public ByolObjective(double baseMomentum, int projectionHidden, int projectionDim, int predictorHidden,
            Target target, Function<Shape, Augmentation> augmentationFor) {
        super(augmentationFor);
        this.schedule = MomentumSchedule.cosine(baseMomentum);
        this.projectionHidden = projectionHidden;
        this.projectionDim = projectionDim;
        this.predictorHidden = predictorHidden;
        this.target = target;
    }

    /** Probes and exports the EMA target encoder instead of the online one when {@code yes}. */
    public ByolObjective probingTarget(boolean yes) {
        this.probeTarget = yes;
        return this;
    }

    @Override
    public Encoder probedEncoder(Model model) {
        return probeTarget && targetEncoder != null ? targetEncoder : model.encoder();
    }

    @Override
    protected void build(ObjectiveSetup setup) {
        int features = setup.encoder().featureSize();
        projector = initialized(projectorBlock(), setup, features);
        predictor = initialized(MlpHead.create(List.of(predictorHidden), projectionDim, true, false), setup,
                projectionDim);
        if (target == Target.EMA) {
            targetEncoder = setup.newEncoder("byol");
            targetEncoder.block().initialize(setup.manager(), DataType.FLOAT32,
                    Model.batched(targetEncoder.inputShape(), 2));
            targetProjector = initialized(projectorBlock(), setup, features);
            ema = new EmaTarget();
            ema.track("encoder", setup.encoder().block(), targetEncoder.block());
            ema.track("projector", projector, targetProjector);
        }
    }

    private Block projectorBlock() {
        return MlpHead.create(List.of(projectionHidden), projectionDim, true, false);
    }

    @Override
    public Map<String, String> metricCaptions() {
        return Map.of("targetMomentum", "BYOL's target momentum τ: cosine schedule from its base value to 1");
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
        NDArray views = bothViews(inputs);
        NDArray z = model.head(PROJECTOR, model.encode(views, true));
        NDList p = model.head(PREDICTOR, z).split(2);
        NDArray t = switch (target) {
            case EMA -> {
                NDList h = model.forward(targetEncoder.block(), new NDList(views), true);
                yield model.forward(targetProjector, h, true).singletonOrThrow().stopGradient();
            }
            case ONLINE_STOP_GRADIENT -> z.stopGradient();
            case ONLINE -> z;
        };
        NDList targets = t.split(2);
        return ByolLoss.symmetric(p.get(0), p.get(1), targets.get(0), targets.get(1));
    }

    @Override
    public void afterUpdate(StepContext ctx) {
        if (ema != null) {
            double tau = schedule.at(ctx.step(), ctx.totalSteps());
            ema.update(tau);
            ctx.metric("targetMomentum", tau);
        }
    }

    @Override
    public void saveState(DataOutputStream out) throws IOException {
        out.writeInt(1);
        out.writeBoolean(ema != null);
        if (ema != null) {
            ema.write(out);
        }
    }

    @Override
    public void loadState(DataInputStream in, NDManager manager) throws IOException {
        int version = in.readInt();
        if (version != 1) {
            throw new IOException("BYOL state format " + version + " is not supported (expected 1)");
        }
        boolean hasTarget = in.readBoolean();
        if (hasTarget != (ema != null)) {
            throw new IOException("the checkpoint's BYOL " + (hasTarget ? "has" : "has no") + " EMA target but this"
                    + " objective uses target '" + target.key() + "'");
        }
        if (ema != null) {
            ema.read(in, "BYOL target network");
        }
    }

    /** Which network gives the targets. */
    public Target targetMode() {
        return target;
    }
}
