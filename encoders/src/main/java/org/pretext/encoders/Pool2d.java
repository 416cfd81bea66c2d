package org.pretext.encoders;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * 2-D pooling over images (B, C, H, W) as a block that says what it does: max pooling with a
 * kernel and stride (no padding, floor rounding), or global average pooling to (B, C). Max pooling
 * is DJL's {@code Pool.maxPool2d}; the global average is the mean over the (B, C, H·W) view of the
 * image, as PyTorch's {@code AdaptiveAvgPool2d(1)} and {@code Flatten} compute it (a mean over the
 * last two axes). Its backward pass hands the layer below an expanded gradient, which ReLU's
 * backward lays out as ReLU's own output (channels-last when the convolutions are). An average pool
 * whose window is the whole image did the same sums, but its backward received a (B, C, 1, 1)
 * gradient that libtorch reads as row-major, so it converted the channels-last map to row-major and
 * back: two copies of the last map per step (ReLU's and the pool's backward on {@code simclr-cnn}'s
 * 512 × 128 × 7 × 7 map 7.0–8.4 ms, against 1.0 ms with the mean; 2026-12-07). A block, not DJL's
 * anonymous lambda blocks, so that an exporter can read it.
 */
public final class Pool2d extends AbstractBlock {
    private static final byte VERSION = 1;

    /** Which pooling. */
    public enum Kind {
        /** Maximum over each kernel window. */
        MAX,
        /** Mean over the whole image, one value per channel. */
        GLOBAL_AVERAGE
    }

    private final Kind kind;
    private final Shape kernel;
    private final Shape stride;

    private Pool2d(Kind kind, Shape kernel, Shape stride) {
        super(VERSION);
        this.kind = kind;
        this.kernel = kernel;
        this.stride = stride;
    }

    /** Max pooling with the given kernel and stride, no padding. */
    public static Pool2d max(Shape kernel, Shape stride) {
        return new Pool2d(Kind.MAX, kernel, stride);
    }

    /** Global average pooling (B, C, H, W) → (B, C). */
    public static Pool2d globalAverage() {
        return new Pool2d(Kind.GLOBAL_AVERAGE, null, null);
    }

    public Kind kind() {
        return kind;
    }

    /** The kernel (kh, kw) of max pooling; null for global average pooling. */
    public Shape kernel() {
        return kernel;
    }

    /** The stride (sh, sw) of max pooling; null for global average pooling. */
    public Shape stride() {
        return stride;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        if (kind == Kind.MAX) {
            return new NDList(Pool.maxPool2d(x, kernel, stride, new Shape(0, 0), false));
        }
        Shape s = x.getShape();
        // a view for row-major and channels-last maps alike: H and W stay adjacent in memory
        return new NDList(x.reshape(s.get(0), s.get(1), s.get(2) * s.get(3)).mean(new int[] {2}));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        if (kind == Kind.GLOBAL_AVERAGE) {
            return new Shape[] {new Shape(in.get(0), in.get(1))};
        }
        return new Shape[] {new Shape(in.get(0), in.get(1), (in.get(2) - kernel.get(0)) / stride.get(0) + 1,
                (in.get(3) - kernel.get(1)) / stride.get(1) + 1)};
    }

    @Override
    public String toString() {
        return kind == Kind.MAX ? "MaxPool2d(kernel=" + kernel + ", stride=" + stride + ")" : "GlobalAvgPool2d()";
    }
}
