package org.pretext.datasets.arrays;

import java.util.Set;
import org.pretext.datasets.store.PathKinds;
import org.pretext.registry.ProviderBase;
import ai.djl.ndarray.types.DataType;
import org.pretext.datasets.npy.NpyFile;

import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pretext.PretextException;
import org.pretext.Versions;
import org.pretext.data.Dataset;
import org.pretext.data.DatasetProvider;
import org.pretext.datasets.store.Checksums;
import org.pretext.datasets.store.ExampleSet;
import org.pretext.datasets.store.FileRoles;
import org.pretext.datasets.store.LabelCoding;
import org.pretext.datasets.store.MemoryExamples;
import org.pretext.datasets.store.RowFormat;
import org.pretext.datasets.store.ShardedExamples;
import org.pretext.datasets.store.SourceParams;
import org.pretext.datasets.store.SplitDataset;
import org.pretext.datasets.store.StorageOptions;
import org.pretext.datasets.store.StoredExamples;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;

/**
 * {@code npy}: NumPy arrays saved with {@code numpy.save}. Inputs are images (n, H, W),
 * (n, C, H, W) or (n, H, W, C), or feature vectors (n, d); uint8 values are scaled to [0, 1],
 * float32/float64 are kept, int32/int64 are converted to float. Labels are a separate array of
 * whole numbers (n,) or (n, 1). Files are found by name ({@link FileRoles}): {@code train_x.npy},
 * {@code train_y.npy}, {@code test_x.npy}, {@code test_y.npy} (or {@code X_train.npy}, …) give the
 * two splits; a single {@code x.npy} + {@code y.npy} (or {@code data.npy} + {@code labels.npy}) is
 * split with a seeded stratified hold-out. Arrays larger than memory are streamed from the file in
 * place ({@code storage=disk}, chosen automatically by size).
 */
public final class NpyDatasetProvider extends ProviderBase implements DatasetProvider {
    /** The inputs file or the folder. */
    public static final Param<String> PATH = Param.ofString("path", null,
            "an .npy file of inputs, or a folder holding train_x.npy/train_y.npy/test_x.npy/test_y.npy"
                    + " (or x.npy/y.npy) (required)");
    /** An explicit labels file. */
    public static final Param<String> LABELS = Param.ofString("labels", null,
            "the .npy file of labels, when its name does not pair with the inputs (default: found by name;"
                    + " none found: unlabelled)");
    /** An explicit test inputs file. */
    public static final Param<String> TEST_PATH = Param.ofString("test-path", null,
            "an .npy file of test inputs, when its name does not pair with the inputs (default: found by name)");
    /** An explicit test labels file. */
    public static final Param<String> TEST_LABELS = Param.ofString("test-labels", null,
            "the .npy file of test labels (with test-path)");
    /** Array layout. */
    public static final Param<String> LAYOUT = Param.ofChoice("layout", "auto",
            List.of("auto", "nchw", "nhwc", "nhw", "features"),
            "how to read the input array: auto (2-D: features (n, d); 3-D: grey images (n, H, W); 4-D: channels on"
                    + " the axis, 1 or last, holding 1, 3 or 4 entries; if both or neither do, the other two axes"
                    + " being equal (H = W) decides), or one of nchw, nhwc, nhw, features");

    public NpyDatasetProvider() {
        super(Versions.SPI_VERSION, "npy", "NumPy .npy arrays: images (n,H,W)/(n,C,H,W)/(n,H,W,C) or features (n,d), with a labels array",
                join(List.of(PATH, LABELS, TEST_PATH, TEST_LABELS, LAYOUT), SourceParams.SPLIT, SourceParams.STORAGE_ALL));
    }

    @Override
    public Dataset open(ParamValues p) {
        String path = p.get(PATH);
        if (path == null || path.isBlank()) {
            throw new PretextException("Dataset 'npy' needs parameter 'path': an .npy file of inputs or a folder"
                    + " of .npy files");
        }
        Path in = Path.of(path);
        if (!Files.exists(in)) {
            throw new PretextException("Dataset path " + in + " does not exist: expected an .npy file or a folder"
                    + " of them");
        }
        FileRoles.Found found;
        if (p.get(LABELS) != null || p.get(TEST_PATH) != null) {
            if (Files.isDirectory(in)) {
                throw new PretextException("Dataset 'npy': with 'labels' or 'test-path' set, 'path' must be the"
                        + " inputs file, not the folder " + in);
            }
            found = new FileRoles.Found(in, opt(p.get(LABELS)), opt(p.get(TEST_PATH)), opt(p.get(TEST_LABELS)));
        } else {
            found = FileRoles.discover(in, ".npy", true);
        }
        return open(found, p.get(LAYOUT), p.get(SourceParams.TEST_FRACTION), p.get(SourceParams.SPLIT_SEED),
                StorageOptions.from(p));
    }

    private static Path opt(String s) {
        return s == null || s.isBlank() ? null : Path.of(s);
    }

    /** Opens a dataset from code. */
    public static Dataset open(FileRoles.Found files, String layout, double testFraction, long splitSeed,
            StorageOptions storage) {
        Map<String, String> info = new LinkedHashMap<>();
        info.put("source", files.trainInputs().toAbsolutePath().normalize().toString());
        NpyFile trainX = NpyFile.open(files.trainInputs());
        NpyFile testX = files.testInputs() == null ? null : NpyFile.open(files.testInputs());
        Format format = Format.of(trainX, layout);
        if (testX != null) {
            Format tf = Format.of(testX, layout);
            if (!tf.shape.equals(format.shape)) {
                throw new PretextException("NumPy file " + testX.path() + " holds examples of shape " + tf.shape
                        + " but " + trainX.path() + " holds " + format.shape + ": expected the same shape");
            }
        }
        trainX.requireFinite(RowFormat.defaultScale(trainX.dtype()));
        if (testX != null) {
            testX.requireFinite(RowFormat.defaultScale(testX.dtype()));
        }
        if (testX != null && (files.trainLabels() == null) != (files.testLabels() == null)) {
            throw new PretextException("Dataset files: " + (files.trainLabels() == null
                    ? files.testInputs() + " has labels (" + files.testLabels() + ") but " + files.trainInputs()
                            + " has none"
                    : files.trainInputs() + " has labels (" + files.trainLabels() + ") but " + files.testInputs()
                            + " has none") + ": expected labels for both or neither");
        }
        long[] trainY = files.trainLabels() == null ? null : labels(files.trainLabels(), trainX);
        long[] testY = testX == null || files.testLabels() == null ? null : labels(files.testLabels(), testX);
        List<String> raw = new ArrayList<>();
        for (long[] ys : new long[][] {trainY, testY}) {
            if (ys != null) {
                for (long y : ys) {
                    raw.add(Long.toString(y));
                }
            }
        }
        LabelCoding coding = LabelCoding.of(raw);
        long bytes = trainX.dataBytes() + (testX == null ? 0 : testX.dataBytes());
        long values = Math.max(trainX.rows() * trainX.rowElements(), testX == null ? 0
                : testX.rows() * testX.rowElements());
        boolean disk = storage.useDisk(trainX.dtype() == DataType.UINT8 ? bytes : bytes / trainX.dtype().getNumOfBytes() * 4,
                values);
        for (Path f : new Path[] {files.trainInputs(), files.trainLabels(), files.testInputs(), files.testLabels()}) {
            if (f != null) {
                Checksums.record(f, info, f.getFileName().toString());
            }
        }
        ExampleSet train = set(trainX, format, trainY, coding, disk, storage);
        ExampleSet test = testX == null ? null : set(testX, format, testY, coding, disk, storage);
        info.put("layout", format.describe());
        String name = files.trainInputs().toAbsolutePath().normalize().getParent().getFileName() == null
                ? files.trainInputs().getFileName().toString()
                : files.trainInputs().toAbsolutePath().normalize().getParent().getFileName().toString();
        return SplitDataset.assemble(name, train, test, testFraction, splitSeed, info);
    }

    private static long[] labels(Path file, NpyFile inputs) {
        NpyFile f = NpyFile.open(file);
        long[] y = f.readLabels();
        if (y.length != inputs.rows()) {
            throw new PretextException("NumPy labels file " + file + " holds " + y.length + " labels but "
                    + inputs.path() + " holds " + inputs.rows() + " examples: expected one label per example");
        }
        return y;
    }

    private static ExampleSet set(NpyFile x, Format format, long[] y, LabelCoding coding, boolean disk,
            StorageOptions storage) {
        if (x.rows() == 0) {
            throw new PretextException("NumPy file " + x.path() + " holds no examples (shape " + x.shapeText()
                    + "): expected at least one");
        }
        int[] labels = null;
        if (y != null) {
            labels = new int[y.length];
            for (int i = 0; i < y.length; i++) {
                labels[i] = coding.indexOf(Long.toString(y[i]));
            }
        }
        RowFormat rf = new RowFormat(x.dtype(), RowFormat.defaultScale(x.dtype()), format.shape, format.channelsLast);
        StoredExamples ex;
        if (disk) {
            ex = ShardedExamples.ofFile(x, rf, storage.shardBytes(), storage.window());
        } else {
            ex = loadInMemory(x, rf);
        }
        return new ExampleSet(ex, labels, labels == null ? List.of() : coding.classNames());
    }

    private static MemoryExamples loadInMemory(NpyFile x, RowFormat rf) {
        int e = rf.elements();
        long total = x.rows() * e;
        if (total > Integer.MAX_VALUE - 16) {
            throw new PretextException("NumPy file " + x.path() + " holds " + total + " values, more than memory"
                    + " storage can hold in one array: use storage=disk");
        }
        int n = (int) x.rows();
        if (x.dtype() == DataType.UINT8) {
            byte[] raw = x.readRows(0, n);
            if (!rf.channelsLast()) {
                return MemoryExamples.ofBytes(raw, rf.exampleShape());
            }
            byte[] out = new byte[raw.length];
            Shape s = rf.exampleShape();
            for (int i = 0; i < n; i++) {
                RowFormat.hwcToChw(raw, i * e, out, i * e, (int) s.get(0), (int) s.get(1), (int) s.get(2));
            }
            return MemoryExamples.ofBytes(out, rf.exampleShape());
        }
        float[] values = x.readAllFloats(rf.scale());
        if (rf.channelsLast()) {
            float[] out = new float[values.length];
            Shape s = rf.exampleShape();
            for (int i = 0; i < n; i++) {
                RowFormat.hwcToChw(values, i * e, out, i * e, (int) s.get(0), (int) s.get(1), (int) s.get(2));
            }
            values = out;
        }
        return MemoryExamples.ofFloats(values, rf.exampleShape());
    }

    /** The example shape of an input array under a layout. */
    private record Format(Shape shape, boolean channelsLast, String layout) {
        static Format of(NpyFile f, String layout) {
            long[] d = f.shape();
            String l = layout.toLowerCase(Locale.ROOT);
            if (l.equals("auto")) {
                l = switch (d.length) {
                    case 2 -> "features";
                    case 3 -> "nhw";
                    case 4 -> fourAxes(d);
                    default -> "?";
                };
                if (l.equals("?")) {
                    throw new PretextException("NumPy file " + f.path() + " has shape " + f.shapeText()
                            + ": expected feature vectors (n, d), grey images (n, H, W), or images (n, C, H, W) or"
                            + " (n, H, W, C) with at most 4 channels (set layout=nchw or nhwc to say which axis"
                            + " holds the channels)");
                }
            }
            int want = switch (l) {
                case "features" -> 2;
                case "nhw" -> 3;
                default -> 4;
            };
            if (d.length != want) {
                throw new PretextException("NumPy file " + f.path() + " has shape " + f.shapeText() + " ("
                        + d.length + " axes) but layout " + l + " expects " + want + " axes");
            }
            return switch (l) {
                case "features" -> new Format(new Shape(d[1]), false, l);
                case "nhw" -> new Format(new Shape(1, d[1], d[2]), false, l);
                case "nchw" -> new Format(new Shape(d[1], d[2], d[3]), false, l);
                default -> new Format(new Shape(d[3], d[1], d[2]), true, l);
            };
        }

        /**
         * (n, C, H, W) or (n, H, W, C): the axis holding 1, 3 or 4 entries is the channel axis; when
         * both or neither do, the square pair of the other axes decides, then the smaller end axis.
         */
        static String fourAxes(long[] d) {
            boolean first = d[1] == 1 || d[1] == 3 || d[1] == 4;
            boolean last = d[3] == 1 || d[3] == 3 || d[3] == 4;
            if (first != last) {
                return first ? "nchw" : "nhwc";
            }
            if (d[1] == d[2] && d[2] != d[3]) {
                return d[3] <= 4 ? "nhwc" : "?";
            }
            if (d[2] == d[3] && d[1] != d[2]) {
                return d[1] <= 4 ? "nchw" : "?";
            }
            return d[1] <= 4 ? "nchw" : d[3] <= 4 ? "nhwc" : "?";
        }

        String describe() {
            return layout + " -> examples of shape " + shape;
        }
    }

    /** An .npy file, or a folder holding .npy files. */
    @Override
    public boolean recognises(Path path) {
        return PathKinds.isFile(path, Set.of("npy")) || PathKinds.holdsFiles(path, Set.of("npy"));
    }
}
