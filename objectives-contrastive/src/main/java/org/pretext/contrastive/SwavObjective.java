package org.pretext.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.pretext.Seeds;
import org.pretext.blocks.MlpHead;
import org.pretext.blocks.NegativeQueue;
import org.pretext.blocks.Norms;
import org.pretext.blocks.TwoViewObjective;
import org.pretext.data.Batch;
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
 * SwAV (Caron et al. 2020), with multi-crop: every view's prototype scores predict the
 * Sinkhorn-Knopp codes of each other global view ({@link SwavLoss}, where the formulas are). The
 * projector is SwAV's (Linear → BN → ReLU → Linear), its output ℓ2-normalised, then the prototypes:
 * a linear layer without bias whose K rows are renormalised to unit length after every update (SwAV
 * does it before every step: the same), held still during the first {@code freeze-prototypes} of
 * the run. With {@code queue-size} R &gt; 0, each global view keeps a queue of its last R normalised
 * projections; once it is full (and from {@code queue-start} of the run) their scores join the
 * batch's in the Sinkhorn-Knopp iterations. The queues and their fill counts are the objective's
 * state, checkpointed; the prototypes are a head, saved with the model.
 */
public final class SwavObjective implements Objective {
    static final String PROJECTOR = "projection";
    static final String PROTOTYPES = "prototypes";
    private static final int STATE_VERSION = 1;

    /**
     * @param hidden projector hidden width
     * @param dim projection width d
     * @param prototypes K
     * @param temperature τ
     * @param epsilon ε of Sinkhorn-Knopp
     * @param iterations Sinkhorn-Knopp iterations
     * @param queueSize R, 0 for none
     * @param queueStart fraction of the run before which the queue is not used
     * @param freezePrototypes fraction of the run during which the prototypes are not updated
     */
    public record Settings(int hidden, int dim, int prototypes, double temperature, double epsilon, int iterations,
            int queueSize, double queueStart, double freezePrototypes) {}

    private final Settings s;
    private final MultiCrop crops;
    private final Function<Shape, Augmentation> globalFor;
    private final Function<Shape, Augmentation> localFor;
    private Augmentation global;
    private Augmentation local;
    private Block projector;
    private Block prototypes;
    private Parameter prototypeWeight;
    private NegativeQueue[] queues;
    private final long[] seen = new long[2];
    /** The global views' projections of this step (2N, d): made in loss, enqueued in afterUpdate. */
    private NDArray pending;

    public SwavObjective(Settings settings, MultiCrop crops, Function<Shape, Augmentation> globalFor,
            Function<Shape, Augmentation> localFor) {
        if (crops.globalViews() != 2) {
            throw new IllegalArgumentException("SwAV takes 2 global views, got " + crops.globalViews());
        }
        this.s = settings;
        this.crops = crops;
        this.globalFor = globalFor;
        this.localFor = localFor;
    }

    @Override
    public void initialize(ObjectiveSetup setup) {
        crops.checkEncoder(setup, "swav");
        global = globalFor.apply(setup.exampleShape());
        local = crops.localViews() > 0 ? localFor.apply(crops.localShape(setup.exampleShape())) : null;
        projector = TwoViewObjective.initialized(MlpHead.create(List.of(s.hidden()), s.dim(), true, false), setup,
                setup.encoder().featureSize());
        prototypes = TwoViewObjective.initialized(Linear.builder().setUnits(s.prototypes()).optBias(false).build(),
                setup, s.dim());
        prototypeWeight = prototypes.getParameters().get("weight");
        normalisePrototypes();
        if (s.queueSize() > 0) {
            queues = new NegativeQueue[] {
                new NegativeQueue(setup.manager(), s.queueSize(), s.dim(), Seeds.derive(setup.seed(), 0x5a7a1L)),
                new NegativeQueue(setup.manager(), s.queueSize(), s.dim(), Seeds.derive(setup.seed(), 0x5a7a2L))};
        }
    }

    /** Every prototype to unit length, in place, outside autograd. */
    private void normalisePrototypes() {
        NDArray w = prototypeWeight.getArray();
        NoGradient.run(() -> {
            // a copy in a scratch manager first, so that every array the normalisation makes is freed with it
            try (NDManager scratch = w.getManager().newSubManager()) {
                NDArray copy = scratch.zeros(w.getShape(), w.getDataType()).add(w);
                w.set(new ai.djl.ndarray.index.NDIndex(":"), Norms.unitRows(copy));
            }
        });
    }

    @Override
    public Map<String, Block> heads() {
        return Map.of(PROJECTOR, projector, PROTOTYPES, prototypes);
    }

    @Override
    public Optional<String> embeddingHead() {
        return Optional.of(PROJECTOR);
    }

    @Override
    public PreparedBatch prepare(Batch batch, SplittableRandom random) {
        return new PreparedBatch(crops.views(batch.inputs(), global, local, random));
    }

    /** Sinkhorn-Knopp's equal partition runs over the gathered batch; every encoder pass goes through encode. */
    @Override
    public Distribution distribution() {
        return Distribution.GATHERED;
    }

    @Override
    public NDArray loss(StepContext ctx, NDList inputs) {
        Model model = ctx.model();
        long n = inputs.get(0).getShape().get(0);
        NDArray features = model.encode(inputs.get(0).concat(inputs.get(1), 0), true);
        if (inputs.size() > 2) {
            features = features.concat(model.encode(NDArrays.concat(new NDList(inputs.subNDList(2)), 0), true), 0);
        }
        NDArray z = Norms.unitRows(model.head(PROJECTOR, features));
        NDArray scores = model.head(PROTOTYPES, z);
        boolean useQueue = queues != null && ctx.step() >= Math.round(s.queueStart() * ctx.totalSteps());
        NDList codes = new NDList(2);
        for (int i = 0; i < 2; i++) {
            NDArray own = scores.get(i * n + ":" + (i + 1) * n);
            if (useQueue && seen[i] >= s.queueSize()) {
                // the stored projections, copied into the step's manager, scored by today's prototypes
                NDArray stored = ctx.manager().zeros(queues[i].keys().getShape(), DataType.FLOAT32)
                        .add(queues[i].keys()).toType(z.getDataType(), false);
                NDArray all = model.head(PROTOTYPES, stored).concat(own, 0);
                codes.add(SwavLoss.sinkhorn(all, s.epsilon(), s.iterations()).get(s.queueSize() + ":"));
            } else {
                codes.add(SwavLoss.sinkhorn(own, s.epsilon(), s.iterations()));
            }
        }
        if (queues != null) {
            pending = z.get("0:" + 2 * n).stopGradient().toType(DataType.FLOAT32, false);
        }
        return SwavLoss.swappedPrediction(scores, NDArrays.concat(codes, 0), s.temperature());
    }

    /** The prototypes stay where they are for the first {@code freezePrototypes} of the run. */
    @Override
    public void beforeUpdate(StepContext ctx) {
        if (ctx.step() < Math.round(s.freezePrototypes() * ctx.totalSteps())) {
            try (NDArray g = prototypeWeight.getArray().getGradient()) {
                g.subi(g);
            }
        }
    }

    @Override
    public void afterUpdate(StepContext ctx) {
        normalisePrototypes();
        if (pending != null) {
            NDArray z = pending;
            pending = null; // freed with the step's manager
            long n = z.getShape().get(0) / 2;
            for (int i = 0; i < 2; i++) {
                try (NDArray rows = z.get(i * n + ":" + (i + 1) * n)) {
                    queues[i].enqueue(rows);
                }
                seen[i] += n;
            }
        }
    }

    /** Multi-crop's settings. */
    public MultiCrop crops() {
        return crops;
    }

    /** Version, whether there are queues, then for each its fill count and contents. */
    @Override
    public void saveState(DataOutputStream out) throws IOException {
        out.writeInt(STATE_VERSION);
        out.writeBoolean(queues != null);
        if (queues != null) {
            for (int i = 0; i < 2; i++) {
                out.writeLong(seen[i]);
                queues[i].write(out);
            }
        }
    }

    @Override
    public void loadState(DataInputStream in, NDManager manager) throws IOException {
        int version = in.readInt();
        if (version != STATE_VERSION) {
            throw new IOException("SwAV state format " + version + " is not supported (expected " + STATE_VERSION + ")");
        }
        boolean hasQueues = in.readBoolean();
        if (hasQueues != (queues != null)) {
            throw new IOException("the checkpoint's SwAV state " + (hasQueues ? "has" : "has no") + " queue but this"
                    + " objective has queue-size " + s.queueSize());
        }
        if (queues != null) {
            for (int i = 0; i < 2; i++) {
                seen[i] = in.readLong();
                queues[i].read(in, "the checkpoint's SwAV queue " + (i + 1));
            }
        }
    }
}
