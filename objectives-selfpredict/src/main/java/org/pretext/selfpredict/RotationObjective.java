package org.pretext.selfpredict;

import org.pretext.blocks.MlpHead;
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
import org.pretext.objective.Model;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.PreparedBatch;
import org.pretext.objective.StepContext;

/**
 * RotNet (Gidaris, Singh and Komodakis 2018): rotate each image by r·90°, r ∈ {0, 1, 2, 3}, and
 * classify r from the encoder's features with a small head; the loss is {@link RotationLoss}. By
 * default every image appears in all four rotations in the same batch, which the paper found
 * best; otherwise each image gets one rotation drawn uniformly.
 */
public final class RotationObjective implements Objective {
    static final String HEAD = "rotation";
    private final boolean allRotations;
    private final int headHidden;
    private Block head;

    /**
     * @param allRotations whether each image is fed in all four rotations (else one random one)
     * @param headHidden hidden width of the classifier head (0: linear)
     */
    public RotationObjective(boolean allRotations, int headHidden) {
        this.allRotations = allRotations;
        this.headHidden = headHidden;
    }

    @Override
    public void initialize(ObjectiveSetup setup) {
        Shape s = setup.exampleShape();
        if (s.dimension() != 3 || s.get(1) != s.get(2)) {
            throw new PretextException("Objective 'rotation' rotates square images (channels, side, side), but the"
                    + " data has examples of shape " + s + (s.dimension() == 3 ? ": height and width differ"
                            : "; use an image dataset"));
        }
        head = MlpHead.create(headHidden, 4);
        head.initialize(setup.manager(), DataType.FLOAT32, new Shape(2, setup.encoder().featureSize()));
    }

    /** A mean of per-example terms over features that {@code model.encode} computes. */
    @Override
    public org.pretext.objective.Distribution distribution() {
        return org.pretext.objective.Distribution.PER_EXAMPLE;
    }

    @Override
    public Map<String, Block> heads() {
        return Map.of(HEAD, head);
    }

    @Override
    public PreparedBatch prepare(Batch batch, SplittableRandom random) {
        Shape shape = batch.inputs().shape();
        int b = (int) shape.get(0);
        int channels = (int) shape.get(1);
        int side = (int) shape.get(2);
        int size = channels * side * side;
        int copies = allRotations ? 4 : 1;
        float[] in = batch.inputs().floats();
        float[] out = new float[b * copies * size];
        int[] labels = new int[b * copies];
        for (int r = 0; r < copies; r++) {
            for (int i = 0; i < b; i++) {
                int n = r * b + i;
                int k = allRotations ? r : random.nextInt(4);
                labels[n] = k;
                Rotations.rotate(in, i * size, out, n * size, channels, side, k);
            }
        }
        return PreparedBatch.of(HostTensor.of(out, new Shape(b * copies).addAll(shape.slice(1))),
                HostTensor.ofInts(labels, new Shape(b * copies)));
    }

    @Override
    public NDArray loss(StepContext ctx, NDList inputs) {
        Model model = ctx.model();
        NDArray logits = model.head(HEAD, model.encode(inputs.get(0), true));
        return RotationLoss.compute(logits, inputs.get(1));
    }
}
