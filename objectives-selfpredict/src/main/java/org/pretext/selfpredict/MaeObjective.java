package org.pretext.selfpredict;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.pretext.PretextException;
import org.pretext.data.Batch;
import org.pretext.data.BatchPlan;
import org.pretext.data.HostTensor;
import org.pretext.data.Split;
import org.pretext.encoder.PatchEncoder;
import org.pretext.encoder.Patches;
import org.pretext.objective.Model;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.PreparedBatch;
import org.pretext.objective.StepContext;

/**
 * Masked autoencoder (He et al. 2022): cut each image into N patches, hide a random M =
 * round(ratio·N) of them ({@link PatchMasking}), encode the K = N − M visible patches alone with
 * a {@link PatchEncoder} (the masked patches never enter the encoder), decode all N with
 * {@link MaeDecoder} (mask tokens for the hidden ones), and score the masked patches only with
 * {@link MaeLoss}, against per-patch normalised pixels by default. Features for probes are the
 * encoder's on whole images.
 *
 * <p>Prepared tensors: visible patches (B, K, P), their indices (B, K), the indices of all tokens
 * [visible…, masked…] (B, N), the patch pixels in that order (B, N, P), and the mask (B, N), 1 for
 * masked patches.
 */
public final class MaeObjective implements Objective {
    static final String HEAD = "decoder";
    private final double maskRatio;
    private final boolean normalizeTarget;
    private final int decoderWidth;
    private final int decoderDepth;
    private final int decoderHeads;
    private PatchEncoder encoder;
    private Patches patches;
    private PatchMasking masking;
    private MaeDecoder decoder;

    /**
     * @param maskRatio fraction of patches hidden, in (0, 1)
     * @param normalizeTarget whether targets are normalised per patch (MAE's norm_pix_loss)
     * @param decoderWidth width of the decoder
     * @param decoderDepth blocks of the decoder
     * @param decoderHeads attention heads of the decoder
     */
    public MaeObjective(double maskRatio, boolean normalizeTarget, int decoderWidth, int decoderDepth,
            int decoderHeads) {
        this.maskRatio = maskRatio;
        this.normalizeTarget = normalizeTarget;
        this.decoderWidth = decoderWidth;
        this.decoderDepth = decoderDepth;
        this.decoderHeads = decoderHeads;
    }

    @Override
    public void initialize(ObjectiveSetup setup) {
        if (!(setup.encoder() instanceof PatchEncoder pe)) {
            throw new PretextException("Objective 'mae' needs an encoder that can encode a subset of image patches"
                    + " (such as 'vit-tiny'), but " + setup.encoderLabel() + " cannot; use --encoder vit-tiny");
        }
        Shape s = setup.exampleShape();
        int p = pe.patchSize();
        if (s.dimension() != 3 || s.get(1) % p != 0 || s.get(2) % p != 0) {
            throw new PretextException("Objective 'mae' cuts images (channels, height, width) into " + p + "x" + p
                    + " patches, but the data has examples of shape " + s);
        }
        encoder = pe;
        patches = new Patches((int) s.get(0), (int) s.get(1), (int) s.get(2), p);
        try {
            masking = new PatchMasking(patches.count(), maskRatio);
        } catch (IllegalArgumentException e) {
            throw new PretextException("Invalid value " + maskRatio + " for parameter 'mask-ratio' of objective 'mae': "
                    + e.getMessage());
        }
        decoder = new MaeDecoder(pe.hiddenSize(), (int) s.get(1) / p, (int) s.get(2) / p, patches.values(),
                decoderWidth, decoderDepth, decoderHeads);
        int k = masking.visibleCount();
        decoder.initialize(setup.manager(), DataType.FLOAT32, new Shape(2, k, pe.hiddenSize()),
                new Shape(2, patches.count()));
    }

    @Override
    public Map<String, Block> heads() {
        return Map.of(HEAD, decoder);
    }

    /** The patch cutter, once initialised. */
    Patches patches() {
        return patches;
    }

    /** The masking, once initialised. */
    PatchMasking masking() {
        return masking;
    }

    @Override
    public PreparedBatch prepare(Batch batch, SplittableRandom random) {
        int b = batch.size();
        int n = patches.count();
        int k = masking.visibleCount();
        int v = patches.values();
        float[] images = batch.inputs().floats();
        float[] visible = new float[b * k * v];
        int[] visibleIds = new int[b * k];
        int[] ids = new int[b * n];
        float[] targets = new float[b * n * v];
        float[] mask = new float[b * n];
        for (int i = 0; i < b; i++) {
            int[] order = masking.draw(random);
            for (int t = 0; t < n; t++) {
                ids[i * n + t] = order[t];
                patches.copyPatch(images, i, order[t], targets, (i * n + t) * v);
                if (t < k) {
                    visibleIds[i * k + t] = order[t];
                    patches.copyPatch(images, i, order[t], visible, (i * k + t) * v);
                } else {
                    mask[i * n + t] = 1f;
                }
            }
        }
        return PreparedBatch.of(HostTensor.of(visible, new Shape(b, k, v)), HostTensor.ofInts(visibleIds,
                new Shape(b, k)), HostTensor.ofInts(ids, new Shape(b, n)), HostTensor.of(targets, new Shape(b, n, v)),
                HostTensor.of(mask, new Shape(b, n)));
    }

    /** Decoder predictions (B, N, P) for prepared inputs, in the prepared token order. */
    NDArray predict(Model model, NDList inputs, boolean training) {
        // through Model.encodeWith, so that with several replicas each encodes its shard's visible patches
        NDArray states = model.encodeWith(new NDList(inputs.get(0), inputs.get(1)), (e, store, shard) ->
                new NDList(((PatchEncoder) e).encodePatches(store, shard.get(0), shard.get(1), training)))
                .singletonOrThrow();
        return model.forward(decoder, new NDList(states, inputs.get(2)), training).singletonOrThrow();
    }

    /** A mean of per-patch terms: the visible patches are encoded per replica and gathered. */
    @Override
    public org.pretext.objective.Distribution distribution() {
        return org.pretext.objective.Distribution.PER_EXAMPLE;
    }

    @Override
    public NDArray loss(StepContext ctx, NDList inputs) {
        NDArray prediction = predict(ctx.model(), inputs, true);
        return MaeLoss.compute(prediction, inputs.get(3), inputs.get(4), normalizeTarget);
    }

    /**
     * Writes {@code mae-reconstructions.png}: the first 8 images of {@code data}, each as a column
     * of three: the input, the visible patches (masked ones grey), and the reconstruction (visible
     * patches as given, masked ones predicted; with normalised targets the predictions are mapped
     * back to pixels with each patch's true mean and deviation, as in MAE's visualisations).
     */
    @Override
    public List<Path> writeArtifacts(Model model, Split data, Path dir, long seed) throws IOException {
        Iterator<Batch> it = data.batches(BatchPlan.sequential((int) Math.min(8, data.size())));
        Batch batch = it.next();
        PreparedBatch prepared = prepare(batch, new SplittableRandom(seed));
        float[] predicted;
        try (NDManager m = model.manager().newSubManager()) {
            predicted = predict(model, prepared.toNDList(m), false).toFloatArray();
        }
        Files.createDirectories(dir);
        Path file = dir.resolve("mae-reconstructions.png");
        ReconstructionGrid.write(file, patches, batch.inputs().floats(), batch.size(), prepared, predicted,
                normalizeTarget);
        return List.of(file);
    }
}
