package org.pretext.datasets.store;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.pretext.data.IndexedSplit;
import org.pretext.data.Split;

/**
 * Examples in JVM memory, as unsigned bytes (images: a quarter of the memory of floats, scaled to
 * [0, 1] when read) or as float32 values, row-major, one example after another.
 */
public final class MemoryExamples extends StoredExamples {
    private final byte[] bytes;
    private final float[] floats;
    private final int exampleSize;

    private MemoryExamples(byte[] bytes, float[] floats, Shape exampleShape) {
        super(count(bytes != null ? bytes.length : floats.length, exampleShape), exampleShape, "memory");
        this.bytes = bytes;
        this.floats = floats;
        this.exampleSize = Math.toIntExact(exampleShape.size());
    }

    private static long count(int values, Shape exampleShape) {
        long e = exampleShape.size();
        if (e == 0 || values % e != 0) {
            throw new IllegalArgumentException(values + " values do not divide into examples of shape " + exampleShape);
        }
        return values / e;
    }

    /** Unsigned bytes, read as value / 255. */
    public static MemoryExamples ofBytes(byte[] data, Shape exampleShape) {
        return new MemoryExamples(data, null, exampleShape);
    }

    /** Float values, read as they are. */
    public static MemoryExamples ofFloats(float[] data, Shape exampleShape) {
        return new MemoryExamples(null, data, exampleShape);
    }

    /** Whether values are stored as bytes. */
    public boolean isBytes() {
        return bytes != null;
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

    /** A split of the examples at {@code indices}, read as {@link IndexedSplit} reads any rows. */
    @Override
    public Split view(int[] indices, int[] labels, List<String> classNames) {
        long n = indices == null ? size() : indices.length;
        return IndexedSplit.of(n, exampleShape(), DataType.FLOAT32,
                (k, batch, offset) -> copy(indices == null ? (int) k : indices[(int) k], batch.floats(), offset),
                labels, classNames);
    }
}
