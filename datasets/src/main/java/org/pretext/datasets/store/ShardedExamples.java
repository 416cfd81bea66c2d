package org.pretext.datasets.store;

import java.util.ArrayList;
import java.util.List;
import org.pretext.PretextException;
import org.pretext.data.Split;
import org.pretext.datasets.npy.NpyFile;

/**
 * Examples that stay on disk: a sequence of shards, each a range of rows of a {@code .npy} file
 * (the user's own file cut into ranges, or the files of a decoded cache). Splits made from it
 * ({@link ShardedSplit}) stream the shards with bounded memory: at most {@code 2 × window}
 * shards are held at once.
 */
public final class ShardedExamples extends StoredExamples {
    /**
     * Rows {@code [firstRow, firstRow + rows)} of a file.
     *
     * @param file the file
     * @param firstRow the first row
     * @param rows how many rows
     */
    public record Shard(NpyFile file, long firstRow, int rows) {}

    private final List<Shard> shards;
    private final RowFormat format;
    private final int window;

    /**
     * @param shards the shards in order; example {@code i} is the i-th row of their concatenation
     * @param format how rows become examples
     * @param window shards per shuffle window (see {@link ShardedSplit})
     */
    public ShardedExamples(List<Shard> shards, RowFormat format, int window) {
        super(rows(shards, format), format.exampleShape(), "disk");
        if (window < 1) {
            throw new IllegalArgumentException("window must be >= 1");
        }
        this.shards = List.copyOf(shards);
        this.format = format;
        this.window = window;
    }

    private static long rows(List<Shard> shards, RowFormat format) {
        long n = 0;
        for (Shard s : shards) {
            if (s.file().rowBytes() != format.rowBytes()) {
                throw new PretextException("Shard " + s.file().path() + " has rows of " + s.file().rowBytes()
                        + " bytes: expected " + format.rowBytes() + " (examples of shape " + format.exampleShape()
                        + " of " + NpyFile.descr(format.dtype()) + ")");
            }
            n += s.rows();
        }
        return n;
    }

    /** One file cut into shards of at most {@code shardBytes} bytes (at least one row each). */
    public static ShardedExamples ofFile(NpyFile file, RowFormat format, long shardBytes, int window) {
        long rowsPerShard = Math.max(1, shardBytes / Math.max(1, file.rowBytes()));
        rowsPerShard = Math.min(rowsPerShard, (Integer.MAX_VALUE - 16) / Math.max(1, file.rowBytes()));
        List<Shard> shards = new ArrayList<>();
        for (long r = 0; r < file.rows(); r += rowsPerShard) {
            shards.add(new Shard(file, r, (int) Math.min(rowsPerShard, file.rows() - r)));
        }
        return new ShardedExamples(shards, format, window);
    }

    /** Whole files as shards, in order. */
    public static ShardedExamples ofFiles(List<NpyFile> files, RowFormat format, int window) {
        List<Shard> shards = new ArrayList<>();
        for (NpyFile f : files) {
            if (f.rows() > 0) {
                shards.add(new Shard(f, 0, Math.toIntExact(f.rows())));
            }
        }
        return new ShardedExamples(shards, format, window);
    }

    /** The shards in order. */
    public List<Shard> shards() {
        return shards;
    }

    /** Shards per shuffle window. */
    public int window() {
        return window;
    }

    /** How rows become examples. */
    public RowFormat format() {
        return format;
    }

    @Override
    public Split view(int[] indices, int[] labels, List<String> classNames) {
        List<ShardedSplit.Part> parts = new ArrayList<>();
        long shardStart = 0;
        int k = 0;
        int viewStart = 0;
        for (Shard s : shards) {
            long shardEnd = shardStart + s.rows();
            if (indices == null) {
                parts.add(new ShardedSplit.Part(s, null, s.rows(), viewStart));
                viewStart += s.rows();
            } else {
                int from = k;
                while (k < indices.length && indices[k] < shardEnd) {
                    if (indices[k] < shardStart || (k > from && indices[k] <= indices[k - 1])) {
                        throw new IllegalArgumentException("indices must be strictly increasing");
                    }
                    k++;
                }
                if (k > from) {
                    int[] keep = new int[k - from];
                    for (int i = 0; i < keep.length; i++) {
                        keep[i] = (int) (indices[from + i] - shardStart);
                    }
                    parts.add(new ShardedSplit.Part(s, keep, keep.length, viewStart));
                    viewStart += keep.length;
                }
            }
            shardStart = shardEnd;
        }
        if (indices != null && k != indices.length) {
            throw new IllegalArgumentException("index " + indices[k] + " outside 0.." + (size() - 1));
        }
        return new ShardedSplit(parts, format, window, labels, classNames);
    }
}
