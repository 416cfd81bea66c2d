package org.pretext.datasets.store;

import ai.djl.ndarray.types.Shape;

/** Small helpers on shapes. */
final class PretextShapes {
    private PretextShapes() {}

    /** The shape with a leading batch axis of size {@code n}. */
    static Shape batched(Shape example, long n) {
        long[] dims = new long[example.dimension() + 1];
        dims[0] = n;
        System.arraycopy(example.getShape(), 0, dims, 1, example.dimension());
        return new Shape(dims);
    }
}
