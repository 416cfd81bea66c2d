package org.pretext.datasets.store;

import ai.djl.ndarray.types.Shape;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.pretext.PretextException;
import org.pretext.Seeds;
import org.pretext.data.Batch;
import org.pretext.data.BatchPlan;
import org.pretext.data.HostTensor;
import org.pretext.data.InMemorySplit;
import org.pretext.data.Split;

/**
 * A split of {@link MemoryExamples} selected by index, read in the same orders as
 * {@link InMemorySplit}: sequential, or epoch {@code e}'s permutation seeded by
 * {@code Seeds.derive(seed, e)}.
 */
final class MemorySplit implements Split {
    private final MemoryExamples store;
    private final int[] indices;
    private final int[] labels;
    private final List<String> classNames;
    private final int size;

    MemorySplit(MemoryExamples store, int[] indices, int[] labels, List<String> classNames) {
        this.store = store;
        this.indices = indices;
        this.size = indices == null ? (int) store.size() : indices.length;
        if (size == 0) {
            throw new PretextException("The dataset split is empty: expected at least one example");
        }
        if (labels != null && labels.length != size) {
            throw new IllegalArgumentException(labels.length + " labels for " + size + " examples");
        }
        this.labels = labels;
        this.classNames = labels == null ? List.of() : List.copyOf(classNames);
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public Shape exampleShape() {
        return store.exampleShape();
    }

    @Override
    public boolean hasLabels() {
        return labels != null;
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public int[] labels() {
        if (labels == null) {
            throw new IllegalStateException("this split has no labels");
        }
        return labels.clone();
    }

    @Override
    public Iterator<Batch> batches(BatchPlan plan) {
        int[] order = plan.shuffle() ? InMemorySplit.permutation(size, Seeds.derive(plan.seed(), plan.epoch())) : null;
        long total = plan.batchesFor(size);
        int e = store.exampleSize();
        Shape exampleShape = store.exampleShape();
        return new Iterator<>() {
            long next = plan.startBatch();

            @Override
            public boolean hasNext() {
                return next < total;
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int from = Math.toIntExact(next * plan.batchSize());
                int to = Math.min(size, from + plan.batchSize());
                next++;
                int b = to - from;
                float[] out = new float[b * e];
                int[] lab = labels == null ? null : new int[b];
                for (int i = 0; i < b; i++) {
                    int k = order == null ? from + i : order[from + i];
                    store.copy(indices == null ? k : indices[k], out, i * e);
                    if (lab != null) {
                        lab[i] = labels[k];
                    }
                }
                return new Batch(HostTensor.of(out, PretextShapes.batched(exampleShape, b)), lab);
            }
        };
    }
}
