package org.pretext.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.pretext.PretextException;
import org.pretext.blocks.EmaTarget;
import org.pretext.blocks.MlpHead;
import org.pretext.blocks.Norms;
import org.pretext.blocks.TwoViewObjective;
import org.pretext.data.Batch;
import org.pretext.data.HostTensor;
import org.pretext.data.IndexedSplit;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.PatchEncoder;
import org.pretext.encoder.Patches;
import org.pretext.objective.Distribution;
import org.pretext.objective.Model;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.PreparedBatch;
import org.pretext.objective.StepContext;
import org.pretext.transform.Augmentation;
import org.pretext.transform.MultiCrop;

/**
 * MSN, Masked Siamese Networks (Assran et al. 2022): the representation of a masked view of an
 * image (the anchor) must give the same soft assignment to K learned prototypes as an unmasked
 * view of it through an EMA target network; the formulas are in {@link MsnLoss}.
 *
 * <p>Where each part of the method happens in Pretext's step:
 * <ul>
 *   <li>{@code prepare} (worker thread): two views of every example with the recipe (view 1 the
 *       anchor, view 2 the target) and {@code local-crops} focal views ({@link MultiCrop}); the
 *       anchor is cut into the ViT's patches and a uniform random ⌈{@code mask-ratio}·N⌉ of its N
 *       patches are dropped: what goes to the device is the kept patches' pixels (B, N′, P) and
 *       their positions (B, N′);
 *   <li>{@link #initialize} (once): refuses an encoder that cannot encode a subset of patches
 *       ({@link PatchEncoder}: {@code vit-tiny}), naming it; builds the projection head, the
 *       prototypes ({@link WeightNormLinear} on the ℓ2-normalised projection: the cosines of
 *       {@link MsnLoss}) and the target encoder and head as exact copies tracked by an
 *       {@link EmaTarget};
 *   <li>{@link #loss}: the encoder on the kept patches only (the dropped ones are never seen,
 *       as in MSN; the anchor's feature is the mean of the kept patches' final states, which for a
 *       mean-pooled ViT is the encoder's own feature of the visible part), the focal views whole;
 *       one head and one prototype pass over all anchors; the target encoder and head on view 2,
 *       scored against the same prototypes without gradient;
 *   <li>{@link #afterUpdate}: the target moves towards the encoder and head, with the momentum
 *       rising linearly from {@code base-momentum} to 1 over the run (MSN's schedule);
 *   <li>{@link #saveState}/{@link #loadState}: the target's weights (the prototypes are a head,
 *       saved with the model);
 *   <li>{@link #probedEncoder}: the target encoder by default, as MSN evaluates it.
 * </ul>
 *
 * The focal views are not masked further (lightly's MSN example also drops patches of them): a local view
 * has its own, smaller grid of patches, which {@link PatchEncoder#encodePatches} cannot address.
 */
public final class MsnObjective implements Objective {
    static final String PROJECTOR = "projection";
    static final String PROTOTYPES = "prototypes";
    private static final int STATE_VERSION = 1;

    /**
     * The method's settings, each with its default in {@link MsnObjectiveProvider}.
     *
     * @param hidden width of the projection head's two hidden layers
     * @param dim projection width d
     * @param headBatchNorm BatchNorm after each hidden layer of the head
     * @param prototypes K
     * @param temperature τ of the anchors
     * @param targetTemperature τ⁺ of the targets
     * @param sinkhornIterations Sinkhorn-Knopp iterations on the targets, 0 for none
     * @param meMaxWeight λ of the mean-entropy regulariser
     * @param maskRatio fraction of the anchor's patches dropped, in [0, 1)
     * @param baseMomentum the target's EMA momentum at step 0, rising linearly to 1
     * @param probeTarget whether the runner probes and exports the target encoder (else the encoder trained)
     */
    public record Settings(int hidden, int dim, boolean headBatchNorm, int prototypes, double temperature,
            double targetTemperature, int sinkhornIterations, double meMaxWeight, double maskRatio,
            double baseMomentum, boolean probeTarget) {}

    private final Settings s;
    private final MultiCrop crops;
    private final Function<Shape, Augmentation> globalFor;
    private final Function<Shape, Augmentation> localFor;
    private Augmentation global;
    private Augmentation local;
    private Block projector;
    private WeightNormLinear prototypes;
    private PatchEncoder targetEncoder;
    private Block targetProjector;
    private EmaTarget target;
    private Patches patches;
    private int dropped;

    /**
     * @param globalFor the recipe for the data's example shape (anchor and target views)
     * @param localFor the recipe without its crop for the focal views' shape (C, s, s)
     */
    public MsnObjective(Settings settings, MultiCrop crops, Function<Shape, Augmentation> globalFor,
            Function<Shape, Augmentation> localFor) {
        if (crops.globalViews() != 2) {
            throw new IllegalArgumentException("MSN takes 2 views (anchor and target), got " + crops.globalViews());
        }
        this.s = settings;
        this.crops = crops;
        this.globalFor = globalFor;
        this.localFor = localFor;
    }

    @Override
    public void initialize(ObjectiveSetup setup) {
        if (!(setup.encoder() instanceof PatchEncoder pe)) {
            throw new PretextException("Objective 'msn' masks image patches and needs an encoder that can encode a"
                    + " subset of them (such as 'vit-tiny'), but " + setup.encoderLabel() + " cannot; use --encoder"
                    + " vit-tiny");
        }
        Shape shape = setup.exampleShape();
        int patch = pe.patchSize();
        if (shape.dimension() != 3 || shape.get(1) % patch != 0 || shape.get(2) % patch != 0) {
            throw new PretextException("Objective 'msn' cuts images (channels, height, width) into " + patch + "x"
                    + patch + " patches, but the data has examples of shape " + shape);
        }
        patches = new Patches((int) shape.get(0), (int) shape.get(1), (int) shape.get(2), patch);
        int n = pe.patchCount();
        dropped = (int) Math.ceil(s.maskRatio() * n - 1e-9);
        if (dropped >= n) {
            throw new PretextException("Invalid value " + s.maskRatio() + " for parameter 'mask-ratio' of objective"
                    + " 'msn': it drops " + dropped + " of the " + n + " patches; expected at least one kept");
        }
        crops.checkEncoder(setup, "msn");
        global = globalFor.apply(shape);
        local = crops.localViews() > 0 ? localFor.apply(crops.localShape(shape)) : null;
        int features = setup.encoder().featureSize();
        projector = TwoViewObjective.initialized(headBlock(), setup, features);
        prototypes = new WeightNormLinear(s.dim(), s.prototypes(), false);
        TwoViewObjective.initialized(prototypes, setup, s.dim());
        if (!(setup.newEncoder("msn") instanceof PatchEncoder t)) {
            throw new PretextException("Objective 'msn': the encoder factory made an encoder that cannot encode"
                    + " patches; expected the architecture of " + setup.encoderLabel());
        }
        targetEncoder = t;
        targetEncoder.block().initialize(setup.manager(), DataType.FLOAT32,
                Model.batched(targetEncoder.inputShape(), 2));
        targetProjector = TwoViewObjective.initialized(headBlock(), setup, features);
        target = new EmaTarget(); // copies the initial weights into the target and freezes it
        target.track("encoder", setup.encoder().block(), targetEncoder.block());
        target.track("projection", projector, targetProjector);
    }

    /** MSN's projector: Linear → [BN] → ReLU, twice, then Linear to d (MSN: GELU, 2,048 hidden, d = 256). */
    private Block headBlock() {
        return MlpHead.create(List.of(s.hidden(), s.hidden()), s.dim(), s.headBatchNorm(), false);
    }

    @Override
    public Map<String, Block> heads() {
        return Map.of(PROJECTOR, projector, PROTOTYPES, prototypes);
    }

    @Override
    public Optional<String> embeddingHead() {
        return Optional.of(PROJECTOR);
    }

    /** Patches dropped from each anchor view, ⌈mask-ratio·N⌉. */
    int droppedPatches() {
        return dropped;
    }

    /**
     * The anchor's kept patches (B, N′, P) and their positions (B, N′) as int32, the target view
     * (B, C, H, W), then each focal view (B, C, s, s).
     */
    @Override
    public PreparedBatch prepare(Batch batch, SplittableRandom random) {
        List<HostTensor> views = crops.views(batch.inputs(), global, local, random);
        int b = batch.size();
        int n = patches.count();
        int kept = n - dropped;
        int values = patches.values();
        float[] anchor = views.get(0).floats();
        float[] pixels = new float[b * kept * values];
        int[] positions = new int[b * kept];
        for (int i = 0; i < b; i++) {
            int[] order = IndexedSplit.permutation(n, random); // its first `kept`: a uniform random subset
            java.util.Arrays.sort(order, 0, kept);
            for (int j = 0; j < kept; j++) {
                positions[i * kept + j] = order[j];
                patches.copyPatch(anchor, i, order[j], pixels, (i * kept + j) * values);
            }
        }
        List<HostTensor> out = new ArrayList<>(views.size() + 1);
        out.add(HostTensor.of(pixels, new Shape(b, kept, values)));
        out.add(HostTensor.ofInts(positions, new Shape(b, kept)));
        out.addAll(views.subList(1, views.size()));
        return new PreparedBatch(out);
    }

    /**
     * Sinkhorn-Knopp and the mean-entropy regulariser are taken over the whole batch, so the loss
     * must see the gathered batch: the anchors go through {@code Model.encodeWith} and
     * {@code Model.encode}, the target through {@code Model.forward}.
     */
    @Override
    public Distribution distribution() {
        return Distribution.GATHERED;
    }

    @Override
    public NDArray loss(StepContext ctx, NDList inputs) {
        Model model = ctx.model();
        NDArray features = model.encodeWith(new NDList(inputs.get(0), inputs.get(1)), (e, store, shard) ->
                new NDList(((PatchEncoder) e).encodePatches(store, shard.get(0), shard.get(1), true)
                        .mean(new int[] {1}))).singletonOrThrow();
        if (inputs.size() > 3) {
            NDArray focal = NDArrays.concat(new NDList(inputs.subNDList(3)), 0); // (L·N, C, s, s)
            features = features.concat(model.encode(focal, true), 0);
        }
        NDArray anchors = model.head(PROTOTYPES, Norms.unitRows(model.head(PROJECTOR, features)));
        // the target is float32 state outside the model: it sees the view in its own type (the test kit's
        // gradient check runs the model in float64)
        NDArray view = inputs.get(2).toType(DataType.FLOAT32, false);
        NDList hidden = model.forward(targetEncoder.block(), new NDList(view), true);
        NDArray z = model.forward(targetProjector, hidden, true).singletonOrThrow().stopGradient();
        NDArray targetScores = model.head(PROTOTYPES, Norms.unitRows(z.toType(anchors.getDataType(), false)));
        NDArray targets = MsnLoss.targetProbabilities(targetScores, s.targetTemperature(), s.sinkhornIterations());
        return MsnLoss.loss(anchors, targets, s.temperature(), s.meMaxWeight());
    }

    /** m_k after step k of K: linear from {@code base-momentum} to 1. */
    double momentum(long k, long total) {
        return total <= 0 ? s.baseMomentum() : s.baseMomentum() + (1 - s.baseMomentum()) * Math.min(1.0,
                (double) k / total);
    }

    @Override
    public void afterUpdate(StepContext ctx) {
        double m = momentum(ctx.step(), ctx.totalSteps());
        target.update(m);
        ctx.metric("targetMomentum", m);
    }

    @Override
    public Map<String, String> metricCaptions() {
        return Map.of("targetMomentum", "MSN target EMA momentum (linear to 1)");
    }

    @Override
    public Encoder probedEncoder(Model model) {
        return s.probeTarget() && targetEncoder != null ? targetEncoder : model.encoder();
    }

    /** The target encoder (the EMA of the encoder trained). */
    public Encoder targetEncoder() {
        return targetEncoder;
    }

    /** The prototypes layer. */
    public WeightNormLinear prototypes() {
        return prototypes;
    }

    /** Multi-crop's settings. */
    public MultiCrop crops() {
        return crops;
    }

    /** Version, then the target's weights. */
    @Override
    public void saveState(DataOutputStream out) throws IOException {
        out.writeInt(STATE_VERSION);
        target.write(out);
    }

    @Override
    public void loadState(DataInputStream in, NDManager manager) throws IOException {
        int version = in.readInt();
        if (version != STATE_VERSION) {
            throw new IOException("MSN state format " + version + " is not supported (expected " + STATE_VERSION + ")");
        }
        target.read(in, "MSN target network");
    }
}
