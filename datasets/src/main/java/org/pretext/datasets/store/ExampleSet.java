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
 */
public record ExampleSet(StoredExamples examples, int[] labels, List<String> classNames) {
    public ExampleSet {
        classNames = classNames == null ? List.of() : List.copyOf(classNames);
        if (labels != null && labels.length != examples.size()) {
            throw new PretextException(labels.length + " labels for " + examples.size()
                    + " examples: expected one label per example");
        }
    }

    /** Whether the examples are labelled. */
    public boolean labelled() {
        return labels != null;
    }
}
