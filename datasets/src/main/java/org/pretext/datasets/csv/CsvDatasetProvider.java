package org.pretext.datasets.csv;

import java.util.Set;
import org.pretext.datasets.store.PathKinds;
import org.pretext.registry.ProviderBase;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pretext.PretextException;
import org.pretext.Versions;
import org.pretext.data.Dataset;
import org.pretext.data.DatasetProvider;
import org.pretext.datasets.store.Checksums;
import org.pretext.datasets.store.ExampleSet;
import org.pretext.datasets.store.ExampleWriter;
import org.pretext.datasets.store.FileRoles;
import org.pretext.datasets.store.LabelCoding;
import org.pretext.datasets.store.ShardCache;
import org.pretext.datasets.store.SourceParams;
import org.pretext.datasets.store.SplitDataset;
import org.pretext.datasets.store.StorageOptions;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;

/**
 * {@code csv}: tables of numeric features with a label column, one row per example. The header is
 * detected (or stated), the label column is found by name ({@code label}, {@code class},
 * {@code target}, {@code y}, …), else the last column, or given by name or index; label values may be
 * numbers or words. {@code train.csv} + {@code test.csv} (or {@code *_train.csv} + {@code *_test.csv})
 * give the two splits; a single file is split with a seeded stratified hold-out. A cell that is not a
 * number stops with the file, line and column.
 */
public final class CsvDatasetProvider extends ProviderBase implements DatasetProvider {
    /** The file or folder. */
    public static final Param<String> PATH = Param.ofString("path", null,
            "a .csv file, or a folder holding train.csv and test.csv (required)");
    /** The label column. */
    public static final Param<String> LABEL_COLUMN = Param.ofString("label-column", "auto",
            "the label column: its header name, or a 0-based index (negative counts from the end), or auto"
                    + " (a column named label/labels/class/target/y/category/species, else the last), or none"
                    + " (unlabelled)");
    /** Header row. */
    public static final Param<String> HEADER = Param.ofChoice("header", "auto", List.of("auto", "yes", "no"),
            "whether the first row holds column names; auto: yes when a column's first cell is not a number but"
                    + " its second is");
    /** Field separator. */
    public static final Param<String> DELIMITER = Param.ofString("delimiter", "auto",
            "field separator: auto (tab for .tsv, else the most frequent of , ; tab in the first line), comma,"
                    + " semicolon, tab, or one character");
    /** Columns to ignore. */
    public static final Param<String> DROP_COLUMNS = Param.ofString("drop-columns", "",
            "comma-separated names or 0-based indices of columns that are not features (e.g. an id column)");

    public CsvDatasetProvider() {
        super(Versions.SPI_VERSION, "csv", "CSV tables of numeric features with a label column (train.csv/test.csv, or one file split)",
                join(List.of(PATH, LABEL_COLUMN, HEADER, DELIMITER, DROP_COLUMNS), SourceParams.SPLIT, SourceParams.STORAGE_ALL));
    }

    @Override
    public Dataset open(ParamValues p) {
        String path = p.get(PATH);
        if (path == null || path.isBlank()) {
            throw new PretextException("Dataset 'csv' needs parameter 'path': a .csv file or a folder holding"
                    + " train.csv and test.csv");
        }
        Path in = Path.of(path);
        if (!Files.exists(in)) {
            throw new PretextException("Dataset path " + in + " does not exist: expected a .csv file or a folder"
                    + " of them");
        }
        FileRoles.Found f = Files.isDirectory(in) || FileRoles.classify(in).role() != FileRoles.Role.ALL
                ? FileRoles.discover(in, Files.isDirectory(in) && !hasCsv(in) ? ".tsv" : extension(in), false)
                : new FileRoles.Found(in, null, null, null);
        return open(f.trainInputs(), f.testInputs(), p.get(LABEL_COLUMN), p.get(HEADER), p.get(DELIMITER),
                p.get(DROP_COLUMNS), p.get(SourceParams.TEST_FRACTION), p.get(SourceParams.SPLIT_SEED),
                StorageOptions.from(p));
    }

    private static boolean hasCsv(Path dir) {
        try (var s = Files.list(dir)) {
            return s.anyMatch(x -> x.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".csv"));
        } catch (java.io.IOException e) {
            return true;
        }
    }

    private static String extension(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(dot).toLowerCase(java.util.Locale.ROOT) : ".csv";
    }

    /**
     * Opens a table (and optionally its test table) from code.
     *
     * @param testFile the test table, or null to hold out {@code testFraction} of each class
     */
    public static Dataset open(Path file, Path testFile, String labelColumn, String header, String delimiter,
            String dropColumns, double testFraction, long splitSeed, StorageOptions storage) {
        CsvTable train = CsvTable.open(file, delimiter, header, labelColumn, dropColumns);
        CsvTable test = testFile == null ? null : CsvTable.open(testFile, delimiter, header, labelColumn, dropColumns);
        if (test != null && (!test.names().equals(train.names()) && train.header())) {
            throw new PretextException("CSV file " + testFile + " has columns " + test.names() + " but " + file
                    + " has " + train.names() + ": expected the same columns");
        }
        if (test != null && test.featureCount() != train.featureCount()) {
            throw new PretextException("CSV file " + testFile + " has " + test.featureCount() + " feature columns but "
                    + file + " has " + train.featureCount() + ": expected the same columns");
        }
        CsvTable.Scan trainScan = train.scan();
        CsvTable.Scan testScan = test == null ? null : test.scan();
        List<String> all = new ArrayList<>(trainScan.distinctLabels());
        if (testScan != null) {
            all.addAll(testScan.distinctLabels());
        }
        LabelCoding coding = LabelCoding.of(all);
        Map<String, String> info = new LinkedHashMap<>();
        info.put("source", file.toAbsolutePath().normalize().toString());
        Checksums.record(file, info, file.getFileName().toString());
        if (testFile != null) {
            Checksums.record(testFile, info, testFile.getFileName().toString());
        }
        info.put("labelColumn", train.labelColumn() < 0 ? "none" : train.names().get(train.labelColumn()));
        info.put("features", Integer.toString(train.featureCount()));
        long rows = trainScan.rows() + (testScan == null ? 0 : testScan.rows());
        boolean disk = storage.useDisk(rows * train.featureCount() * 4L, (long) trainScan.rows() * train.featureCount());
        ExampleSet trainSet = write(train, trainScan, coding, storage, disk);
        ExampleSet testSet = test == null ? null : write(test, testScan, coding, storage, disk);
        String n = file.getFileName().toString();
        String name = n.contains(".") ? n.substring(0, n.lastIndexOf('.')) : n;
        return SplitDataset.assemble(name, trainSet, testSet, testFraction, splitSeed, info);
    }

    private static ExampleSet write(CsvTable t, CsvTable.Scan scan, LabelCoding coding, StorageOptions storage,
            boolean disk) {
        Shape shape = new Shape(t.featureCount());
        long modified;
        try {
            modified = Files.getLastModifiedTime(t.file()).toMillis();
        } catch (java.io.IOException e) {
            modified = -1;
        }
        String key = "csv-" + Checksums.sampled(t.file()).substring(0, 16) + "-" + Integer.toHexString(
                (t.file().toAbsolutePath() + "|" + modified + "|" + t.names() + "|" + t.labelColumn() + "|"
                        + java.util.Arrays.toString(t.features()) + "|" + coding.classNames()).hashCode());
        if (disk) {
            var cached = ShardCache.lookup(storage.cacheRoot(), key, storage.window());
            if (cached.isPresent()) {
                return cached.get().set();
            }
        }
        try (ExampleWriter w = storage.writer(disk, key, scan.rows(), shape, false)) {
            t.write(w, coding, scan);
            return w.finish(t.labelColumn() < 0 ? List.of() : coding.classNames(), List.of());
        }
    }

    private static final Set<String> TABLES = Set.of("csv", "tsv");

    /** A .csv or .tsv file, or a folder holding such files. */
    @Override
    public boolean recognises(Path path) {
        return PathKinds.isFile(path, TABLES) || PathKinds.holdsFiles(path, TABLES);
    }
}
