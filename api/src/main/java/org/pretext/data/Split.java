package org.pretext.data;

import org.apiguardian.api.API;
import ai.djl.ndarray.types.Shape;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * One part of a dataset (pretraining, training labels, test): a sequence of examples of one
 * shape, optionally labelled, read in batches. Implementations may hold the data in memory or
 * stream it from disk; either way {@link #batches} with the same plan gives the same batches.
 */
@API(status = API.Status.STABLE, since = "0.1")
public interface Split {
    /** Number of examples. */
    long size();

    /** Shape of one example, e.g. (1, 28, 28) for a grey image. */
    Shape exampleShape();

    /** Whether every example has a class label. */
    boolean hasLabels();

    /** Class names by label index; empty for unlabelled splits. */
    List<String> classNames();

    /** Number of classes; 0 for unlabelled splits. */
    default int numClasses() {
        return classNames().size();
    }

    /** Every example's label in order; fails for unlabelled splits. */
    int[] labels();

    /**
     * The examples' identifiers in order, where the dataset has them (an image folder: each file's
     * path relative to the folder, with {@code /}); empty otherwise, when an example's index is its
     * only name.
     *
     * @since 0.3
     */
    @API(status = API.Status.EXPERIMENTAL, since = "0.3")
    default Optional<List<String>> ids() {
        return Optional.empty();
    }

    /** Batches in the order and from the position the plan gives. */
    Iterator<Batch> batches(BatchPlan plan);
}
