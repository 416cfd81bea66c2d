package org.pretext.training.optimizer;

import org.pretext.runtime.EngineArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.pretext.PretextException;
import org.pretext.engine.NoGradient;
import org.pretext.runtime.FlatAdamWKernel;
import org.pretext.runtime.FusedAdamWKernel;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter 2019), updating each parameter tensor in
 * place, as PyTorch's {@code AdamW} (and {@code Adam} when λ = 0) does:
 *
 * <pre>
 *   g ← s·∇w                      (s: the gradient-clipping scale, 1 when not clipped)
 *   m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²
 *   w ← w − η·λ·w − η/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)
 * </pre>
 *
 * On the PyTorch engine the update goes through libtorch's fused AdamW kernel, one call per group of
 * parameters that share a learning-rate scale and decay: over the group's flat buffers
 * ({@link FlatAdamWKernel}: from the first update on, each weight, gradient and moment is a view of
 * its slice of one array per kind), or, with {@link #useFlatBuffers(boolean)} or
 * {@code -Dpretext.flatAdamW=false}, over each tensor ({@link FusedAdamWKernel}); the two give the
 * same numbers (bit for bit over the default job's 3,510 steps). {@link #useFusedKernel(boolean)}
 * or {@code -Dpretext.fusedAdamW=false} turns the kernel off. Otherwise it is computed op by op as
 * w ← w − η·√(1−β₂ᵗ)/(1−β₁ᵗ) · m/(√v + ε·√(1−β₂ᵗ)), with s folded into the moments'
 * coefficients ((1−β₁)s and (1−β₂)s²): per tensor ten in-place or element-wise engine ops with
 * three temporaries, the step's constants made once per step, not per tensor (DJL's own
 * {@code adamUpdate} did about twice the ops and allocations for the same result). The two paths
 * agree to float32 rounding.
 *
 * The moments live in the optimizer's own manager, created once, never inside a step's scope;
 * gradients are zeroed by the update.
 */
public final class AdamW extends AttachedOptimizer {
    /** Version tag of the state {@link #write} writes. */
    static final int FORMAT = 1;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private double weightDecay;
    private final boolean decayVectors;
    private final List<NDArray> means = new ArrayList<>();
    private final List<NDArray> variances = new ArrayList<>();
    private double[] rateScales;
    private boolean fusedAllowed = true;
    private boolean flatAllowed = true;
    private boolean lastUpdateFused;
    /** Whether the fused kernel can update the attached arrays; decided at the first update that could use it. */
    private Boolean kernelTakesTheseArrays;
    /** The parameter groups the flat buffers were made for, and the buffers of each. */
    private Map<List<Double>, List<Integer>> flatGroups;
    private final Map<List<Double>, FlatAdamWKernel.Buffers> flatBuffers = new LinkedHashMap<>();

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

    /**
     * Sets λ for the updates that follow (a weight-decay schedule calls it before each step); not
     * part of the saved state, since the schedule gives it from the step.
     */
    @Override
    public void setWeightDecay(double weightDecay) {
        this.weightDecay = Optimizer.checkWeightDecay(weightDecay);
    }

    /** Zero moments for each parameter, laid out as it is (the fused kernel pairs them by memory offset). */
    @Override
    protected void attachState(NDArray w) {
        NDArray m = manager.zeros(w.getShape(), w.getDataType());
        NDArray v = manager.zeros(w.getShape(), w.getDataType());
        org.pretext.runtime.ChannelsLast.layOutLike(w, List.of(m, v));
        means.add(m);
        variances.add(v);
    }

    /**
     * Per-parameter multipliers of the learning rate (η becomes η·r for that parameter, in the
     * update and in the decay), e.g. a lower rate for a pretrained encoder than for a new head and
     * layer-wise decay when fine-tuning. Parameters not named keep 1. Not saved with the state:
     * they come from the configuration.
     *
     * @param scales multipliers by parameter name (as attached), each at least 0
     */
    public void setLearningRateScales(Map<String, Double> scales) {
        double[] r = new double[names.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = scales.getOrDefault(names.get(i), 1.0);
            if (!(r[i] >= 0) || Double.isInfinite(r[i])) {
                throw new IllegalArgumentException("learning-rate scale " + r[i] + " of " + names.get(i));
            }
        }
        for (String n : scales.keySet()) {
            if (!names.contains(n)) {
                throw new IllegalArgumentException("no attached parameter '" + n + "' to scale; attached: " + names);
            }
        }
        rateScales = r;
    }

    /**
     * Applies one update to every parameter and zeroes its gradient.
     *
     * @param learningRate η for this step
     * @param gradientScale s, e.g. min(1, maxNorm/‖g‖) for global-norm clipping
     */
    @Override
    public void step(double learningRate, double gradientScale) {
        updates++;
        Optional<FusedAdamWKernel> kernel = fusedAllowed && gradientScale > 0 && Double.isFinite(gradientScale)
                ? FusedAdamWKernel.get() : Optional.empty();
        if (kernel.isPresent() && kernelTakesTheseArrays == null) { // the arrays are fixed once attached
            kernelTakesTheseArrays = FusedAdamWKernel.accepts(allArrays());
            if (kernelTakesTheseArrays && !FusedAdamWKernel.sameLayouts(
                    params.stream().map(Parameter::getArray).toList(), means, variances)) {
                System.err.println("warning: AdamW: a weight's gradient or moments are laid out differently from the"
                        + " weight (re-strided after the optimizer was attached?): updates run op by op");
                kernelTakesTheseArrays = false;
            }
        }
        lastUpdateFused = kernel.isPresent() && kernelTakesTheseArrays;
        if (lastUpdateFused) {
            stepFused(kernel.get(), learningRate, gradientScale);
        } else {
            stepOpByOp(learningRate, gradientScale);
        }
    }

    /**
     * Whether updates may use libtorch's fused kernel where the engine offers it (default true); false
     * keeps the op-by-op path, e.g. to compare the two.
     *
     * @return this optimizer
     */
    public AdamW useFusedKernel(boolean use) {
        fusedAllowed = use;
        return this;
    }

    /**
     * Whether fused updates may run over flat buffers ({@link FlatAdamWKernel}: one kernel call per
     * group, each parameter, gradient and moment becoming a view of its slice) where the engine offers
     * them (default true); false keeps one kernel call per tensor, e.g. to compare the two.
     *
     * @return this optimizer
     */
    public AdamW useFlatBuffers(boolean use) {
        flatAllowed = use;
        if (!use) {
            closeFlatBuffers();
            flatGroups = null;
        }
        return this;
    }

    /** Whether the last update went through the fused kernel. */
    public boolean lastUpdateFused() {
        return lastUpdateFused;
    }

    private List<NDArray> allArrays() {
        List<NDArray> all = new ArrayList<>(3 * params.size());
        for (Parameter p : params) {
            all.add(p.getArray());
        }
        all.addAll(means);
        all.addAll(variances);
        return all;
    }

    /**
     * One kernel call per group of parameters sharing a learning-rate scale and whether they decay:
     * over the group's flat buffers where {@link FlatAdamWKernel} is on, else over its tensors.
     */
    private void stepFused(FusedAdamWKernel kernel, double learningRate, double gradientScale) {
        Map<List<Double>, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            double r = rateScales == null ? 1 : rateScales[i];
            boolean decayed = decayable(params.get(i).getArray(), decayVectors); // stable while λ is scheduled
            groups.computeIfAbsent(List.of(r, decayed ? 1.0 : 0.0), k -> new ArrayList<>()).add(i);
        }
        Optional<FlatAdamWKernel> flat = flatAllowed ? FlatAdamWKernel.get() : Optional.empty();
        if (flat.isPresent() && !groups.equals(flatGroups)) { // first update, or the rate scales changed
            closeFlatBuffers();
            flatGroups = groups;
        }
        for (Map.Entry<List<Double>, List<Integer>> g : groups.entrySet()) {
            List<NDArray> w = new ArrayList<>();
            List<NDArray> m = new ArrayList<>();
            List<NDArray> v = new ArrayList<>();
            for (int i : g.getValue()) {
                w.add(params.get(i).getArray());
                m.add(means.get(i));
                v.add(variances.get(i));
            }
            double rate = learningRate * g.getKey().get(0);
            double decay = g.getKey().get(1) > 0 ? weightDecay : 0.0;
            if (flat.isPresent()) {
                boolean fresh = !flatBuffers.containsKey(g.getKey());
                FlatAdamWKernel.Buffers buffers = flatBuffers.computeIfAbsent(g.getKey(),
                        k -> new FlatAdamWKernel.Buffers(manager, w));
                NoGradient.run(() -> flat.get().update(buffers, w, m, v, rate, beta1, beta2, decay, epsilon,
                        updates, gradientScale, fresh));
            } else {
                NoGradient.run(() -> kernel.update(w, m, v, rate, beta1, beta2, decay, epsilon, updates,
                        gradientScale));
            }
        }
    }

    private void closeFlatBuffers() {
        flatBuffers.values().forEach(FlatAdamWKernel.Buffers::close);
        flatBuffers.clear();
    }

    @Override
    public void close() {
        closeFlatBuffers();
        super.close();
    }

    private void stepOpByOp(double learningRate, double gradientScale) {
        double sqrtBias2 = Math.sqrt(1 - Math.pow(beta2, updates));
        double stepSize = learningRate * sqrtBias2 / (1 - Math.pow(beta1, updates));
        double s = gradientScale;
        NoGradient.run(() -> {
            try (NDManager scope = manager.newSubManager()) {
                DataType type = means.get(0).getDataType();
                NDArray b1 = constant(scope, beta1, type);
                NDArray c1 = constant(scope, (1 - beta1) * s, type);
                NDArray b2 = constant(scope, beta2, type);
                NDArray c2 = constant(scope, (1 - beta2) * s * s, type);
                NDArray eps = constant(scope, epsilon * sqrtBias2, type);
                NDArray step = constant(scope, stepSize, type);
                NDArray decay = constant(scope, 1 - learningRate * weightDecay, type);
                Map<Double, NDArray[]> scaled = new java.util.HashMap<>();
                for (int i = 0; i < params.size(); i++) {
                    NDArray w = params.get(i).getArray();
                    NDArray stepI = step;
                    NDArray decayI = decay;
                    if (rateScales != null && rateScales[i] != 1) {
                        double r = rateScales[i];
                        NDArray[] c = scaled.computeIfAbsent(r, k -> new NDArray[] {constant(scope, stepSize * k, type),
                            constant(scope, 1 - learningRate * k * weightDecay, type)});
                        stepI = c[0];
                        decayI = c[1];
                    }
                    NDArray g = w.getGradient();
                    g.attach(scope);
                    NDArray m = means.get(i);
                    NDArray v = variances.get(i);
                    if (decays(w, weightDecay, decayVectors)) {
                        w.muli(decayI);
                    }
                    m.muli(b1).addi(g.mul(c1)); // g's temporaries belong to the scope (g was attached to it)
                    v.muli(b2).addi(g.square().muli(c2));
                    NDArray root = v.sqrt(); // an op's result belongs to its first operand's manager: the
                    root.attach(scope); //      moments' long-lived one, unless attached to the step's scope
                    NDArray ratio = m.div(root.addi(eps));
                    ratio.attach(scope);
                    w.subi(ratio.muli(stepI));
                    EngineArrays.zeroGradient(w);
                }
            }
        });
    }

    private static NDArray constant(NDManager manager, double value, DataType type) {
        return manager.full(new Shape(), (float) value, type);
    }


    /** The first then the second moment of each parameter, in update order. */
    @Override
    public List<NDArray> stateArrays() {
        List<NDArray> all = new ArrayList<>(2 * params.size());
        for (int i = 0; i < params.size(); i++) {
            all.add(means.get(i));
            all.add(variances.get(i));
        }
        return all;
    }

    @Override
    public long stateBytes() {
        return stateBytes(parameters());
    }

    /** Writes the step count and moments, parameter by parameter with its name. */
    @Override
    public void write(DataOutputStream out) throws IOException {
        out.writeInt(FORMAT);
        out.writeLong(updates);
        out.writeInt(params.size());
        for (int i = 0; i < params.size(); i++) {
            out.writeUTF(names.get(i));
            writeArray(out, means.get(i));
            writeArray(out, variances.get(i));
        }
    }

    /** The exact size {@link #write} gives the state of an optimizer attached to these parameters. */
    public static long stateBytes(Map<String, Parameter> parameters) {
        long n = 4 + 8 + 4;
        for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
            long size = e.getValue().getArray().getShape().size();
            n += 2 + org.pretext.blocks.ParameterIO.utfBytes(e.getKey()) + 2 * (4 + 4 * size);
        }
        return n;
    }

    /** Reads what {@link #write} wrote for the same parameters; refuses a mismatch by name. */
    @Override
    public void read(DataInputStream in) throws IOException {
        int version = in.readInt();
        if (version == Sgd.FORMAT) {
            throw new PretextException("the optimizer state was written by sgd, and this run's optimizer is adamw:"
                    + " set training.optimizer: sgd to resume it");
        }
        if (version != FORMAT) {
            throw new PretextException("optimizer state format " + version + " is not supported (expected 1)");
        }
        long u = in.readLong();
        int n = in.readInt();
        requireCount(n);
        for (int i = 0; i < n; i++) {
            String name = in.readUTF();
            requireName(i, name);
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
        org.pretext.runtime.EngineArrays.copyInto(target, v);
    }
}
