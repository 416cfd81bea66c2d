package org.pretext.datasets.store;

import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.pretext.data.Split;

/**
 * The examples of one source set (all of a file, or its training part), held in memory or in
 * shards on disk, from which splits are made as views: no example is copied to make a split.
 */
public interface StoredExamples {
    /** Number of examples. */
    long size();

    /** Shape of one example, e.g. (3, 32, 32) or (d). */
    Shape exampleShape();

    /** {@code memory} or {@code disk}, for provenance and messages. */
    String storage();

    /**
     * The examples at increasing indices as a split.
     *
     * @param indices strictly increasing example indices, or null for all
     * @param labels one label per selected example (in the same order), or null for unlabelled
     * @param classNames class names by label, empty when unlabelled
     */
    Split view(int[] indices, int[] labels, List<String> classNames);
}
