package org.pretext.data;

import org.apiguardian.api.API;

/**
 * How to walk a split: batch size, order (sequential, or shuffled by a seed and epoch), whether
 * a short last batch is dropped, and where to start (for resuming inside an epoch).
 *
 * @param batchSize examples per batch
 * @param shuffle whether the order is a seeded permutation
 * @param seed the shuffling seed
 * @param epoch the epoch, so every epoch has its own permutation
 * @param startBatch the first batch to return (earlier ones are skipped)
 * @param dropLast whether a final batch smaller than batchSize is dropped
 */
@API(status = API.Status.STABLE, since = "0.1")
public record BatchPlan(int batchSize, boolean shuffle, long seed, long epoch, long startBatch,
        boolean dropLast) {
    public BatchPlan {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be > 0, was " + batchSize);
        }
    }

    /** All examples in order, the last batch possibly short. */
    public static BatchPlan sequential(int batchSize) {
        return new BatchPlan(batchSize, false, 0, 0, 0, false);
    }

    /** One epoch in a seeded random order, full batches only. */
    public static BatchPlan shuffled(int batchSize, long seed, long epoch) {
        return new BatchPlan(batchSize, true, seed, epoch, 0, true);
    }

    /** This plan starting at another batch. */
    public BatchPlan startingAt(long batch) {
        return new BatchPlan(batchSize, shuffle, seed, epoch, batch, dropLast);
    }

    /** How many batches a split of {@code size} examples gives under this plan (from batch 0). */
    public long batchesFor(long size) {
        return dropLast ? size / batchSize : (size + batchSize - 1) / batchSize;
    }
}
