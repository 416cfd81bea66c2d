package org.pretext.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.pretext.blocks.EmaTarget;
import org.pretext.blocks.MlpHead;
import org.pretext.blocks.MomentumSchedule;
import org.pretext.blocks.Norms;
import org.pretext.blocks.TwoViewObjective;
import org.pretext.data.Batch;
import org.pretext.encoder.Encoder;
import org.pretext.engine.NoGradient;
import org.pretext.objective.Distribution;
import org.pretext.objective.Model;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.PreparedBatch;
import org.pretext.objective.StepContext;
import org.pretext.transform.Augmentation;
import org.pretext.transform.MultiCrop;

/**
 * DINO, self-distillation with no labels (Caron et al. 2021), with multi-crop: a student network
 * (the encoder being trained and its head) learns to give, for every view of an image, the output
 * distribution a teacher network gives for each other global view. The teacher has the student's
 * architecture and is an exponential moving average of it; its outputs are centred and sharpened.
 * The formulas are in {@link DinoLoss}.
 *
 * <p>Where each part of the method happens in Pretext's step:
 * <ul>
 *   <li>{@code prepare} (worker thread): two global views of every example with the recipe, and
 *       {@code local-crops} local views of {@code local-crop-size} pixels ({@link MultiCrop});
 *   <li>{@link #initialize} (once): refuses an encoder that cannot take the local views, naming it;
 *       builds the student's head, the teacher encoder and head as exact copies tracked by an
 *       {@link EmaTarget}, and the centre, all in the model's long-lived manager;
 *   <li>{@link #loss}: the student on every view (the global views in one encoder pass, the local
 *       ones in another, one head pass over all), the teacher on the global views only; targets from
 *       the centre and the step's teacher temperature;
 *   <li>{@link #beforeUpdate}: during the first {@code freeze-last-layer} of the run (DINO: the
 *       first epoch) the prototypes' gradient is set to zero, so the optimizer leaves them in place;
 *   <li>{@link #afterUpdate}: the centre moves towards the batch's teacher mean, then the teacher
 *       towards the student (cosine momentum schedule, 0.996 → 1);
 *   <li>{@link #saveState}/{@link #loadState}: the centre and the teacher's weights, for an exact resume;
 *   <li>{@link #probedEncoder}: the teacher by default (the paper evaluates the teacher).
 * </ul>
 *
 * The head is DINO's: an MLP with two hidden layers (ReLU where DINO has GELU) to a bottleneck,
 * ℓ2 normalisation, then weight-normalised prototypes. The same method without multi-crop is the
 * plug-in example {@code examples/dino-plugin} ({@code example-dino}).
 */
public final class DinoObjective implements Objective {
    static final String HEAD = "dino-head";
    private static final int STATE_VERSION = 1;

    /**
     * The method's settings, each with DINO's default in {@link DinoObjectiveProvider}.
     *
     * @param hidden hidden width of the head's MLP (two hidden layers)
     * @param bottleneck width of the ℓ2-normalised bottleneck
     * @param headBatchNorm BatchNorm after each hidden layer of the head
     * @param prototypes K, the output width
     * @param normLastLayer whether every prototype keeps length 1 (else each has a trained gain)
     * @param studentTemperature τ_s
     * @param teacherTemperature τ, the teacher temperature after the warm-up
     * @param warmupTeacherTemperature τ_w, the teacher temperature at step 0
     * @param warmupFraction the fraction of the run over which τ_t rises from τ_w to τ
     * @param centreMomentum m of the centre's moving average
     * @param baseMomentum λ₀ of the teacher's moving average, rising to 1 along a cosine
     * @param freezeLastLayer the fraction of the run during which the prototypes are not updated
     * @param probeTeacher whether the runner probes and exports the teacher encoder (else the student)
     */
    public record Settings(int hidden, int bottleneck, boolean headBatchNorm, int prototypes, boolean normLastLayer,
            double studentTemperature, double teacherTemperature, double warmupTeacherTemperature,
            double warmupFraction, double centreMomentum, double baseMomentum, double freezeLastLayer,
            boolean probeTeacher) {}

    private final Settings s;
    private final MultiCrop crops;
    private final Function<Shape, Augmentation> globalFor;
    private final Function<Shape, Augmentation> localFor;
    private final MomentumSchedule momentum;
    private Augmentation global;
    private Augmentation local;
    private Block head;
    private WeightNormLinear prototypes;
    private Encoder teacherEncoder;
    private Block teacherHead;
    private EmaTarget teacher;
    private NDArray centre;
    /** The teacher's mean output of this step's batch: made in loss, used and dropped in afterUpdate. */
    private NDArray batchCentre;

    /**
     * @param globalFor the recipe for the data's example shape (the global views)
     * @param localFor the recipe without its crop for the local views' shape (C, s, s)
     */
    public DinoObjective(Settings settings, MultiCrop crops, Function<Shape, Augmentation> globalFor,
            Function<Shape, Augmentation> localFor) {
        if (crops.globalViews() != 2) {
            throw new IllegalArgumentException("DINO takes 2 global views, got " + crops.globalViews());
        }
        this.s = settings;
        this.crops = crops;
        this.globalFor = globalFor;
        this.localFor = localFor;
        this.momentum = MomentumSchedule.cosine(settings.baseMomentum());
    }

    @Override
    public void initialize(ObjectiveSetup setup) {
        crops.checkEncoder(setup, "dino");
        global = globalFor.apply(setup.exampleShape());
        local = crops.localViews() > 0 ? localFor.apply(crops.localShape(setup.exampleShape())) : null;
        int features = setup.encoder().featureSize();
        prototypes = new WeightNormLinear(s.bottleneck(), s.prototypes(), !s.normLastLayer());
        head = TwoViewObjective.initialized(headBlock(prototypes), setup, features);
        teacherEncoder = setup.newEncoder("dino");
        teacherEncoder.block().initialize(setup.manager(), DataType.FLOAT32,
                Model.batched(teacherEncoder.inputShape(), 2));
        teacherHead = TwoViewObjective.initialized(
                headBlock(new WeightNormLinear(s.bottleneck(), s.prototypes(), !s.normLastLayer())), setup, features);
        teacher = new EmaTarget(); // copies the student's initial weights into the teacher and freezes it
        teacher.track("encoder", setup.encoder().block(), teacherEncoder.block());
        teacher.track("head", head, teacherHead);
        centre = setup.manager().zeros(new Shape(1, s.prototypes()), DataType.FLOAT32);
    }

    /** MLP → ℓ2-normalised bottleneck → weight-normalised prototypes. */
    private Block headBlock(WeightNormLinear last) {
        return new SequentialBlock()
                .add(MlpHead.create(List.of(s.hidden(), s.hidden()), s.bottleneck(), s.headBatchNorm(), false))
                .addSingleton(Norms::unitRows)
                .add(last);
    }

    @Override
    public Map<String, Block> heads() {
        return Map.of(HEAD, head);
    }

    /** Global views 1 and 2 (B, C, H, W), then each local view (B, C, s, s). */
    @Override
    public PreparedBatch prepare(Batch batch, SplittableRandom random) {
        return new PreparedBatch(crops.views(batch.inputs(), global, local, random));
    }

    /**
     * The centre is the mean of the teacher's outputs over the batch, so with several devices the
     * loss must see the gathered batch: the student goes through {@code Model.encode} (once per view
     * size), the teacher through {@code Model.forward} over the gathered global views.
     */
    @Override
    public Distribution distribution() {
        return Distribution.GATHERED;
    }

    @Override
    public NDArray loss(StepContext ctx, NDList inputs) {
        Model model = ctx.model();
        NDArray globals = inputs.get(0).concat(inputs.get(1), 0); // (2N, ...): view 1's rows, then view 2's
        NDArray features = model.encode(globals, true);
        if (inputs.size() > 2) {
            NDArray locals = NDArrays.concat(new NDList(inputs.subNDList(2)), 0); // (L·N, C, s, s)
            features = features.concat(model.encode(locals, true), 0);
        }
        NDArray student = model.head(HEAD, features);
        // the teacher is float32 state outside the model: it sees the views in its own type (the test kit's
        // gradient check runs the student in float64)
        NDList hidden = model.forward(teacherEncoder.block(), new NDList(globals.toType(DataType.FLOAT32, false)), true);
        NDArray teacherOut = model.forward(teacherHead, hidden, true).singletonOrThrow().stopGradient();
        double tau = teacherTemperature(ctx.step(), ctx.totalSteps());
        NDArray targets = DinoLoss.teacherProbabilities(teacherOut, centre, tau).toType(student.getDataType(), false);
        batchCentre = DinoLoss.batchCentre(teacherOut); // in the step's manager, like every array made here
        ctx.metric("teacherTemperature", tau);
        return DinoLoss.crossEntropy(student, targets, s.studentTemperature());
    }

    /** The prototypes stay where they are for the first {@code freezeLastLayer} of the run. */
    @Override
    public void beforeUpdate(StepContext ctx) {
        if (lastLayerFrozen(ctx.step(), ctx.totalSteps())) {
            for (Parameter p : prototypes.trained()) {
                try (NDArray g = p.getArray().getGradient()) {
                    g.subi(g);
                }
            }
        }
    }

    @Override
    public void afterUpdate(StepContext ctx) {
        if (batchCentre != null) {
            NDArray c = batchCentre;
            batchCentre = null; // freed with the step's manager
            NoGradient.run(() -> DinoLoss.updateCentre(centre, c, s.centreMomentum()));
        }
        double m = momentum.at(ctx.step(), ctx.totalSteps());
        teacher.update(m);
        ctx.metric("teacherMomentum", m);
    }

    @Override
    public Map<String, String> metricCaptions() {
        return Map.of("teacherTemperature", "DINO teacher temperature τ_t (warm-up)",
                "teacherMomentum", "DINO teacher EMA momentum λ");
    }

    /** Whether step {@code k} of {@code total} leaves the prototypes unchanged. */
    boolean lastLayerFrozen(long k, long total) {
        return k < Math.round(s.freezeLastLayer() * total);
    }

    double teacherTemperature(long k, long total) {
        return DinoLoss.teacherTemperature(k, total, s.warmupTeacherTemperature(), s.teacherTemperature(),
                s.warmupFraction());
    }

    @Override
    public Encoder probedEncoder(Model model) {
        return s.probeTeacher() && teacherEncoder != null ? teacherEncoder : model.encoder();
    }

    /** The teacher encoder (the EMA of the student's). */
    public Encoder teacherEncoder() {
        return teacherEncoder;
    }

    /** The centre's current values. */
    public float[] centre() {
        return centre.toFloatArray();
    }

    /** The student's prototypes layer. */
    public WeightNormLinear prototypes() {
        return prototypes;
    }

    /** Multi-crop's settings. */
    public MultiCrop crops() {
        return crops;
    }

    /** Version, K, the centre's K float32 values, then the teacher's weights. */
    @Override
    public void saveState(DataOutputStream out) throws IOException {
        out.writeInt(STATE_VERSION);
        float[] c = centre.toFloatArray();
        out.writeInt(c.length);
        for (float v : c) {
            out.writeFloat(v);
        }
        teacher.write(out);
    }

    @Override
    public void loadState(DataInputStream in, NDManager manager) throws IOException {
        int version = in.readInt();
        if (version != STATE_VERSION) {
            throw new IOException("DINO state format " + version + " is not supported (expected " + STATE_VERSION + ")");
        }
        int k = in.readInt();
        if (k != s.prototypes()) {
            throw new IOException("the checkpoint's DINO centre has " + k + " prototypes but this objective has "
                    + s.prototypes() + " (out-dim)");
        }
        float[] c = new float[k];
        for (int i = 0; i < k; i++) {
            c[i] = in.readFloat();
        }
        centre.set(c);
        teacher.read(in, "DINO teacher network");
    }
}
