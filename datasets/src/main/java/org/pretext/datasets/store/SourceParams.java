package org.pretext.datasets.store;

import java.util.List;
import org.pretext.param.Param;

/**
 * The parameters every file-based dataset provider shares: how a single labelled set is split
 * into training and test parts, and where its examples are kept (memory, or shards on disk for
 * data larger than memory).
 */
public final class SourceParams {
    /** Fraction of each class held out as the test split when the data has no test part of its own. */
    public static final Param<Double> TEST_FRACTION = Param.ofDouble("test-fraction", 0.2,
            "when the data has no separate test files/folder: fraction of each class held out for testing"
                    + " (stratified, seeded by split-seed)").above(0).below(1);
    /** Seed of the stratified split. */
    public static final Param<Long> SPLIT_SEED = Param.ofLong("split-seed", 0,
            "seed of the stratified train/test split (independent of the run seed, so the split stays fixed)");
    /** Memory, disk, or chosen by size. */
    public static final Param<String> STORAGE = Param.ofChoice("storage", "auto", List.of("auto", "memory", "disk"),
            "where examples are kept: memory, disk (streamed in shuffled shards with bounded memory), or auto"
                    + " (disk when the data would take more than a third of the JVM's maximum heap)");
    /** Folder for the decoded-example cache of disk storage. */
    public static final Param<String> CACHE_DIR = Param.ofString("cache-dir", null,
            "with disk storage of decoded sources (images, CSV, CIFAR): folder for the cache of decoded examples,"
                    + " reused by later runs (default: a temporary folder deleted when the JVM exits); .npy files"
                    + " are streamed in place and need no cache");
    /** Memory for streaming buffers. */
    public static final Param<Integer> STREAM_BUFFER_MB = Param.ofInt("stream-buffer-mb", 64,
            "with disk storage: MiB of rows held in memory per reader (two shuffle windows of shards); at most a"
                    + " sixth of the JVM's maximum heap is used whatever the value").atLeast(1);
    /** Shards per shuffle window. */
    public static final Param<Integer> SHUFFLE_WINDOW = Param.ofInt("shuffle-window", 4,
            "with disk storage: shards whose examples are shuffled together (the shuffle buffer)").atLeast(1);

    /** The split parameters. */
    public static final List<Param<?>> SPLIT = List.of(TEST_FRACTION, SPLIT_SEED);
    /** The storage parameters. */
    public static final List<Param<?>> STORAGE_ALL = List.of(STORAGE, CACHE_DIR, STREAM_BUFFER_MB, SHUFFLE_WINDOW);

    private SourceParams() {}
}
