package org.pretext.datasets.cifar;

import org.pretext.datasets.store.PathKinds;
import org.pretext.registry.ProviderBase;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.pretext.PretextException;
import org.pretext.Versions;
import org.pretext.data.Dataset;
import org.pretext.data.DatasetProvider;
import org.pretext.data.IndexedSplit;
import org.pretext.datasets.store.Checksums;
import org.pretext.datasets.store.ExampleSet;
import org.pretext.datasets.store.ExampleWriter;
import org.pretext.datasets.store.ShardCache;
import org.pretext.datasets.store.SourceParams;
import org.pretext.datasets.store.SplitDataset;
import org.pretext.datasets.store.StorageOptions;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;

/**
 * {@code cifar}: the CIFAR-10 and CIFAR-100 binary versions ({@link CifarFiles}), 32×32 colour
 * images (3, 32, 32) in [0, 1] with the dataset's own train/test split; class names from
 * {@code batches.meta.txt} or {@code fine_label_names.txt}/{@code coarse_label_names.txt} when present.
 */
public final class CifarDatasetProvider extends ProviderBase implements DatasetProvider {
    /** The folder. */
    public static final Param<String> DIR = Param.ofString("dir", null,
            "folder holding the CIFAR-10 or CIFAR-100 binary files (or cifar-10-batches-bin/, cifar-100-binary/)"
                    + " (required)");
    /** CIFAR-100 label set. */
    public static final Param<String> LABELS = Param.ofChoice("labels", "fine", List.of("fine", "coarse"),
            "CIFAR-100 only: the 100 fine classes or the 20 coarse superclasses");
    /** Training limit. */
    public static final Param<Integer> TRAIN_LIMIT = Param.ofInt("train-limit", 0,
            "use only the first N training images (0: all)").atLeast(0);
    /** Test limit. */
    public static final Param<Integer> TEST_LIMIT = Param.ofInt("test-limit", 0,
            "use only the first N test images (0: all)").atLeast(0);

    public CifarDatasetProvider() {
        super(Versions.SPI_VERSION, "cifar", "CIFAR-10/100 binary files (data_batch_*.bin/test_batch.bin, or train.bin/test.bin)",
                join(List.of(DIR, LABELS, TRAIN_LIMIT, TEST_LIMIT), SourceParams.STORAGE_ALL));
    }

    @Override
    public Dataset open(ParamValues p) {
        String dir = p.get(DIR);
        if (dir == null || dir.isBlank()) {
            throw new PretextException("Dataset 'cifar' needs parameter 'dir': the folder of the CIFAR binary files");
        }
        return open(Path.of(dir), p.get(LABELS).equals("coarse"), p.get(TRAIN_LIMIT), p.get(TEST_LIMIT),
                StorageOptions.from(p));
    }

    /** Opens CIFAR binaries from code. */
    public static Dataset open(Path dir, boolean coarse, int trainLimit, int testLimit, StorageOptions storage) {
        Optional<CifarFiles> found = CifarFiles.find(dir);
        if (found.isEmpty()) {
            throw new PretextException("Folder " + dir + " holds no CIFAR files: expected " + CifarFiles.expected());
        }
        CifarFiles f = found.get();
        if (f.train().isEmpty()) {
            throw new PretextException("CIFAR-10 folder " + f.dir() + " has test_batch.bin but no data_batch_1.bin:"
                    + " expected data_batch_1.bin ... data_batch_5.bin");
        }
        for (Path p : concat(f.train(), f.test())) {
            if (!Files.isRegularFile(p)) {
                throw new PretextException("CIFAR file " + p + " does not exist: expected " + CifarFiles.expected());
            }
        }
        int classes = !f.hundred() ? 10 : coarse ? 20 : 100;
        List<String> names = classNames(f, coarse, classes);
        Map<String, String> info = new LinkedHashMap<>();
        info.put("source", f.dir().toAbsolutePath().normalize().toString());
        info.put("variant", f.hundred() ? "CIFAR-100 (" + (coarse ? "coarse" : "fine") + " labels)" : "CIFAR-10");
        long trainN = count(f.train(), f.recordSize(), trainLimit);
        long testN = count(List.of(f.test()), f.recordSize(), testLimit);
        boolean disk = storage.useDisk((trainN + testN) * CifarFiles.PIXELS, trainN * CifarFiles.PIXELS);
        String key = "cifar-" + Integer.toHexString((f.dir().toAbsolutePath() + "|" + coarse + "|" + trainLimit + "|"
                + testLimit + "|" + stamp(concat(f.train(), f.test()))).hashCode());
        ExampleSet train = read(f, f.train(), coarse, classes, names, trainN, storage, disk, key + "-train", info);
        ExampleSet test = read(f, List.of(f.test()), coarse, classes, names, testN, storage, disk, key + "-test",
                info);
        return SplitDataset.assemble(f.hundred() ? "cifar100" : "cifar10", train, test, 0.2, 0, info);
    }

    private static List<Path> concat(List<Path> a, Path b) {
        List<Path> all = new ArrayList<>(a);
        all.add(b);
        return all;
    }

    private static String stamp(List<Path> files) {
        StringBuilder sb = new StringBuilder();
        for (Path p : files) {
            try {
                sb.append(Files.size(p)).append('@').append(Files.getLastModifiedTime(p).toMillis()).append(';');
            } catch (IOException e) {
                sb.append("?;");
            }
        }
        return sb.toString();
    }

    private static long count(List<Path> files, int record, int limit) {
        long n = 0;
        for (Path p : files) {
            long size;
            try {
                size = Files.size(p);
            } catch (IOException e) {
                throw new PretextException("CIFAR file " + p + " could not be read: " + e.getMessage(), e);
            }
            if (size == 0 || size % record != 0) {
                throw new PretextException("CIFAR file " + p + " is " + size + " bytes, not a whole number of "
                        + record + "-byte records (" + (record - CifarFiles.PIXELS) + " label byte"
                        + (record - CifarFiles.PIXELS > 1 ? "s" : "") + " + 3072 pixel bytes): it is truncated or"
                        + " not a CIFAR-" + (record == 3074 ? "100" : "10") + " binary file");
            }
            n += size / record;
        }
        return limit > 0 ? Math.min(limit, n) : n;
    }

    private static List<String> classNames(CifarFiles f, boolean coarse, int classes) {
        Path meta = f.dir().resolve(!f.hundred() ? "batches.meta.txt" : coarse ? "coarse_label_names.txt"
                : "fine_label_names.txt");
        if (Files.isRegularFile(meta)) {
            try {
                List<String> lines = Files.readAllLines(meta, StandardCharsets.UTF_8).stream().map(String::trim)
                        .filter(s -> !s.isEmpty()).toList();
                if (lines.size() == classes) {
                    return lines;
                }
                System.err.println("warning: " + meta + " names " + lines.size() + " classes, expected " + classes
                        + "; using class numbers");
            } catch (IOException e) {
                System.err.println("warning: " + meta + " could not be read (" + e.getMessage()
                        + "); using class numbers");
            }
        }
        return IndexedSplit.numberedClasses(classes);
    }

    private static ExampleSet read(CifarFiles f, List<Path> files, boolean coarse, int classes, List<String> names,
            long n, StorageOptions storage, boolean disk, String key, Map<String, String> info) {
        for (Path p : files) {
            info.put(p.getFileName().toString(), Checksums.full(p));
        }
        if (disk) {
            Optional<ShardCache.Cached> c = ShardCache.lookup(storage.cacheRoot(), key, storage.window());
            if (c.isPresent()) {
                return c.get().set();
            }
        }
        int record = f.recordSize();
        int chunk = 1024;
        byte[] rec = new byte[chunk * record];
        byte[] px = new byte[chunk * CifarFiles.PIXELS];
        int[] labels = new int[chunk];
        Shape shape = new Shape(3, 32, 32);
        try (ExampleWriter w = storage.writer(disk, key, n, shape, true)) {
            long done = 0;
            for (Path p : files) {
                long index = 0;
                try (InputStream in = Files.newInputStream(p)) {
                    while (done < n) {
                        int want = (int) Math.min(chunk, n - done);
                        int got = in.readNBytes(rec, 0, want * record);
                        if (got == 0) {
                            break;
                        }
                        if (got % record != 0) {
                            throw new PretextException("CIFAR file " + p + " ends inside a record (changed while"
                                    + " being read?)");
                        }
                        int k = got / record;
                        for (int i = 0; i < k; i++) {
                            int base = i * record;
                            int y = rec[base + (f.hundred() && !coarse ? 1 : 0)] & 0xFF;
                            if (y >= classes) {
                                throw new PretextException("CIFAR file " + p + ", image " + (index + i) + " has label "
                                        + y + ": expected 0.." + (classes - 1) + " (is this a CIFAR-"
                                        + (f.hundred() ? "100" : "10") + " file?)");
                            }
                            labels[i] = y;
                            System.arraycopy(rec, base + record - CifarFiles.PIXELS, px, i * CifarFiles.PIXELS,
                                    CifarFiles.PIXELS);
                        }
                        w.appendBytes(px, 0, k, java.util.Arrays.copyOf(labels, k));
                        done += k;
                        index += k;
                    }
                } catch (IOException e) {
                    throw new PretextException("CIFAR file " + p + " could not be read: " + e.getMessage(), e);
                }
            }
            return w.finish(names, List.of());
        }
    }

    /** A folder with CIFAR binaries (or their usual subfolder), or one .bin file in such a folder. */
    @Override
    public boolean recognises(Path path) {
        return files(path).isPresent();
    }

    @Override
    public Map<String, Object> parametersFor(Path path) {
        return Map.of(DIR.name(), files(path).orElseThrow().dir().toAbsolutePath().normalize().toString());
    }

    private static Optional<CifarFiles> files(Path path) {
        if (Files.isDirectory(path)) {
            return CifarFiles.find(path);
        }
        return PathKinds.extension(path).equals("bin") ? CifarFiles.find(path.toAbsolutePath().getParent())
                : Optional.empty();
    }
}
