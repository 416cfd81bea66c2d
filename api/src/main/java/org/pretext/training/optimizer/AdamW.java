package org.pretext.training.optimizer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pretext.PretextException;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter 2019), updating each parameter tensor in
 * place with the engine's fused Adam kernel:
 *
 * <pre>
 *   g ← s·∇w                      (s: the gradient-clipping scale, 1 when not clipped)
 *   m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²
 *   w ← w − η·λ·w − η/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)
 * </pre>
 *
 * exactly PyTorch's {@code AdamW} (and {@code Adam} when λ = 0): the fused kernel computes
 * η·√(1−β₂ᵗ)/(1−β₁ᵗ) · m/(√v + ε'), and it is given ε' = ε·√(1−β₂ᵗ).
 *
 * The moments live in the optimizer's own manager, created once, never inside a step's scope;
 * gradients are zeroed by the update.
 */
public final class AdamW implements AutoCloseable {
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final boolean decayVectors;
    private final List<String> names = new ArrayList<>();
    private final List<Parameter> params = new ArrayList<>();
    private final List<NDArray> means = new ArrayList<>();
    private final List<NDArray> variances = new ArrayList<>();
    private NDManager manager;
    private long updates;

    public AdamW(double beta1, double beta2, double epsilon, double weightDecay) {
        this(beta1, beta2, epsilon, weightDecay, true);
    }

    /**
     * @param decayVectors whether parameters of at most one dimension (biases, LayerNorm gains and
     *     shifts) are decayed too; GPT-2/nanoGPT, BERT and ViT recipes decay matrices only (false)
     */
    public AdamW(double beta1, double beta2, double epsilon, double weightDecay, boolean decayVectors) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        this.decayVectors = decayVectors;
    }

    /** Creates zero moments for each parameter, in a sub-manager of {@code owner}. */
    public void attach(Map<String, Parameter> parameters, NDManager owner) {
        if (manager != null) {
            throw new IllegalStateException("already attached");
        }
        manager = owner.newSubManager();
        for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
            NDArray w = e.getValue().getArray();
            names.add(e.getKey());
            params.add(e.getValue());
            means.add(manager.zeros(w.getShape(), w.getDataType()));
            variances.add(manager.zeros(w.getShape(), w.getDataType()));
        }
    }

    /** Number of updates made so far (t in the formula). */
    public long updates() {
        return updates;
    }

    /**
     * Applies one update to every parameter and zeroes its gradient.
     *
     * @param learningRate η for this step
     * @param gradientScale s, e.g. min(1, maxNorm/‖g‖) for global-norm clipping
     */
    public void step(double learningRate, double gradientScale) {
        updates++;
        double sqrtBias2 = Math.sqrt(1 - Math.pow(beta2, updates));
        double correction = sqrtBias2 / (1 - Math.pow(beta1, updates));
        float eps = (float) (epsilon * sqrtBias2);
        float lr = (float) learningRate;
        float lrCorrected = (float) (learningRate * correction);
        for (int i = 0; i < params.size(); i++) {
            NDArray w = params.get(i).getArray();
            try (NDArray g = w.getGradient()) {
                if (weightDecay > 0 && (decayVectors || w.getShape().dimension() > 1)) {
                    w.muli(1 - learningRate * weightDecay);
                }
                w.getNDArrayInternal().adamUpdate(new NDList(w, g, means.get(i), variances.get(i)), new NDList(w),
                        lr, lrCorrected, 0f, (float) gradientScale, -1f, (float) beta1, (float) beta2,
                        eps, false, false);
            }
        }
    }

    /** Zeroes every gradient without updating (e.g. after a skipped step). */
    public void zeroGradients() {
        for (Parameter p : params) {
            if (p.getArray() instanceof PtNDArray pt) {
                JniUtils.zeroGrad(pt);
            } else {
                try (NDArray g = p.getArray().getGradient()) {
                    g.subi(g);
                }
            }
        }
    }

    /**
     * The global L2 norm of all gradients, √Σ‖g‖².
     *
     * @param scratch a short-lived manager (the step's) that owns the temporary arrays
     */
    public double gradientNorm(NDManager scratch) {
        NDList squares = new NDList(params.size());
        for (Parameter p : params) {
            NDArray g = p.getArray().getGradient();
            g.attach(scratch); // the wrapper, and all computed from it, is freed with the scratch manager
            squares.add(g.square().sum().reshape(1));
        }
        NDArray all = squares.size() == 1 ? squares.get(0) : NDArrays.concat(squares);
        return Math.sqrt(all.sum().getFloat());
    }

    /** Writes the step count and moments, parameter by parameter with its name. */
    public void write(DataOutputStream out) throws IOException {
        out.writeInt(1);
        out.writeLong(updates);
        out.writeInt(params.size());
        for (int i = 0; i < params.size(); i++) {
            out.writeUTF(names.get(i));
            writeArray(out, means.get(i));
            writeArray(out, variances.get(i));
        }
    }

    /** Reads what {@link #write} wrote for the same parameters; refuses a mismatch by name. */
    public void read(DataInputStream in) throws IOException {
        int version = in.readInt();
        if (version != 1) {
            throw new PretextException("optimizer state format " + version + " is not supported (expected 1)");
        }
        long u = in.readLong();
        int n = in.readInt();
        if (n != params.size()) {
            throw new PretextException("optimizer state holds " + n + " parameters, the model has " + params.size());
        }
        for (int i = 0; i < n; i++) {
            String name = in.readUTF();
            if (!name.equals(names.get(i))) {
                throw new PretextException("optimizer state for parameter '" + name + "' where the model has '"
                        + names.get(i) + "'");
            }
            readArray(in, means.get(i), name);
            readArray(in, variances.get(i), name);
        }
        updates = u;
    }

    private static void writeArray(DataOutputStream out, NDArray a) throws IOException {
        float[] v = a.toFloatArray();
        out.writeInt(v.length);
        for (float f : v) {
            out.writeFloat(f);
        }
    }

    private static void readArray(DataInputStream in, NDArray target, String name) throws IOException {
        int len = in.readInt();
        if (len != target.getShape().size()) {
            throw new PretextException("optimizer state for '" + name + "' has " + len + " values, expected "
                    + target.getShape().size());
        }
        float[] v = new float[len];
        for (int i = 0; i < len; i++) {
            v[i] = in.readFloat();
        }
        org.pretext.engine.EngineArrays.copyInto(target, v);
    }

    /** Names of the parameters in update order. */
    public Map<String, Parameter> parameters() {
        Map<String, Parameter> m = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            m.put(names.get(i), params.get(i));
        }
        return m;
    }

    @Override
    public void close() {
        if (manager != null) {
            manager.close();
        }
    }
}
