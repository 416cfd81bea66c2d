package org.pretext.finetune;

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
import java.util.SplittableRandom;
import org.pretext.blocks.MlpHead;
import org.pretext.data.Batch;
import org.pretext.data.HostTensor;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.PreparedBatch;
import org.pretext.objective.StepContext;

/**
 * Supervised classification as an {@link Objective}, so that the encoder and its new head are one
 * {@link org.pretext.model.PretextModel} and checkpoint like a pretraining run: a head
 * {@value #HEAD} on the encoder's features (linear, or one hidden ReLU layer) and the
 * cross-entropy L = −1/N Σ_n log softmax(z_n)_{y_n}. Its saved state is the early-stopping record
 * of the fine-tuning loop ({@link FineTuner}): best held-out accuracy, its epoch, and the weights
 * at that epoch; with PATS, also its smoothed sensitivities ({@link PatsNoise}).
 */
public final class ClassifierObjective implements Objective {
    /** The head's name among the model's heads. */
    public static final String HEAD = "classifier";
    private final int numClasses;
    private final int hidden;
    private Block head;
    /** Early stopping's record, saved with checkpoints. */
    final EarlyStopping.State state = new EarlyStopping.State();
    /** PATS's smoothed sensitivities when the draw uses PATS, saved with checkpoints; else null. */
    PatsNoise noise;

    /**
     * @param numClasses the head's outputs
     * @param hidden 0 for a linear head, else the width of the MLP head's hidden ReLU layer
     */
    public ClassifierObjective(int numClasses, int hidden) {
        this.numClasses = numClasses;
        this.hidden = hidden;
    }

    @Override
    public void initialize(ObjectiveSetup setup) {
        head = MlpHead.create(hidden, numClasses);
        head.initialize(setup.manager(), DataType.FLOAT32, new Shape(2, setup.encoder().featureSize()));
    }

    @Override
    public Map<String, Block> heads() {
        return Map.of(HEAD, head);
    }

    /** Inputs and labels as they are: the fine-tuning loop augments before it gets here. */
    @Override
    public PreparedBatch prepare(Batch batch, SplittableRandom random) {
        return new PreparedBatch(List.of(batch.inputs(), HostTensor.ofInts(batch.labels(),
                new Shape(batch.labels().length))));
    }

    @Override
    public NDArray loss(StepContext context, NDList inputs) {
        NDArray logits = context.model().head(HEAD, context.model().encode(inputs.get(0), true));
        return crossEntropy(logits, inputs.get(1));
    }

    /** −1/N Σ log softmax(z_n)_{y_n} of logits (N, C) and int labels (N). */
    public static NDArray crossEntropy(NDArray logits, NDArray labels) {
        long n = logits.getShape().get(0);
        NDArray index = labels.toType(DataType.INT64, false).reshape(n, 1);
        return logits.logSoftmax(1).gather(index, 1).mean().neg();
    }

    @Override
    public void saveState(DataOutputStream out) throws IOException {
        state.write(out);
        if (noise != null) {
            noise.write(out);
        }
    }

    @Override
    public void loadState(DataInputStream in, NDManager manager) throws IOException {
        state.read(in);
        if (noise != null) {
            noise.read(in);
        }
    }
}
