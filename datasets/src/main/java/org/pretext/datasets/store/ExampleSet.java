package org.pretext.datasets.store;

import java.util.List;
import org.pretext.PretextException;

/**
 * Stored examples with their labels (or none) and class names: everything a source read for one
 * part of a dataset (its training files, its test files, or the single set to be split).
 *
 * @param examples the stored examples
 * @param labels one class index per example, or null when the data has no labels
 * @param classNames class names by index (empty when unlabelled)
 * @param ids one identifier per example (e.g. an image's path in its folder), or null when the
 *     source has none
 */
public record ExampleSet(StoredExamples examples, int[] labels, List<String> classNames, List<String> ids) {
    public ExampleSet {
        classNames = classNames == null ? List.of() : List.copyOf(classNames);
        ids = ids == null ? null : List.copyOf(ids);
        if (ids != null && ids.size() != examples.size()) {
            throw new PretextException(ids.size() + " identifiers for " + examples.size()
                    + " examples: expected one per example");
        }
        if (labels != null && labels.length != examples.size()) {
            throw new PretextException(labels.length + " labels for " + examples.size()
                    + " examples: expected one label per example");
        }
    }

    /** Examples without identifiers. */
    public ExampleSet(StoredExamples examples, int[] labels, List<String> classNames) {
        this(examples, labels, classNames, null);
    }

    /**
     * The examples at {@code indices} (or all, when null) as a split, with their identifiers when
     * the set has them.
     */
    public org.pretext.data.Split view(int[] indices, int[] viewLabels, List<String> viewClassNames) {
        org.pretext.data.Split split = examples.view(indices, viewLabels, viewClassNames);
        if (ids != null && split instanceof org.pretext.data.IndexedSplit s) {
            if (indices == null) {
                s.identify(ids);
            } else {
                List<String> picked = new java.util.ArrayList<>(indices.length);
                for (int i : indices) {
                    picked.add(ids.get(i));
                }
                s.identify(picked);
            }
        }
        return split;
    }

    /** Whether the examples are labelled. */
    public boolean labelled() {
        return labels != null;
    }
}
