package org.pretext.data;

import org.apiguardian.api.API;

/**
 * Examples read from a split: inputs of shape (B, example shape...) and, for labelled splits,
 * one class index per example.
 *
 * @param inputs the examples, first axis the batch
 * @param labels class indices, or null for unlabelled data
 */
@API(status = API.Status.STABLE, since = "0.1")
public record Batch(HostTensor inputs, int[] labels) {
    public Batch {
        if (labels != null && labels.length != inputs.shape().get(0)) {
            throw new IllegalArgumentException(labels.length + " labels for " + inputs.shape().get(0) + " inputs");
        }
    }

    /** Number of examples. */
    public int size() {
        return (int) inputs.shape().get(0);
    }
}
