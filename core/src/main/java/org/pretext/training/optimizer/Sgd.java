package org.pretext.training.optimizer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.pretext.PretextException;
import org.pretext.engine.NoGradient;
import org.pretext.runtime.EngineArrays;

/**
 * Plain stochastic gradient descent with decoupled weight decay ({@code training.optimizer: sgd}):
 * {@code w ← w − η·λ·w − η·s·∇w}, no momentum, in place. Its state is the update count alone. With
 * a loss that is a mean over examples, one step on the average of two batches' gradients equals the
 * average of one step on each: the property periodic model averaging with one local step builds on.
 */
public final class Sgd extends AttachedOptimizer {
    /** Version tag of the state {@link #write} writes (AdamW's is 1). */
    static final int FORMAT = 2;
    private double weightDecay;
    private final boolean decayVectors;

    /**
     * @param weightDecay λ (0: none)
     * @param decayVectors whether parameters of at most one dimension are decayed too
     */
    public Sgd(double weightDecay, boolean decayVectors) {
        this.weightDecay = weightDecay;
        this.decayVectors = decayVectors;
    }

    /** Sets λ for the updates that follow (a weight-decay schedule calls it before each step). */
    @Override
    public void setWeightDecay(double weightDecay) {
        this.weightDecay = Optimizer.checkWeightDecay(weightDecay);
    }

    @Override
    public void step(double learningRate, double gradientScale) {
        updates++;
        NoGradient.run(() -> {
            try (NDManager scope = manager.newSubManager()) {
                DataType type = params.isEmpty() ? DataType.FLOAT32 : params.get(0).getArray().getDataType();
                NDArray rate = scope.full(new Shape(), (float) (learningRate * gradientScale), type);
                NDArray decay = scope.full(new Shape(), (float) (1 - learningRate * weightDecay), type);
                for (Parameter p : params) {
                    NDArray w = p.getArray();
                    NDArray g = w.getGradient();
                    g.attach(scope);
                    if (decays(w, weightDecay, decayVectors)) {
                        w.muli(decay);
                    }
                    w.subi(g.mul(rate));
                    EngineArrays.zeroGradient(w);
                }
            }
        });
    }

    /** None: plain SGD keeps no per-parameter state. */
    @Override
    public List<NDArray> stateArrays() {
        return List.of();
    }

    @Override
    public long stateBytes() {
        long n = 4 + 8 + 4;
        for (String name : names) {
            n += 2 + org.pretext.blocks.ParameterIO.utfBytes(name);
        }
        return n;
    }

    /** Writes the format, the update count and the parameters' names. */
    @Override
    public void write(DataOutputStream out) throws IOException {
        out.writeInt(FORMAT);
        out.writeLong(updates);
        out.writeInt(names.size());
        for (String name : names) {
            out.writeUTF(name);
        }
    }

    @Override
    public void read(DataInputStream in) throws IOException {
        int version = in.readInt();
        if (version == AdamW.FORMAT) {
            throw new PretextException("the optimizer state was written by adamw, and this run's optimizer is sgd:"
                    + " set training.optimizer: adamw to resume it");
        }
        if (version != FORMAT) {
            throw new PretextException("optimizer state format " + version + " is not supported (expected sgd's, "
                    + FORMAT + ")");
        }
        long u = in.readLong();
        int n = in.readInt();
        requireCount(n);
        for (int i = 0; i < n; i++) {
            requireName(i, in.readUTF());
        }
        updates = u;
    }
}
