package org.pretext.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import java.util.List;
import java.util.Optional;

/**
 * libtorch's fused AdamW kernel over flat buffers: one call updates a whole parameter group as one
 * tensor, each weight, gradient and moment of the group being a view of its slice of four flat
 * arrays ({@link Buffers}). Per-tensor calls ({@link FusedAdamWKernel}) pay a parallel region per
 * tensor: 2.2–2.3 ms at 2 threads for {@code causal-lm}'s 53 tensors in DJL's libtorch, where
 * PyTorch 2.6 takes 0.17 ms over one flat tensor of the same size.
 *
 * <p>The TorchScript module ({@code flat_adamw.pt}, written by
 * {@code core/src/main/python/make_flat_adamw.py}) binds the tensors itself: at the first update,
 * and whenever a tensor has been replaced since (a parameter given a new array, a gradient made
 * anew), it copies the tensor's values into its slice and makes the tensor a view of it
 * ({@code Tensor.set_}, strides kept, so channels-last weights stay channels-last). Everyone holding
 * the tensors (the model, the backward pass accumulating into the gradients, checkpoints copying into
 * the moments) sees the flat buffers; nothing else changes. {@code -Dpretext.flatAdamW=false}
 * keeps the per-tensor calls.
 */
public final class FlatAdamWKernel {
    private static final String RESOURCE = "/org/pretext/torchscript/flat_adamw.pt";
    /** {@code -Dpretext.flatAdamW=false} keeps AdamW's fused updates per tensor (for comparisons). */
    public static final String PROPERTY = "pretext.flatAdamW";

    private final PtSymbolBlock module;

    private FlatAdamWKernel(PtSymbolBlock module) {
        this.module = module;
    }

    /**
     * The shared kernel, or empty when the engine is not PyTorch, the property turns it off, or the
     * module cannot be loaded (the reason is logged once).
     */
    public static Optional<FlatAdamWKernel> get() {
        return Shared.KERNEL;
    }

    /** Loaded on the first {@link #get()}. */
    private static final class Shared {
        static final Optional<FlatAdamWKernel> KERNEL = TorchScriptModules.load(PROPERTY, RESOURCE,
                "AdamW keeps one fused kernel call per tensor").map(FlatAdamWKernel::new);
    }

    /** The four flat arrays of one parameter group: weights, gradients, first and second moments. */
    public static final class Buffers implements AutoCloseable {
        private final PtNDArray[] arrays = new PtNDArray[4];

        /**
         * Zeros of the group's total size, on the parameters' device.
         *
         * @param manager the optimizer's manager (the buffers live as long as it; the parameters keep
         *     their storage alive after that)
         * @param weights the group's weights, in update order
         */
        public Buffers(NDManager manager, List<NDArray> weights) {
            long n = 0;
            for (NDArray w : weights) {
                n += w.getShape().size();
            }
            NDManager onDevice = manager.getDevice().equals(weights.get(0).getDevice()) ? manager
                    : manager.newSubManager(weights.get(0).getDevice());
            for (int k = 0; k < 4; k++) {
                arrays[k] = (PtNDArray) onDevice.zeros(new Shape(n), DataType.FLOAT32);
            }
        }

        @Override
        public void close() {
            for (PtNDArray a : arrays) {
                a.close();
            }
        }
    }

    /**
     * One AdamW update of the group in place, PyTorch's formula (decay w ← w(1 − ηλ) first, bias
     * corrections of update {@code t}), the gradient multiplied by {@code gradientScale}; then the
     * gradients are zeroed. A weight without a gradient is updated with a zero one.
     *
     * @param buffers this group's buffers, made for these weights in this order
     * @param weights the parameters' arrays
     * @param means first moments, one per weight, laid out as it is
     * @param variances second moments, likewise
     * @param t the update count, from 1
     * @param closely whether to look at every tensor closely (the buffers' first update: a tensor may
     *     be a view of other buffers at the same offset); else a tensor at its slice's offset in some
     *     storage is taken as bound, which is cheap
     * @return how many tensors this call bound to the buffers (0 once all are views of them)
     */
    public long update(Buffers buffers, List<NDArray> weights, List<NDArray> means, List<NDArray> variances,
            double learningRate, double beta1, double beta2, double weightDecay, double epsilon, long t,
            double gradientScale, boolean closely) {
        PtNDArray[] w = TorchScriptModules.pt(weights);
        PtNDArray[] g = TorchScriptModules.gradients(w); // zeros where a weight has none; closed below
        IValue[] in = new IValue[9];
        try {
            in[0] = IValue.listFrom(w);
            in[1] = IValue.listFrom(g);
            in[2] = IValue.listFrom(TorchScriptModules.pt(means));
            in[3] = IValue.listFrom(TorchScriptModules.pt(variances));
            for (int k = 0; k < 4; k++) {
                in[4 + k] = IValue.listFrom(buffers.arrays[k]);
            }
            in[8] = IValue.listFrom(learningRate, beta1, beta2, weightDecay, epsilon, (double) t, gradientScale,
                    closely ? 1 : 0);
            try (IValue out = module.forward(in)) {
                return out.toLong();
            }
        } finally {
            TorchScriptModules.close(in);
            TorchScriptModules.close(g);
        }
    }
}
