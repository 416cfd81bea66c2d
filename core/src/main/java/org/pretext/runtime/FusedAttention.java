package org.pretext.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import java.util.Optional;

/**
 * libtorch's scaled-dot-product attention ({@code torch.nn.functional.scaled_dot_product_attention}):
 * softmax(Q·Kᵀ/√d + M)·V in one fused kernel and its gradient in another, without the (B, H, T, T)
 * score and probability arrays of the op-by-op formula, reached through a TorchScript module
 * ({@code attention.pt}, written by {@code core/src/main/python/make_attention.py}) that DJL 0.35 runs
 * with autograd on, so gradients flow to Q, K and V as through engine ops. Loaded once per JVM.
 *
 * <p>{@code -Dpretext.fusedAttention=false} turns it off (callers keep their op-by-op formula).
 */
public final class FusedAttention {
    private static final String RESOURCE = "/org/pretext/torchscript/attention.pt";
    /** {@code -Dpretext.fusedAttention=false} keeps every attention on its op-by-op formula. */
    public static final String PROPERTY = "pretext.fusedAttention";
    /** DJL runs the module's method named by an input called {@code module_method:NAME}. */
    private static final String MASKED = "module_method:masked";
    private static volatile Optional<FusedAttention> shared;

    private final PtSymbolBlock module;
    /** The marker that selects the masked method (never passed to the module). */
    private final NDArray maskedMarker;

    private FusedAttention(PtSymbolBlock module, NDManager owner) {
        this.module = module;
        this.maskedMarker = owner.zeros(new Shape(1));
        maskedMarker.setName(MASKED);
    }

    /** The shared kernel, or empty when the engine is not PyTorch, the property turns it off, or it did not load. */
    public static Optional<FusedAttention> get() {
        Optional<FusedAttention> k = shared;
        if (k == null) {
            synchronized (FusedAttention.class) {
                k = shared;
                if (k == null) {
                    k = load();
                    shared = k;
                }
            }
        }
        return k;
    }

    /** Whether the kernel takes these arrays: float32 arrays of the PyTorch engine on one device (bias may be null). */
    public static boolean accepts(NDArray q, NDArray k, NDArray v, NDArray bias) {
        for (NDArray a : new NDArray[] {q, k, v, bias}) {
            if (a != null && (!(a instanceof PtNDArray) || a.getDataType() != DataType.FLOAT32
                    || !a.getDevice().equals(q.getDevice()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * softmax(q·kᵀ/√d + bias)·v, attached to q's manager.
     *
     * @param q queries (B, H, T, d)
     * @param k keys (B, H, T', d)
     * @param v values (B, H, T', d_v)
     * @param bias an additive bias broadcastable to (B, H, T, T'), or null
     */
    public NDArray attend(NDArray q, NDArray k, NDArray v, NDArray bias) {
        NDList in = bias == null ? new NDList(q, k, v) : new NDList(q, k, v, bias, maskedMarker);
        return IValueUtils.forward(module, in, true).singletonOrThrow();
    }

    private static Optional<FusedAttention> load() {
        if ("false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"))) {
            return Optional.empty();
        }
        return TorchScriptModules.load(RESOURCE, "attention keeps its op-by-op formula")
                .map(m -> new FusedAttention(m, EngineSetup.engine().newBaseManager()));
    }
}
