package org.pretext.datasets.store;

import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.pretext.data.Split;

/**
 * Examples in JVM memory, as unsigned bytes (images: a quarter of the memory of floats, scaled to
 * [0, 1] when read) or as float32 values, row-major, one example after another.
 */
public final class MemoryExamples implements StoredExamples {
    private final byte[] bytes;
    private final float[] floats;
    private final Shape exampleShape;
    private final int exampleSize;
    private final int size;

    private MemoryExamples(byte[] bytes, float[] floats, Shape exampleShape) {
        this.bytes = bytes;
        this.floats = floats;
        this.exampleShape = exampleShape;
        this.exampleSize = Math.toIntExact(exampleShape.size());
        int len = bytes != null ? bytes.length : floats.length;
        if (exampleSize == 0 || len % exampleSize != 0) {
            throw new IllegalArgumentException(len + " values do not divide into examples of shape " + exampleShape);
        }
        this.size = len / exampleSize;
    }

    /** Unsigned bytes, read as value / 255. */
    public static MemoryExamples ofBytes(byte[] data, Shape exampleShape) {
        return new MemoryExamples(data, null, exampleShape);
    }

    /** Float values, read as they are. */
    public static MemoryExamples ofFloats(float[] data, Shape exampleShape) {
        return new MemoryExamples(null, data, exampleShape);
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public Shape exampleShape() {
        return exampleShape;
    }

    @Override
    public String storage() {
        return "memory";
    }

    /** Whether values are stored as bytes. */
    public boolean isBytes() {
        return bytes != null;
    }

    /** Values per example. */
    int exampleSize() {
        return exampleSize;
    }

    /** Copies example {@code index} as floats into {@code dst} at {@code offset}. */
    void copy(int index, float[] dst, int offset) {
        int from = index * exampleSize;
        if (floats != null) {
            System.arraycopy(floats, from, dst, offset, exampleSize);
        } else {
            for (int i = 0; i < exampleSize; i++) {
                dst[offset + i] = (bytes[from + i] & 0xFF) / 255f;
            }
        }
    }

    @Override
    public Split view(int[] indices, int[] labels, List<String> classNames) {
        return new MemorySplit(this, indices, labels, classNames);
    }
}
