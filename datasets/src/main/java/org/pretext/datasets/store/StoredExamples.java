package org.pretext.datasets.store;

import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.pretext.data.Split;

/**
 * The examples of one source set (all of a file, or its training part), held in memory
 * ({@link MemoryExamples}) or in shards on disk ({@link ShardedExamples}), from which splits are
 * made as views: no example is copied to make a split.
 */
public abstract class StoredExamples {
    private final long size;
    private final Shape exampleShape;
    private final String storage;

    StoredExamples(long size, Shape exampleShape, String storage) {
        this.size = size;
        this.exampleShape = exampleShape;
        this.storage = storage;
    }

    /** Number of examples. */
    public final long size() {
        return size;
    }

    /** Shape of one example, e.g. (3, 32, 32) or (d). */
    public final Shape exampleShape() {
        return exampleShape;
    }

    /** {@code memory} or {@code disk}, for provenance and messages. */
    public final String storage() {
        return storage;
    }

    /**
     * The examples at increasing indices as a split.
     *
     * @param indices strictly increasing example indices, or null for all
     * @param labels one label per selected example (in the same order), or null for unlabelled
     * @param classNames class names by label, empty when unlabelled
     */
    public abstract Split view(int[] indices, int[] labels, List<String> classNames);
}
