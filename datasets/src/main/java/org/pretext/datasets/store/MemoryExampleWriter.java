package org.pretext.datasets.store;

import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.pretext.PretextException;

/** Keeps a known number of examples in JVM memory (bytes or floats). */
public final class MemoryExampleWriter implements ExampleWriter {
    private final Shape exampleShape;
    private final int exampleSize;
    private final byte[] bytes;
    private final float[] floats;
    private final LabelBuffer labels = new LabelBuffer();
    private long count;

    /**
     * @param capacity the number of examples that will be written
     * @param asBytes whether examples are unsigned bytes (else floats)
     */
    public MemoryExampleWriter(long capacity, Shape exampleShape, boolean asBytes) {
        this.exampleShape = exampleShape;
        this.exampleSize = Math.toIntExact(exampleShape.size());
        long n = capacity * exampleSize;
        if (n > Integer.MAX_VALUE - 16) {
            throw new PretextException(capacity + " examples of shape " + exampleShape + " (" + n
                    + " values) do not fit in one Java array: use storage=disk");
        }
        this.bytes = asBytes ? new byte[(int) n] : null;
        this.floats = asBytes ? null : new float[(int) n];
    }

    @Override
    public void appendBytes(byte[] data, int offset, int count, int[] labelsOrNull) {
        if (bytes == null) {
            throw new IllegalStateException("float writer");
        }
        System.arraycopy(data, offset, bytes, (int) (this.count * exampleSize), count * exampleSize);
        labels.add(labelsOrNull, count);
        this.count += count;
    }

    @Override
    public void appendFloats(float[] data, int offset, int count, int[] labelsOrNull) {
        if (floats == null) {
            throw new IllegalStateException("byte writer");
        }
        System.arraycopy(data, offset, floats, (int) (this.count * exampleSize), count * exampleSize);
        labels.add(labelsOrNull, count);
        this.count += count;
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    public ExampleSet finish(List<String> classNames, List<String> notes) {
        int used = (int) (count * exampleSize);
        MemoryExamples store;
        if (bytes != null) {
            store = MemoryExamples.ofBytes(used == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, used),
                    exampleShape);
        } else {
            store = MemoryExamples.ofFloats(used == floats.length ? floats : java.util.Arrays.copyOf(floats, used),
                    exampleShape);
        }
        int[] lab = labels.toArray();
        return new ExampleSet(store, lab, lab == null ? List.of() : classNames);
    }

    @Override
    public void close() {}
}
