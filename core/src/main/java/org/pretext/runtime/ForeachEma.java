package org.pretext.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import java.util.List;
import java.util.Optional;

/**
 * A momentum target's update ξ ← m·ξ + (1 − m)·θ over all its tensors in three calls of libtorch's
 * {@code _foreach_} ops (ξ − θ, times m, plus θ: the same float operations, in the same order, as
 * three engine ops per tensor, so the results are identical), reached through a TorchScript module
 * ({@code ema.pt}, written by {@code core/src/main/python/make_ema.py}); DJL 0.35's JNI exposes no
 * {@code _foreach_} op. Loaded once per JVM. {@code -Dpretext.foreachEma=false} turns it off.
 */
public final class ForeachEma {
    private static final String RESOURCE = "/org/pretext/torchscript/ema.pt";
    /** {@code -Dpretext.foreachEma=false} keeps every EMA update on three engine ops per tensor. */
    public static final String PROPERTY = "pretext.foreachEma";

    private final PtSymbolBlock module;

    private ForeachEma(PtSymbolBlock module) {
        this.module = module;
    }

    /** The shared module, or empty when the engine is not PyTorch, the property turns it off, or it did not load. */
    public static Optional<ForeachEma> get() {
        return Shared.MODULE;
    }

    /** Loaded on the first {@link #get()}. */
    private static final class Shared {
        static final Optional<ForeachEma> MODULE = TorchScriptModules.load(PROPERTY, RESOURCE,
                "EMA targets keep three engine ops per tensor").map(ForeachEma::new);
    }

    /** Whether the module can update these pairs: float32 arrays of the PyTorch engine on one device. */
    public static boolean accepts(List<NDArray[]> pairs) {
        return TorchScriptModules.floatsOnOneDevice(pairs.stream().flatMap(java.util.Arrays::stream).toList());
    }

    /**
     * Moves every target towards its online array in place.
     *
     * @param pairs {online, target} arrays
     */
    public void update(List<NDArray[]> pairs, float momentum) {
        int n = pairs.size();
        PtNDArray[] targets = new PtNDArray[n];
        PtNDArray[] onlines = new PtNDArray[n];
        for (int i = 0; i < n; i++) {
            onlines[i] = (PtNDArray) pairs.get(i)[0];
            targets[i] = (PtNDArray) pairs.get(i)[1];
        }
        IValue[] in = new IValue[3];
        try {
            in[0] = IValue.listFrom(targets);
            in[1] = IValue.listFrom(onlines);
            in[2] = IValue.listFrom((double) momentum); // the float m, exactly, as the engine ops' scalar
            module.forward(in).close();
        } finally {
            TorchScriptModules.close(in);
        }
    }
}
