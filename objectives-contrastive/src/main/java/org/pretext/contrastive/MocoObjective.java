package org.pretext.contrastive;

import org.pretext.blocks.TwoViewObjective;
import org.pretext.blocks.NegativeQueue;
import org.pretext.blocks.Norms;
import org.pretext.blocks.MlpHead;
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
import org.pretext.Seeds;
import org.pretext.encoder.Encoder;
import org.pretext.objective.Distribution;
import org.pretext.objective.Model;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.StepContext;
import org.pretext.transform.Augmentation;

/**
 * MoCo v2 (He et al. 2020; Chen, Fan, Girshick and He 2020): a query encoder f_q with an MLP
 * projection head, a key encoder f_k (encoder and head) that is a momentum copy of it,
 * θ_k ← m·θ_k + (1 − m)·θ_q after every update, and a queue of the K most recent keys as
 * negatives for InfoNCE ({@link InfoNceLoss}): q = f_q(view 1), k = f_k(view 2) without
 * gradient, loss, then the batch's keys replace the oldest in the queue.
 *
 * <p>On one device there is no shuffling BatchNorm: with the default BatchNorm-free encoders
 * nothing leaks through batch statistics; with BatchNorm in the encoder, key and query batches
 * share statistics as in a single-GPU MoCo. The key encoder and the queue are part of the
 * objective's state.
 */
public final class MocoObjective extends TwoViewObjective {
    static final String HEAD = "projection";
    private final double temperature;
    private final double momentum;
    private final int queueSize;
    private final int projectionHidden;
    private final int projectionDim;
    private Block projector;
    private Encoder keyEncoder;
    private Block keyProjector;
    private EmaTarget keys;
    private NegativeQueue queue;
    private NDArray pendingKeys;

    public MocoObjective(double temperature, double momentum, int queueSize, int projectionHidden,
            int projectionDim, Function<Shape, Augmentation> augmentationFor) {
        super(augmentationFor);
        this.temperature = temperature;
        this.momentum = momentum;
        this.queueSize = queueSize;
        this.projectionHidden = projectionHidden;
        this.projectionDim = projectionDim;
    }

    @Override
    protected void build(ObjectiveSetup setup) {
        int features = setup.encoder().featureSize();
        projector = initialized(head(), setup, features);
        keyEncoder = setup.newEncoder("moco");
        keyEncoder.block().initialize(setup.manager(), DataType.FLOAT32,
                Model.batched(keyEncoder.inputShape(), 2));
        keyProjector = initialized(head(), setup, features);
        keys = new EmaTarget();
        keys.track("encoder", setup.encoder().block(), keyEncoder.block());
        keys.track("projection", projector, keyProjector);
        queue = new NegativeQueue(setup.manager(), queueSize, projectionDim, Seeds.derive(setup.seed(), 0x30c0L));
    }

    private Block head() {
        return MlpHead.create(projectionHidden > 0 ? List.of(projectionHidden) : List.of(), projectionDim, false,
                false);
    }

    @Override
    public Optional<String> embeddingHead() {
        return Optional.of(HEAD);
    }

    /** The loss is computed over the gathered batch: its negatives and batch statistics are global. */
    @Override
    public Distribution distribution() {
        return Distribution.GATHERED;
    }

    @Override
    public Map<String, Block> heads() {
        return Map.of(HEAD, projector);
    }

    @Override
    public NDArray loss(StepContext ctx, NDList inputs) {
        Model model = ctx.model();
        NDArray q = model.head(HEAD, model.encode(inputs.get(0), true));
        NDList h = model.forward(keyEncoder.block(), new NDList(inputs.get(1)), true);
        NDArray k = model.forward(keyProjector, h, true).singletonOrThrow().stopGradient();
        NDArray loss = InfoNceLoss.compute(q, k, queue.keys(), temperature);
        pendingKeys = Norms.unitRows(k);
        return loss;
    }

    @Override
    public void afterUpdate(StepContext ctx) {
        keys.update(momentum);
        if (pendingKeys != null) {
            queue.enqueue(pendingKeys);
            pendingKeys = null;
        }
    }

    @Override
    public void saveState(DataOutputStream out) throws IOException {
        out.writeInt(1);
        keys.write(out);
        queue.write(out);
    }

    @Override
    public void loadState(DataInputStream in, NDManager manager) throws IOException {
        int version = in.readInt();
        if (version != 1) {
            throw new IOException("MoCo state format " + version + " is not supported (expected 1)");
        }
        keys.read(in, "MoCo key encoder");
        queue.read(in, "MoCo queue");
    }

    /** The queue, for tests and diagnostics. */
    NegativeQueue queue() {
        return queue;
    }
}
