package org.pretext.datasets.store;

import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.pretext.PretextException;
import ai.djl.ndarray.types.DataType;
import org.pretext.param.ParamValues;

/**
 * Where a source keeps its examples, from the {@link SourceParams} storage parameters.
 *
 * @param mode {@code auto}, {@code memory} or {@code disk}
 * @param cacheDir folder for decoded-example caches, or null for a temporary one
 * @param bufferBytes bytes of rows a streaming reader holds at most
 * @param window shards per shuffle window
 */
public record StorageOptions(String mode, Path cacheDir, long bufferBytes, int window) {
    private static Path tempRoot;

    /** The defaults: auto, temporary cache, 64 MiB, window 4. */
    public static StorageOptions defaults() {
        return new StorageOptions("auto", null, 64L << 20, 4);
    }

    /** From resolved parameters that include {@link SourceParams#STORAGE_ALL}. */
    public static StorageOptions from(ParamValues p) {
        String dir = p.get(SourceParams.CACHE_DIR);
        return new StorageOptions(p.get(SourceParams.STORAGE), dir == null || dir.isBlank() ? null : Path.of(dir),
                (long) p.get(SourceParams.STREAM_BUFFER_MB) << 20, p.get(SourceParams.SHUFFLE_WINDOW));
    }

    /** This with another mode. */
    public StorageOptions withMode(String m) {
        return new StorageOptions(m, cacheDir, bufferBytes, window);
    }

    /** The bytes that {@code auto} keeps in memory at most: a third of the JVM's maximum heap. */
    public static long memoryBudget() {
        return Runtime.getRuntime().maxMemory() / 3;
    }

    /**
     * Whether data of this many stored bytes and values goes to disk.
     *
     * @param values the number of values (one Java array holds at most 2³¹ − 1)
     */
    public boolean useDisk(long bytes, long values) {
        return switch (mode) {
            case "memory" -> false;
            case "disk" -> true;
            default -> bytes > memoryBudget() || values > Integer.MAX_VALUE - 16;
        };
    }

    /**
     * The bytes a streaming reader holds at most: {@link #bufferBytes}, but never more than a
     * sixth of the JVM's maximum heap, so the default also fits small heaps.
     */
    public long effectiveBufferBytes() {
        return Math.min(bufferBytes, Runtime.getRuntime().maxMemory() / 6);
    }

    /** Bytes per shard: the buffer holds two windows of shards. */
    public long shardBytes() {
        return Math.max(64 << 10, effectiveBufferBytes() / (2L * window));
    }

    /** Examples per shard for rows of this many bytes. */
    public int rowsPerShard(long rowBytes) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE / Math.max(1, rowBytes), shardBytes() / Math.max(1, rowBytes)));
    }

    /** The cache root: {@link #cacheDir}, or a temporary folder removed when the JVM exits. */
    public Path cacheRoot() {
        if (cacheDir != null) {
            return cacheDir;
        }
        synchronized (StorageOptions.class) {
            if (tempRoot == null) {
                try {
                    tempRoot = Files.createTempDirectory("pretext-cache-");
                } catch (IOException e) {
                    throw new PretextException("Cannot create a temporary folder for the dataset cache: "
                            + e.getMessage() + " (set the dataset parameter cache-dir)", e);
                }
                Path root = tempRoot;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> ShardCache.deleteTree(root)));
            }
            return tempRoot;
        }
    }

    /**
     * A writer for {@code n} examples: in memory, or a disk cache under {@code key}.
     *
     * @param asBytes whether examples are unsigned bytes (else float32)
     */
    public ExampleWriter writer(boolean disk, String key, long n, Shape exampleShape, boolean asBytes) {
        if (!disk) {
            return new MemoryExampleWriter(n, exampleShape, asBytes);
        }
        DataType dtype = asBytes ? DataType.UINT8 : DataType.FLOAT32;
        return ShardCache.writer(cacheRoot(), key, exampleShape, dtype,
                rowsPerShard(exampleShape.size() * dtype.getNumOfBytes()), window);
    }
}
