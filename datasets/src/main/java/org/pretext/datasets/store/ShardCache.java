package org.pretext.datasets.store;

import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import org.pretext.PretextException;
import ai.djl.ndarray.types.DataType;
import org.pretext.datasets.npy.NpyFile;
import org.pretext.datasets.npy.NpyWriter;

/**
 * A disk cache of decoded examples: a folder of {@code .npy} shards ({@code shard-00000.npy}, …,
 * readable with numpy), {@code labels.npy}, {@code classes.txt}, {@code notes.txt}, {@code ids.txt} (when the source
 * names its examples) and a
 * {@code manifest.properties} written last. A cache is built in a temporary folder and renamed
 * into place when complete, so an interrupted build is never mistaken for a cache; a complete
 * cache is found again by its key (a digest of the source files and decoding settings).
 */
public final class ShardCache {
    private static final String MANIFEST = "manifest.properties";
    /** The examples' identifiers, one per line, when the source has them. */
    private static final String IDS = "ids.txt";

    private ShardCache() {}

    /** The complete cache for a key under a root folder, if there is one. */
    public static Optional<Cached> lookup(Path root, String key, int window) {
        Path dir = root.resolve(key);
        Path manifest = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(manifest)) {
            p.load(in);
            if (!"true".equals(p.getProperty("complete")) || !key.equals(p.getProperty("key"))) {
                return Optional.empty();
            }
            DataType dtype = NpyFile.parseDescr(p.getProperty("dtype"));
            Shape shape = new Shape(Arrays.stream(p.getProperty("shape").split(",")).mapToLong(Long::parseLong)
                    .toArray());
            int shards = Integer.parseInt(p.getProperty("shards"));
            List<NpyFile> files = new ArrayList<>();
            for (int i = 0; i < shards; i++) {
                files.add(NpyFile.open(dir.resolve(shardName(i))));
            }
            ShardedExamples ex = ShardedExamples.ofFiles(files, new RowFormat(dtype, RowFormat.defaultScale(dtype),
                    shape, false), window);
            int[] labels = null;
            if (Boolean.parseBoolean(p.getProperty("labelled"))) {
                long[] raw = NpyFile.open(dir.resolve("labels.npy")).readLabels();
                labels = new int[raw.length];
                for (int i = 0; i < raw.length; i++) {
                    labels[i] = (int) raw[i];
                }
            }
            List<String> classes = readLines(dir.resolve("classes.txt"));
            List<String> notes = readLines(dir.resolve("notes.txt"));
            if (ex.size() != Long.parseLong(p.getProperty("count"))) {
                return Optional.empty();
            }
            List<String> ids = Files.exists(dir.resolve(IDS)) ? readLines(dir.resolve(IDS)) : null;
            return Optional.of(new Cached(dir, new ExampleSet(ex, labels, labels == null ? List.of() : classes, ids),
                    notes));
        } catch (IOException | RuntimeException e) {
            System.err.println("warning: ignoring the damaged dataset cache " + dir + " (" + e.getMessage()
                    + "); it will be rebuilt");
            return Optional.empty();
        }
    }

    private static List<String> readLines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
    }

    static String shardName(int i) {
        return String.format("shard-%05d.npy", i);
    }

    /**
     * A writer that fills a new cache for {@code key} under {@code root}.
     *
     * @param dtype {@code |u1} or {@code <f4}
     * @param rowsPerShard examples per shard file
     * @param window shards per shuffle window of the splits read from it
     */
    public static Writer writer(Path root, String key, Shape exampleShape, DataType dtype, int rowsPerShard,
            int window) {
        return new Writer(root, key, exampleShape, dtype, rowsPerShard, window);
    }

    /**
     * A cache found on disk.
     *
     * @param dir its folder
     * @param set its examples and labels
     * @param notes what was noted when it was built
     */
    public record Cached(Path dir, ExampleSet set, List<String> notes) {}

    /** Writes shards as examples arrive; {@link #finish} publishes the cache. */
    public static final class Writer implements ExampleWriter {
        private final Path root;
        private final String key;
        private final Path tmp;
        private final Shape exampleShape;
        private final DataType dtype;
        private final int rowsPerShard;
        private final int window;
        private final int rowBytes;
        private final byte[] buffer;
        private final LabelBuffer labels = new LabelBuffer();
        private int buffered;
        private int shards;
        private long count;
        private boolean finished;

        Writer(Path root, String key, Shape exampleShape, DataType dtype, int rowsPerShard, int window) {
            if (dtype != DataType.UINT8 && dtype != DataType.FLOAT32) {
                throw new IllegalArgumentException("cache dtype " + dtype);
            }
            this.root = root;
            this.key = key;
            this.exampleShape = exampleShape;
            this.dtype = dtype;
            this.rowsPerShard = Math.max(1, rowsPerShard);
            this.window = window;
            this.rowBytes = Math.toIntExact(exampleShape.size() * dtype.getNumOfBytes());
            this.buffer = new byte[Math.multiplyExact(this.rowsPerShard, rowBytes)];
            try {
                Files.createDirectories(root);
                this.tmp = Files.createTempDirectory(root, key + ".partial-");
            } catch (IOException e) {
                throw new PretextException("Cannot create the dataset cache folder under " + root + ": "
                        + e.getMessage() + " (set the dataset parameter cache-dir to a writable folder)", e);
            }
        }

        @Override
        public void appendBytes(byte[] data, int offset, int n, int[] lab) {
            if (dtype != DataType.UINT8) {
                throw new IllegalStateException("float cache");
            }
            appendRaw(data, offset, n);
            labels.add(lab, n);
        }

        @Override
        public void appendFloats(float[] data, int offset, int n, int[] lab) {
            if (dtype != DataType.FLOAT32) {
                throw new IllegalStateException("byte cache");
            }
            int e = Math.toIntExact(exampleShape.size());
            java.nio.ByteBuffer b = NpyFile.littleEndian(new byte[n * rowBytes]);
            b.asFloatBuffer().put(data, offset, n * e);
            appendRaw(b.array(), 0, n);
            labels.add(lab, n);
        }

        private void appendRaw(byte[] data, int offset, int n) {
            int e = Math.toIntExact(exampleShape.size());
            int stride = dtype == DataType.UINT8 ? e : rowBytes;
            int done = 0;
            while (done < n) {
                int take = Math.min(n - done, rowsPerShard - buffered);
                System.arraycopy(data, offset + done * stride, buffer, buffered * rowBytes, take * rowBytes);
                buffered += take;
                done += take;
                if (buffered == rowsPerShard) {
                    flush();
                }
            }
            count += n;
        }

        private void flush() {
            if (buffered == 0) {
                return;
            }
            long[] shape = new long[exampleShape.dimension() + 1];
            shape[0] = buffered;
            System.arraycopy(exampleShape.getShape(), 0, shape, 1, exampleShape.dimension());
            try (NpyWriter w = NpyWriter.create(tmp.resolve(shardName(shards)), dtype, shape)) {
                w.writeBytes(buffer, 0, buffered * rowBytes);
            } catch (UncheckedIOException e) {
                throw new PretextException("Writing the dataset cache in " + tmp + " failed: " + e.getMessage(), e);
            }
            shards++;
            buffered = 0;
        }

        @Override
        public long count() {
            return count;
        }

        @Override
        public ExampleSet finish(List<String> classNames, List<String> notes) {
            return finish(classNames, notes, null);
        }

        @Override
        public ExampleSet finish(List<String> classNames, List<String> notes, List<String> ids) {
            flush();
            int[] lab = labels.toArray();
            Path dir = root.resolve(key);
            try {
                if (lab != null) {
                    NpyWriter.writeInts(tmp.resolve("labels.npy"), lab, lab.length);
                }
                if (ids != null) {
                    if (ids.size() != count) {
                        throw new PretextException(ids.size() + " identifiers for " + count + " examples written to the"
                                + " dataset cache: expected one per example");
                    }
                    Files.write(tmp.resolve(IDS), ids, StandardCharsets.UTF_8);
                }
                Files.write(tmp.resolve("classes.txt"), classNames, StandardCharsets.UTF_8);
                Files.write(tmp.resolve("notes.txt"), notes, StandardCharsets.UTF_8);
                Properties p = new Properties();
                p.setProperty("key", key);
                p.setProperty("complete", "true");
                p.setProperty("count", Long.toString(count));
                p.setProperty("dtype", NpyFile.descr(dtype));
                p.setProperty("shape", String.join(",", Arrays.stream(exampleShape.getShape())
                        .mapToObj(Long::toString).toArray(String[]::new)));
                p.setProperty("shards", Integer.toString(shards));
                p.setProperty("labelled", Boolean.toString(lab != null));
                try (OutputStream out = Files.newOutputStream(tmp.resolve(MANIFEST))) {
                    p.store(out, "Pretext dataset cache");
                }
                try {
                    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, dir);
                }
            } catch (FileAlreadyExistsException e) {
                deleteTree(tmp);
            } catch (java.nio.file.DirectoryNotEmptyException e) {
                deleteTree(tmp);
            } catch (IOException e) {
                throw new PretextException("Writing the dataset cache in " + tmp + " failed: " + e.getMessage(), e);
            }
            finished = true;
            Optional<Cached> c = lookup(root, key, window);
            if (c.isEmpty()) {
                throw new PretextException("The dataset cache " + dir + " could not be read back after writing it");
            }
            return c.get().set();
        }

        @Override
        public void close() {
            if (!finished) {
                deleteTree(tmp);
            }
        }
    }

    /** Deletes a folder and everything in it, quietly. */
    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
