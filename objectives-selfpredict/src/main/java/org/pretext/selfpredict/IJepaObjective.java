package org.pretext.selfpredict;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Block;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.SplittableRandom;
import org.pretext.PretextException;
import org.pretext.blocks.EmaTarget;
import org.pretext.data.Batch;
import org.pretext.data.HostTensor;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.PatchEncoder;
import org.pretext.encoder.Patches;
import org.pretext.objective.Distribution;
import org.pretext.objective.Model;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.PreparedBatch;
import org.pretext.objective.StepContext;
import org.pretext.transform.RandomResizedCrop;
import org.pretext.transform.Views;

/**
 * I-JEPA (Assran et al. 2023): joint-embedding predictive architecture on a ViT's patch tokens.
 * Per batch, {@link IJepaMasks} draws for each image a context block and M target blocks, disjoint
 * from it. The context encoder (the encoder being trained) sees the context patches only; the EMA
 * target encoder sees the whole image, and its final states, layer-normalised, at the target
 * patches are the targets; the {@link IJepaPredictor} predicts them from the context states and
 * positional mask tokens; the loss is {@link IJepaLoss} (the formula is there). After every update
 * the target moves as ξ ← m·ξ + (1 − m)·θ with m rising linearly from m₀ to m₁ over 1.25 times the
 * run (the authors' {@code ipe_scale}), m_k = m₀ + (m₁ − m₀)·min(1, k / (1.25·K)). Probes and export
 * use the target encoder by default, as the paper evaluates it ({@code probe-encoder}).
 *
 * <p>The image is first a random resized crop of the example, as the authors' {@code make_transforms}
 * ({@code RandomResizedCrop(crop_size, scale=crop_scale)} with {@code crop_scale} (0.3, 1.0) in every
 * released config, torchvision's default aspect ratios 3/4 to 4/3, no flip or colour): one view per
 * image, seen by both encoders, drawn on the prepare workers ({@link RandomResizedCrop} through
 * {@link Views#augment}) after the masks from the same stream. A smallest scale of 1 turns it off (the
 * example as it is, and no random draws).
 *
 * <p>Prepared tensors: the (cropped) image's patches (B, N, P), the only floating-point input (so an
 * adversarial wrapper perturbs the image itself, seen by both encoders), context indices (B, K)
 * and target indices (B, M, T).
 */
public final class IJepaObjective implements Objective {
    static final String HEAD = "predictor";
    private final IJepaMasksSpec spec;
    private final double momentumStart;
    private final double momentumEnd;
    private final boolean smoothL1;
    private final int predictorWidth;
    private final int predictorDepth;
    private final int predictorHeads;
    private final boolean probeTarget;
    private final double cropScaleMin;
    private final double cropScaleMax;
    private RandomResizedCrop crop;
    private PatchEncoder target;
    private Patches patches;
    private IJepaMasks masks;
    private IJepaPredictor predictor;
    private EmaTarget ema;

    /** The masking parameters before the grid is known. */
    public record IJepaMasksSpec(int targets, double targetScaleMin, double targetScaleMax, double aspectMin,
            double aspectMax, double contextScaleMin, double contextScaleMax, int minKeep) {
        IJepaMasks on(int rows, int cols) {
            return new IJepaMasks(rows, cols, targets, targetScaleMin, targetScaleMax, aspectMin, aspectMax,
                    contextScaleMin, contextScaleMax, minKeep);
        }
    }

    public IJepaObjective(IJepaMasksSpec spec, double momentumStart, double momentumEnd, boolean smoothL1,
            int predictorWidth, int predictorDepth, int predictorHeads, boolean probeTarget, double cropScaleMin,
            double cropScaleMax) {
        if (!(cropScaleMin > 0 && cropScaleMin <= cropScaleMax && cropScaleMax <= 1)) {
            throw new IllegalArgumentException("I-JEPA's crop scales need 0 < min <= max <= 1, got " + cropScaleMin
                    + " and " + cropScaleMax);
        }
        this.spec = spec;
        this.cropScaleMin = cropScaleMin;
        this.cropScaleMax = cropScaleMax;
        this.momentumStart = momentumStart;
        this.momentumEnd = momentumEnd;
        this.smoothL1 = smoothL1;
        this.predictorWidth = predictorWidth;
        this.predictorDepth = predictorDepth;
        this.predictorHeads = predictorHeads;
        this.probeTarget = probeTarget;
    }

    @Override
    public void initialize(ObjectiveSetup setup) {
        if (!(setup.encoder() instanceof PatchEncoder pe)) {
            throw new PretextException("Objective 'ijepa' needs an encoder that can encode a subset of image patches"
                    + " (such as 'vit-tiny'), but " + setup.encoderLabel() + " cannot; use --encoder vit-tiny");
        }
        Shape s = setup.exampleShape();
        int p = pe.patchSize();
        if (s.dimension() != 3 || s.get(1) % p != 0 || s.get(2) % p != 0) {
            throw new PretextException("Objective 'ijepa' cuts images (channels, height, width) into " + p + "x" + p
                    + " patches, but the data has examples of shape " + s);
        }
        int rows = (int) s.get(1) / p;
        int cols = (int) s.get(2) / p;
        patches = new Patches((int) s.get(0), (int) s.get(1), (int) s.get(2), p);
        crop = cropScaleMin >= 1 ? null : new RandomResizedCrop((int) s.get(0), (int) s.get(1), (int) s.get(2),
                cropScaleMin, cropScaleMax, 3.0 / 4.0, 4.0 / 3.0);
        try {
            masks = spec.on(rows, cols);
        } catch (IllegalArgumentException e) {
            throw new PretextException("Objective 'ijepa' cannot mask a " + rows + "x" + cols + " grid of patches: "
                    + e.getMessage());
        }
        if (!(setup.newEncoder("ijepa") instanceof PatchEncoder t)) {
            throw new PretextException("Objective 'ijepa': the encoder factory made an encoder that cannot encode"
                    + " patches; expected the architecture of " + setup.encoderLabel());
        }
        target = t;
        target.block().initialize(setup.manager(), DataType.FLOAT32, Model.batched(target.inputShape(), 2));
        ema = new EmaTarget();
        ema.track("encoder", setup.encoder().block(), target.block());
        predictor = new IJepaPredictor(pe.hiddenSize(), rows, cols, predictorWidth, predictorDepth, predictorHeads);
        predictor.initialize(setup.manager(), DataType.FLOAT32, new Shape(2, 1, pe.hiddenSize()), new Shape(2, 1),
                new Shape(2, 1, 1));
    }

    @Override
    public Map<String, Block> heads() {
        return Map.of(HEAD, predictor);
    }

    /** The masking, once initialised. */
    IJepaMasks masks() {
        return masks;
    }

    /** The random resized crop, once initialised; null when it is off (smallest scale 1). */
    RandomResizedCrop crop() {
        return crop;
    }

    /** The target encoder, once initialised. */
    PatchEncoder target() {
        return target;
    }

    @Override
    public Encoder probedEncoder(Model model) {
        return probeTarget && target != null ? target : model.encoder();
    }

    @Override
    public PreparedBatch prepare(Batch batch, SplittableRandom random) {
        int b = batch.size();
        IJepaMasks.Draw d = masks.draw(b, random);
        HostTensor images = crop == null ? batch.inputs() : Views.augment(batch.inputs(), crop, random.split());
        float[] all = patches.patchify(images.floats(), b);
        return PreparedBatch.of(HostTensor.of(all, new Shape(b, patches.count(), patches.values())),
                HostTensor.ofInts(d.context(), new Shape(b, d.contextCount())),
                HostTensor.ofInts(d.target(), new Shape(b, masks.targets(), d.targetCount())));
    }

    /** Rows {@code ids} (B, K) of each example's (B, N, X) array: (B, K, X), differentiable in {@code rows}. */
    static NDArray pick(NDArray rows, NDArray ids) {
        long b = rows.getShape().get(0);
        long n = rows.getShape().get(1);
        long x = rows.getShape().get(2);
        NDArray offsets = ids.getManager().arange(0, (int) (b * n), (int) n).reshape(b, 1).toType(ids.getDataType(),
                false);
        NDArray flat = ids.reshape(b, -1).add(offsets);
        return ids.getNDArrayInternal().embedding(flat, rows.reshape(b * n, x), SparseFormat.DENSE).singletonOrThrow();
    }

    /** The predictions (B, M, T, D) and the layer-normalised targets (B, M, T, D) of prepared inputs. */
    NDList predictAndTarget(Model model, NDList inputs, boolean training) {
        NDArray all = inputs.get(0);
        NDArray contextIds = inputs.get(1);
        NDArray targetIds = inputs.get(2);
        // the context encoder, through Model.encodeWith: each replica gathers and encodes its shard's context patches
        NDArray context = model.encodeWith(new NDList(all, contextIds), (e, store, shard) ->
                new NDList(((PatchEncoder) e).encodePatches(store, pick(shard.get(0), shard.get(1)), shard.get(1),
                        training))).singletonOrThrow();
        NDArray prediction = model.forward(predictor, new NDList(context, contextIds, targetIds), training)
                .singletonOrThrow();
        long b = targetIds.getShape().get(0);
        long m = targetIds.getShape().get(1);
        long t = targetIds.getShape().get(2);
        NDArray states = target.encodePatches(model.parameterStore(), all.stopGradient(), null, false).stopGradient();
        NDArray targets = pick(IJepaLoss.normalize(states), targetIds).reshape(b, m, t, -1);
        return new NDList(prediction, targets);
    }

    /** A mean of per-example terms (each image has M·T·D of them): contexts are encoded per replica and gathered. */
    @Override
    public Distribution distribution() {
        return Distribution.PER_EXAMPLE;
    }

    @Override
    public NDArray loss(StepContext ctx, NDList inputs) {
        NDList pt = predictAndTarget(ctx.model(), inputs, true);
        return IJepaLoss.compute(pt.get(0), pt.get(1), smoothL1);
    }

    /** m_k of the target update after step k of K. */
    public double momentum(long step, long total) {
        if (total <= 0) {
            return momentumStart;
        }
        return momentumStart + (momentumEnd - momentumStart) * Math.min(1.0, step / (1.25 * total));
    }

    @Override
    public void afterUpdate(StepContext ctx) {
        double m = momentum(ctx.step(), ctx.totalSteps());
        ema.update(m);
        ctx.metric("targetMomentum", m);
    }

    @Override
    public Map<String, String> metricCaptions() {
        return Map.of("targetMomentum", "I-JEPA's momentum m of the target encoder: linear from its start value towards"
                + " its end value over 1.25 times the run");
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
            throw new IOException("I-JEPA state format " + version + " is not supported (expected 1)");
        }
        ema.read(in, "I-JEPA target encoder");
    }
}
