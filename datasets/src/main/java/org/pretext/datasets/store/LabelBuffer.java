package org.pretext.datasets.store;

import java.util.Arrays;

/** A growable int array of labels that knows whether it received labels at all. */
final class LabelBuffer {
    private int[] values = new int[1024];
    private int size;
    private Boolean labelled;

    void add(int[] labels, int count) {
        boolean has = labels != null;
        if (labelled == null) {
            labelled = has;
        } else if (labelled != has) {
            throw new IllegalStateException("examples with and without labels mixed in one set");
        }
        if (!has) {
            size += count;
            return;
        }
        if (size + count > values.length) {
            values = Arrays.copyOf(values, Math.max(size + count, values.length * 2));
        }
        System.arraycopy(labels, 0, values, size, count);
        size += count;
    }

    /** The labels, or null if the examples were unlabelled. */
    int[] toArray() {
        return labelled == null || !labelled ? null : Arrays.copyOf(values, size);
    }
}
