package org.pretext.selfpredict;

import org.pretext.blocks.MlpHead;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.Map;
import java.util.SplittableRandom;
import org.pretext.data.Batch;
import org.pretext.objective.Model;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.PreparedBatch;
import org.pretext.objective.StepContext;
import org.pretext.transform.Augmentation;
import org.pretext.transform.Views;

/**
 * The denoising autoencoder (Vincent et al. 2008): corrupt the input x into x̃ (masking or
 * Gaussian noise, {@link Corruptions}), encode it, and reconstruct the clean x with a decoder
 * head g: the loss is {@link ReconstructionLoss} of g(f(x̃)) against x.
 */
public final class DenoisingObjective implements Objective {
    static final String HEAD = "decoder";
    private final Augmentation corruption;
    private final int decoderHidden;
    private Block decoder;

    /**
     * @param corruption how an example is corrupted before it is encoded
     * @param decoderHidden hidden width of the decoder (0: affine decoder)
     */
    public DenoisingObjective(Augmentation corruption, int decoderHidden) {
        this.corruption = corruption;
        this.decoderHidden = decoderHidden;
    }

    @Override
    public void initialize(ObjectiveSetup setup) {
        decoder = MlpHead.create(decoderHidden, Math.toIntExact(setup.exampleShape().size()));
        decoder.initialize(setup.manager(), DataType.FLOAT32, new Shape(2, setup.encoder().featureSize()));
    }

    /** A mean of per-example terms over features that {@code model.encode} computes. */
    @Override
    public org.pretext.objective.Distribution distribution() {
        return org.pretext.objective.Distribution.PER_EXAMPLE;
    }

    @Override
    public Map<String, Block> heads() {
        return Map.of(HEAD, decoder);
    }

    @Override
    public PreparedBatch prepare(Batch batch, SplittableRandom random) {
        return PreparedBatch.of(Views.augment(batch.inputs(), corruption, random.split()), batch.inputs());
    }

    @Override
    public NDArray loss(StepContext ctx, NDList inputs) {
        Model model = ctx.model();
        NDArray reconstruction = model.head(HEAD, model.encode(inputs.get(0), true));
        return ReconstructionLoss.compute(reconstruction, inputs.get(1));
    }
}
