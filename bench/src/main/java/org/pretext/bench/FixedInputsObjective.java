package org.pretext.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.pretext.data.Batch;
import org.pretext.objective.ForwardingObjective;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.PreparedBatch;
import org.pretext.objective.StepContext;

/**
 * Wraps a real objective so that every step's inputs are taken in turn from a fixed list of
 * prepared batches: the benchmark measures the training step (transfer, forward, loss, backward,
 * update), exactly what the PyTorch reference times, not data preparation. The batches are given
 * with {@link #use} once the model (and so the inner objective) is initialised, since an
 * objective such as MAE needs its initialisation to prepare a batch.
 */
final class FixedInputsObjective extends ForwardingObjective {
    private List<PreparedBatch> batches;
    private int next;

    FixedInputsObjective(Objective inner) {
        super(inner);
    }

    /** The batches every step takes its inputs from, in turn. */
    synchronized void use(List<PreparedBatch> fixed) {
        this.batches = List.copyOf(fixed);
        this.next = 0;
    }




    @Override
    public synchronized PreparedBatch prepare(Batch batch, SplittableRandom random) {
        if (batches == null) {
            throw new IllegalStateException("no fixed batches given");
        }
        return batches.get(next++ % batches.size());
    }





}
