package org.pretext.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Convolution weights laid out channels-last (NHWC strides), in place: the values, shapes and
 * autograd identity of the arrays stay, only their strides change. A convolution whose weight is
 * channels-last gives a channels-last output, so oneDNN's convolutions, the max-pooling and the
 * element-wise ops between them run on NHWC activations without converting, forward and backward;
 * PyTorch users get the same with {@code model.to(memory_format=torch.channels_last)}. On
 * {@code simclr-cnn} the step ran 1.3–1.45× faster (BENCHMARKS.md), as PyTorch 2.6's own step does.
 *
 * <p>DJL 0.35 has no memory-format API; a TorchScript module ({@code channels_last.pt}, written by
 * {@code core/src/main/python/make_channels_last.py}) re-strides the tensors with
 * {@code set_(t.to(memory_format=torch.channels_last))}. Every read of values in Pretext and DJL is
 * by index (host copies go through {@code contiguous()}), so only kernels that walk raw memory
 * care: libtorch's fused AdamW pairs a weight with its gradient and moments by memory offset, so
 * {@code AdamW} makes the moments with their weight's strides and checks all four agree
 * ({@link #strides}). Weights are converted where models are built ({@code PretextModel},
 * {@code ReplicatedModel}'s replicas, {@code ExportedEncoder}, EMA targets), before any backward
 * pass, so autograd gives each gradient its weight's strides. {@code -Dpretext.channelsLast=false}
 * keeps the default (NCHW) strides.
 */
public final class ChannelsLast {
    private static final String RESOURCE = "/org/pretext/torchscript/channels_last.pt";
    /** {@code -Dpretext.channelsLast=false} leaves every array in the default (row-major) layout. */
    public static final String PROPERTY = "pretext.channelsLast";

    private final PtSymbolBlock module;

    private ChannelsLast(PtSymbolBlock module) {
        this.module = module;
    }

    /** The shared module, or empty when the engine is not PyTorch, the property turns it off, or it did not load. */
    public static Optional<ChannelsLast> get() {
        return Shared.MODULE;
    }

    /** Loaded on the first {@link #get()}. */
    private static final class Shared {
        static final Optional<ChannelsLast> MODULE = TorchScriptModules.load(PROPERTY, RESOURCE,
                "convolution weights keep the default layout").map(ChannelsLast::new);
    }

    /**
     * "channels-last", or "contiguous" when {@code -Dpretext.channelsLast=false}: the setting, for
     * provenance, read without loading the module (a module that fails to load says so on standard
     * error when first used).
     *
     * @throws org.pretext.PretextException when the property is neither true nor false
     */
    public static String setting() {
        return TorchScriptModules.enabled(PROPERTY) ? "channels-last" : "contiguous";
    }

    /**
     * Lays out every 4-D parameter of the block channels-last (nothing where the module is off).
     *
     * @return how many arrays were laid out
     */
    public static int apply(Block block) {
        List<NDArray> arrays = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getValue().isInitialized()) {
                arrays.add(p.getValue().getArray());
            }
        }
        return apply(arrays);
    }

    /**
     * Lays out every 4-D PyTorch array of {@code arrays} channels-last (nothing where the module is
     * off); other arrays are left alone.
     *
     * @return how many arrays were laid out
     */
    public static int apply(Collection<NDArray> arrays) {
        List<PtNDArray> images = new ArrayList<>();
        for (NDArray a : arrays) {
            if (a instanceof PtNDArray pt && a.getShape().dimension() == 4) {
                images.add(pt);
            }
        }
        Optional<ChannelsLast> module = get();
        if (images.isEmpty() || module.isEmpty()) {
            return 0;
        }
        module.get().call(images, true);
        return images.size();
    }

    /**
     * Lays {@code arrays} out channels-last when {@code like} is a 4-D array laid out so (e.g. an
     * optimizer's moments after their weight).
     */
    public static void layOutLike(NDArray like, List<NDArray> arrays) {
        if (like.getShape().dimension() != 4) {
            return;
        }
        Optional<List<long[]>> strides = strides(List.of(like));
        if (strides.isPresent() && isChannelsLast(like.getShape().getShape(), strides.get().get(0))) {
            apply(arrays);
        }
    }

    /** Whether a (N, C, H, W) tensor of these strides is laid out (N, H, W, C), axes of size 1 aside. */
    static boolean isChannelsLast(long[] shape, long[] strides) {
        long c = shape[1];
        long w = shape[3];
        return sameStrides(shape, strides, new long[] {shape[2] * w * c, 1, w * c, c});
    }

    /**
     * Whether two tensors of this shape walk their memory alike: equal strides on every axis longer
     * than 1 (an axis of size 1 is never stepped along, whatever its stride; autograd ignores it too).
     */
    static boolean sameStrides(long[] shape, long[] a, long[] b) {
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] > 1 && a[d] != b[d]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Each array's strides (in elements), as libtorch holds them; empty where the module is off (then
     * no array was re-strided by Pretext and all have their default strides).
     */
    public static Optional<List<long[]>> strides(List<NDArray> arrays) {
        List<PtNDArray> pt = new ArrayList<>(arrays.size());
        for (NDArray a : arrays) {
            if (!(a instanceof PtNDArray p)) {
                return Optional.empty();
            }
            pt.add(p);
        }
        return get().map(m -> m.call(pt, false));
    }

    private List<long[]> call(List<PtNDArray> arrays, boolean convert) {
        IValue[] in = new IValue[2];
        IValue out = null;
        try {
            in[0] = IValue.listFrom(arrays.toArray(PtNDArray[]::new));
            in[1] = IValue.from(convert);
            out = module.forward(in);
            List<long[]> strides = new ArrayList<>(arrays.size());
            for (IValue s : out.toIValueArray()) {
                strides.add(s.toLongArray());
                s.close();
            }
            return strides;
        } finally {
            TorchScriptModules.close(in);
            if (out != null) {
                out.close();
            }
        }
    }
}
