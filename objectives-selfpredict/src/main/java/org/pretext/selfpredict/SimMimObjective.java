package org.pretext.selfpredict;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.Map;
import java.util.SplittableRandom;
import org.pretext.PretextException;
import org.pretext.data.Batch;
import org.pretext.data.HostTensor;
import org.pretext.data.IndexedSplit;
import org.pretext.encoder.MaskedPatchEncoder;
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
 * SimMIM (Xie et al. 2022): masked image modelling with mask tokens in the encoder. The image is
 * cut into mask units of s×s pixels (s a multiple of the ViT's patch size p); a random
 * ⌈ratio·U⌉ of its U units are masked (SimMIM's {@code MaskGenerator}: a uniform random subset of
 * that size), and every ViT patch inside a masked unit is masked. The encoder
 * ({@link MaskedPatchEncoder}) embeds all patches, puts a learned mask token in place of the masked
 * ones, adds positions and runs over all N tokens; a linear head predicts every patch's raw
 * pixels, and {@link SimMimLoss} scores the masked patches with L1 (or, as in the paper's
 * ablation, the squared error). Features for probes are the
 * encoder's on whole, unmasked images.
 *
 * <p>With a smallest crop scale below 1, each image is first a random resized crop (area fraction in
 * [min, max], aspect 3/4 to 4/3, resized back), as SimMIM's {@code SimMIMTransform}
 * ({@code RandomResizedCrop(scale=(0.67, 1.), ratio=(3/4, 4/3))}; its horizontal flip is not applied),
 * drawn on the prepare workers after the masks ({@link RandomResizedCrop} through {@link Views#augment});
 * the crop is both the input and the pixels predicted.
 *
 * <p>Prepared tensors: every patch's pixels (B, N, P), the only floating-point input (an
 * adversarial wrapper perturbs the image, and the targets with it), and the mask (B, N) as int32,
 * 1 for masked patches.
 */
public final class SimMimObjective implements Objective {
    static final String HEAD = "prediction";
    private final double maskRatio;
    private final int maskPatchSize;
    private final boolean l1;
    private final double cropScaleMin;
    private final double cropScaleMax;
    private RandomResizedCrop crop;
    private MaskedPatchEncoder encoder;
    private Patches patches;
    private SimMimHead head;
    /** For each mask unit, the ViT patches it covers. */
    private int[][] unitPatches;
    private int masked;

    /**
     * @param maskRatio fraction of mask units masked, in (0, 1)
     * @param maskPatchSize side of a mask unit in pixels; 0 for the encoder's patch size
     * @param l1 the paper's L1 loss, else the squared error
     */
    public SimMimObjective(double maskRatio, int maskPatchSize, boolean l1) {
        this(maskRatio, maskPatchSize, l1, 1.0, 1.0);
    }

    /**
     * @param maskRatio fraction of mask units masked, in (0, 1)
     * @param maskPatchSize side of a mask unit in pixels; 0 for the encoder's patch size
     * @param l1 the paper's L1 loss, else the squared error
     * @param cropScaleMin smallest area fraction of the random resized crop; 1 for none
     * @param cropScaleMax largest area fraction of the crop
     */
    public SimMimObjective(double maskRatio, int maskPatchSize, boolean l1, double cropScaleMin, double cropScaleMax) {
        if (!(cropScaleMin > 0 && cropScaleMin <= cropScaleMax && cropScaleMax <= 1)) {
            throw new IllegalArgumentException("SimMIM's crop scales need 0 < min <= max <= 1, got " + cropScaleMin
                    + " and " + cropScaleMax);
        }
        this.cropScaleMin = cropScaleMin;
        this.cropScaleMax = cropScaleMax;
        this.maskRatio = maskRatio;
        this.maskPatchSize = maskPatchSize;
        this.l1 = l1;
    }

    @Override
    public void initialize(ObjectiveSetup setup) {
        if (!(setup.encoder() instanceof MaskedPatchEncoder me)) {
            throw new PretextException("Objective 'simmim' needs an encoder that can put mask tokens in place of image"
                    + " patches (such as 'vit-tiny'), but " + setup.encoderLabel() + " cannot; use --encoder vit-tiny");
        }
        Shape s = setup.exampleShape();
        int p = me.patchSize();
        if (s.dimension() != 3 || s.get(1) % p != 0 || s.get(2) % p != 0) {
            throw new PretextException("Objective 'simmim' cuts images (channels, height, width) into " + p + "x" + p
                    + " patches, but the data has examples of shape " + s);
        }
        int unit = maskPatchSize == 0 ? p : maskPatchSize;
        if (unit % p != 0 || s.get(1) % unit != 0 || s.get(2) % unit != 0) {
            throw new PretextException("Invalid value " + maskPatchSize + " for parameter 'mask-patch-size' of objective"
                    + " 'simmim': expected a multiple of the encoder's patch size " + p + " that divides the image's"
                    + " height " + s.get(1) + " and width " + s.get(2) + " (or 0 for the patch size)");
        }
        encoder = me;
        patches = new Patches((int) s.get(0), (int) s.get(1), (int) s.get(2), p);
        crop = cropScaleMin >= 1 ? null : new RandomResizedCrop((int) s.get(0), (int) s.get(1), (int) s.get(2),
                cropScaleMin, cropScaleMax, 3.0 / 4.0, 4.0 / 3.0);
        int cols = (int) s.get(2) / p;
        int unitRows = (int) s.get(1) / unit;
        int unitCols = (int) s.get(2) / unit;
        int k = unit / p;
        unitPatches = new int[unitRows * unitCols][k * k];
        for (int u = 0; u < unitPatches.length; u++) {
            int top = (u / unitCols) * k;
            int left = (u % unitCols) * k;
            for (int j = 0; j < k * k; j++) {
                unitPatches[u][j] = (top + j / k) * cols + left + j % k;
            }
        }
        masked = (int) Math.ceil(maskRatio * unitPatches.length - 1e-9);
        if (masked < 1 || masked >= unitPatches.length) {
            throw new PretextException("Invalid value " + maskRatio + " for parameter 'mask-ratio' of objective 'simmim':"
                    + " it masks " + masked + " of " + unitPatches.length + " mask units; expected at least one masked"
                    + " and one visible");
        }
        head = new SimMimHead(me.hiddenSize(), patches.values());
        head.initialize(setup.manager(), DataType.FLOAT32, new Shape(2, patches.count(), me.hiddenSize()));
    }

    @Override
    public Map<String, Block> heads() {
        return Map.of(HEAD, head);
    }

    /** The random resized crop, once initialised; null when it is off (smallest scale 1). */
    RandomResizedCrop crop() {
        return crop;
    }

    /** Mask units masked per image, ⌈ratio·U⌉. */
    int maskedUnits() {
        return masked;
    }

    /** One image's mask over the N patches: a uniform random ⌈ratio·U⌉ of the U units, each unit's patches. */
    int[] drawMask(SplittableRandom random) {
        int[] order = IndexedSplit.permutation(unitPatches.length, random);
        int[] mask = new int[patches.count()];
        for (int i = 0; i < masked; i++) {
            for (int patch : unitPatches[order[i]]) {
                mask[patch] = 1;
            }
        }
        return mask;
    }

    @Override
    public PreparedBatch prepare(Batch batch, SplittableRandom random) {
        int b = batch.size();
        int n = patches.count();
        int[] mask = new int[b * n];
        for (int i = 0; i < b; i++) {
            System.arraycopy(drawMask(random), 0, mask, i * n, n);
        }
        HostTensor images = crop == null ? batch.inputs() : Views.augment(batch.inputs(), crop, random.split());
        return PreparedBatch.of(HostTensor.of(patches.patchify(images.floats(), b),
                new Shape(b, n, patches.values())), HostTensor.ofInts(mask, new Shape(b, n)));
    }

    /** Predicted pixels (B, N, P) of every patch for prepared inputs. */
    NDArray predict(Model model, NDList inputs, boolean training) {
        NDArray all = inputs.get(0);
        NDArray mask = inputs.get(1).toType(all.getDataType(), false);
        long b = all.getShape().get(0);
        NDArray token = head.maskToken(model.parameterStore(), all.getDevice(), training);
        // the token goes in as an input, one copy per example, so Model.encodeWith shards it with the batch
        // (made from the step's manager, so the copies are freed with the step)
        NDArray tokens = all.getManager().zeros(new Shape(b, 1, token.getShape().get(2))).add(token);
        NDArray states = model.encodeWith(new NDList(all, mask, tokens), (e, store, shard) ->
                new NDList(((MaskedPatchEncoder) e).encodeMasked(store, shard.get(0), shard.get(1), shard.get(2),
                        training))).singletonOrThrow();
        return model.forward(head, new NDList(states), training).singletonOrThrow();
    }

    /** A mean of per-patch terms with the same number of masked patches in every image: encoded per replica and gathered. */
    @Override
    public Distribution distribution() {
        return Distribution.PER_EXAMPLE;
    }

    @Override
    public NDArray loss(StepContext ctx, NDList inputs) {
        NDArray prediction = predict(ctx.model(), inputs, true);
        NDArray all = inputs.get(0);
        return SimMimLoss.compute(prediction, all, inputs.get(1).toType(all.getDataType(), false), l1);
    }
}
