package org.pretext.datasets.store;

import java.util.List;

/**
 * Receives the examples of one set in order, as unsigned bytes or float32 values in the example
 * layout (C, H, W) or (d), with their labels, and keeps them in memory or in a disk cache.
 */
public interface ExampleWriter extends AutoCloseable {
    /**
     * Appends {@code count} examples of bytes (writers of byte examples only).
     *
     * @param labels one label per example, or null for unlabelled data
     */
    void appendBytes(byte[] data, int offset, int count, int[] labels);

    /** Appends {@code count} examples of floats (writers of float examples only). */
    void appendFloats(float[] data, int offset, int count, int[] labels);

    /** Number of examples appended so far. */
    long count();

    /**
     * The examples written, with their labels and class names.
     *
     * @param classNames class names by label (empty when unlabelled)
     * @param notes lines worth keeping with a disk cache (e.g. the files skipped when it was built)
     */
    ExampleSet finish(List<String> classNames, List<String> notes);

    /**
     * As {@link #finish(List, List)}, with one identifier per example (kept with a disk cache).
     *
     * @param ids one identifier per example written, in order
     */
    default ExampleSet finish(List<String> classNames, List<String> notes, List<String> ids) {
        ExampleSet set = finish(classNames, notes);
        return new ExampleSet(set.examples(), set.labels(), set.classNames(), ids);
    }

    /** Releases what an unfinished writer holds (a half-written cache is deleted). */
    @Override
    void close();
}
