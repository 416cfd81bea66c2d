package org.pretext.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.PretextException;
import org.pretext.checkpoint.ExportedEncoder;
import org.pretext.data.IndexedSplit;
import org.pretext.data.Split;
import org.pretext.datasets.DatasetPaths;
import org.pretext.datasets.MnistDatasetProvider;
import org.pretext.datasets.text.TokenizedTextDataset;
import org.pretext.encoder.FeatureMap;
import org.pretext.encoder.Features;
import org.pretext.encoder.SequenceEncoder;
import org.pretext.encoder.TextFeatures;
import org.pretext.runtime.EngineThreads;

/**
 * Features computed on Spark (local[2], several partitions, DJL's PyTorch engine inside Spark's task
 * threads, one JVM) equal the single-process {@link Features#extract} of the same rows.
 */
class SparkEmbedderTest {
    private static final float TOLERANCE = 1e-5f;

    @Test
    void arrayRowsGiveTheFeaturesOfTheSingleProcessExtractor() throws Exception {
        SparkSession spark = TestSpark.local();
        IndexedSplit test = (IndexedSplit) MnistDatasetProvider.open(512, 300).test().orElseThrow();
        Features.Matrix expected = extractorFeatures(test, 64);
        float[] x = test.floatData();
        int size = 784;
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < test.size(); i++) {
            List<Float> values = new ArrayList<>(size);
            for (int j = 0; j < size; j++) {
                values.add(x[i * size + j]);
            }
            rows.add(RowFactory.create("digit-" + i, test.labels()[i], values));
        }
        StructType schema = new StructType().add("name", DataTypes.StringType).add("digit", DataTypes.IntegerType)
                .add("pixels", DataTypes.createArrayType(DataTypes.FloatType));
        Dataset<Row> df = spark.createDataFrame(rows, schema).repartition(3);

        int loadsBefore = ShippedEncoder.loadsInThisJvm();
        ShippedEncoder shipped = ShippedEncoder.ship(JavaSparkContext.fromSparkContext(spark.sparkContext()),
                TestSpark.encoder());
        SparkEmbedder.Embedded out = SparkEmbedder.arrays(df, "pixels", "digit", "name", shipped, 64);
        List<Row> got = out.features().collectAsList();

        assertThat(out.features().schema().fieldNames()).containsExactly("id", "label", "features");
        assertThat(got).hasSize(300);
        assertThat(df.rdd().getNumPartitions()).isEqualTo(3);
        for (Row r : got) {
            int i = Integer.parseInt(r.getString(0).substring("digit-".length()));
            assertThat(r.getInt(1)).isEqualTo(test.labels()[i]);
            assertFeaturesOfRow((Vector) r.get(2), expected, i, "array<float> rows");
        }
        // loaded once in this JVM (driver and executor threads alike), whatever the partitions and tasks
        assertThat(ShippedEncoder.loadsInThisJvm() - loadsBefore).isLessThanOrEqualTo(1);
        SparkEmbedder.arrays(df, "pixels", "digit", "name", shipped, 7).features().count();
        assertThat(ShippedEncoder.loadsInThisJvm() - loadsBefore).isLessThanOrEqualTo(1);
    }

    /**
     * Sentences in a string column give, row by row, the features the runner's text embedding computes
     * for the same sentences ({@link TextFeatures} over {@code TokenizedTextDataset.sentenceRows}), for
     * two feature maps; sentences longer than the encoder's context (16) included.
     */
    @Test
    void sentencesInAStringColumnGiveTheRunnersSentenceFeatures() throws Exception {
        SparkSession spark = TestSpark.local();
        Path file = TestSpark.textEncoder();
        List<String> sentences = List.of("a good film", "really bad", "dull and bad acting", "good fun",
                "fun and good and really good acting", "bad", "a film", "really really good fun, not dull at all");
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < sentences.size(); i++) {
            rows.add(RowFactory.create("s" + i, sentences.get(i), i % 2));
        }
        StructType schema = new StructType().add("name", DataTypes.StringType).add("text", DataTypes.StringType)
                .add("y", DataTypes.IntegerType);
        Dataset<Row> df = spark.createDataFrame(rows, schema).repartition(3);
        ShippedEncoder shipped = ShippedEncoder.ship(JavaSparkContext.fromSparkContext(spark.sparkContext()), file);
        for (String map : List.of("mean", "last-token")) {
            Features.Matrix expected;
            try (ExportedEncoder e = ExportedEncoder.load(file)) {
                SequenceEncoder s = (SequenceEncoder) e.encoder();
                org.pretext.encoder.FeatureMapProvider p = org.pretext.registry.ProviderRegistry.load(
                        org.pretext.encoder.FeatureMapProvider.class, "feature map", getClass().getClassLoader()).get(map);
                FeatureMap fm = p.create(org.pretext.param.ParamValues.defaults(map, p.parameters()));
                expected = TextFeatures.extract(s, e.parameterStore(), List.of(fm),
                        TokenizedTextDataset.sentenceRows(s.tokenizer().orElseThrow(), sentences, null, List.of()),
                        ai.djl.Device.cpu(), 3).get(0);
            }
            List<Row> got = SparkEmbedder.text(df, "text", "y", "name", shipped, map, 2).features().collectAsList();
            assertThat(got).hasSize(sentences.size());
            assertThat(((Vector) got.get(0).get(2)).size()).isEqualTo(expected.cols()).isEqualTo(
                    shipped.featureSize(map));
            for (Row r : got) {
                int i = Integer.parseInt(r.getString(0).substring(1));
                assertThat(r.getInt(1)).isEqualTo(i % 2);
                assertFeaturesOfRow((Vector) r.get(2), expected, i, map + " features of sentences");
            }
        }
        assertThatThrownBy(() -> SparkEmbedder.text(df, "text", "y", "name", shipped, "median", 2))
                .isInstanceOf(PretextException.class).hasMessageContaining("median").hasMessageContaining("mean");
        ShippedEncoder images = ShippedEncoder.ship(JavaSparkContext.fromSparkContext(spark.sparkContext()),
                TestSpark.encoder());
        assertThatThrownBy(() -> SparkEmbedder.text(df, "text", "y", "name", images, "mean", 2))
                .isInstanceOf(PretextException.class).hasMessageContaining("not a sequence encoder");
        assertThatThrownBy(() -> SparkEmbedder.text(df, "y", null, null, shipped, "mean", 2))
                .isInstanceOf(PretextException.class).hasMessage("Text column 'y' is int: expected strings");
    }

    /**
     * The tasks of one executor run their batches at once, each on the engine threads of its own cores
     * (spark.task.cpus, 1 here), not by turns on all of them; the driver's thread keeps its count.
     */
    @Test
    void eachTaskRunsItsBatchesOnItsOwnCores() throws Exception {
        SparkSession spark = TestSpark.local();
        int driverThreads = EngineThreads.current();
        ShippedEncoder shipped = ShippedEncoder.ship(JavaSparkContext.fromSparkContext(spark.sparkContext()),
                TestSpark.encoder());
        List<Integer> counts = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(List.of(0, 1), 2)
                .mapPartitions(it -> {
                    shipped.features(new float[4 * shipped.inputSize()], 4);
                    return List.of(EngineThreads.current(), org.apache.spark.TaskContext.get().cpus()).iterator();
                }).collect();
        assertThat(counts).containsExactly(1, 1, 1, 1);
        assertThat(EngineThreads.current()).isEqualTo(driverThreads);
    }

    /**
     * Every input path of {@link SparkEmbedder#arrays} against the extractor to float tolerance (1e-5:
     * a forward pass of the same batch on Spark's task thread once differed from the extractor's by
     * 1.4e-6 on a feature of 5.66), on one partition
     * in the extractor's order and batch size (so the engine sees the same batches): array<double>
     * rows through the null-free Unsafe read, array<float> rows of a column that may hold nulls but
     * holds none, dense and sparse ML vectors read from Spark's struct without building the vector,
     * with a label column holding nulls, without a label column, with and without an id column. Every
     * output row is checked, so a reused output row or vector buffer that leaked into the result
     * (all rows equal to the last of a batch) fails.
     */
    @Test
    void doublesFloatsDenseAndSparseVectorsGiveTheExtractorsFeatures() throws Exception {
        SparkSession spark = TestSpark.local();
        IndexedSplit test = (IndexedSplit) MnistDatasetProvider.open(0, 150).test().orElseThrow();
        Features.Matrix expected = extractorFeatures(test, 32);
        float[] x = test.floatData();
        int size = 784;
        List<Row> rows = new ArrayList<>();
        int sparseRows = 0;
        for (int i = 0; i < test.size(); i++) {
            double[] doubles = new double[size];
            List<Float> floats = new ArrayList<>(size);
            for (int j = 0; j < size; j++) {
                doubles[j] = x[i * size + j];
                floats.add(x[i * size + j]);
            }
            Vector dense = org.apache.spark.ml.linalg.Vectors.dense(doubles);
            Vector sparse = dense.toSparse();
            sparseRows += sparse.numNonzeros() < size ? 1 : 0;
            List<Double> boxed = java.util.Arrays.stream(doubles).boxed().toList();
            rows.add(RowFactory.create(1000L + i, i % 5 == 0 ? null : test.labels()[i], boxed, floats, dense, sparse));
        }
        assertThat(sparseRows).isEqualTo((int) test.size()); // MNIST digits have zeros: the sparse path is taken
        StructType schema = new StructType().add("key", DataTypes.LongType).add("digit", DataTypes.IntegerType)
                .add("doubles", DataTypes.createArrayType(DataTypes.DoubleType, false))
                .add("floats", DataTypes.createArrayType(DataTypes.FloatType, true))
                .add("dense", org.apache.spark.ml.linalg.SQLDataTypes.VectorType())
                .add("sparse", org.apache.spark.ml.linalg.SQLDataTypes.VectorType());
        Dataset<Row> df = spark.createDataFrame(rows, schema).coalesce(1);
        ShippedEncoder shipped = ShippedEncoder.ship(JavaSparkContext.fromSparkContext(spark.sparkContext()),
                TestSpark.encoder());
        for (String column : List.of("doubles", "floats", "dense", "sparse")) {
            for (boolean labelled : List.of(true, false)) {
                for (boolean keyed : List.of(true, false)) {
                    String what = column + (labelled ? ", labelled" : ", no label column") + (keyed ? ", key" : ", index");
                    List<Row> got = SparkEmbedder.arrays(df, column, labelled ? "digit" : null, keyed ? "key" : null,
                            shipped, 32).features().collectAsList();
                    assertThat(got).as(what).hasSize((int) test.size());
                    java.util.Set<Integer> seen = new java.util.HashSet<>();
                    for (Row r : got) {
                        int i = (int) (r.getLong(0) - (keyed ? 1000L : 0L));
                        assertThat(seen.add(i)).as("%s: row %d twice", what, i).isTrue();
                        if (labelled && i % 5 != 0) {
                            assertThat(r.getInt(1)).as("%s: label of row %d", what, i).isEqualTo(test.labels()[i]);
                        } else {
                            assertThat(r.isNullAt(1)).as("%s: label of row %d", what, i).isTrue();
                        }
                        Vector v = (Vector) r.get(2);
                        assertThat(v).as(what).isInstanceOf(org.apache.spark.ml.linalg.DenseVector.class);
                        assertFeaturesOfRow(v, expected, i, what);
                    }
                }
            }
        }
    }

    /** Row {@code i}'s Spark features equal the extractor's to {@link #TOLERANCE}, feature by feature. */
    private static void assertFeaturesOfRow(Vector v, Features.Matrix expected, int i, String what) {
        assertThat(v.size()).as("%s: features of row %d", what, i).isEqualTo(expected.cols());
        for (int j = 0; j < v.size(); j++) {
            assertThat(v.apply(j)).as("%s: row %d feature %d", what, i, j)
                    .isCloseTo(expected.get(i, j), org.assertj.core.api.Assertions.within((double) TOLERANCE));
        }
    }

    /** The embedder's vector writer gives the bytes of Spark's own VectorUDT serialization of a dense vector. */
    @Test
    void theVectorWriterWritesWhatVectorUdtSerializes() {
        float[] features = {0f, -1.5f, 3.25f, Float.MIN_VALUE, 1e30f, 7f, -0f, Float.NaN, Float.NEGATIVE_INFINITY, 2f};
        SparkEmbedder.DenseVectorWriter writer = new SparkEmbedder.DenseVectorWriter(3);
        org.apache.spark.ml.linalg.VectorUDT udt = new org.apache.spark.ml.linalg.VectorUDT();
        org.apache.spark.sql.catalyst.expressions.UnsafeProjection toUnsafe =
                org.apache.spark.sql.catalyst.expressions.UnsafeProjection.create(udt.sqlType());
        for (int from = 0; from + 3 <= features.length; from++) {
            double[] v = {features[from], features[from + 1], features[from + 2]};
            org.apache.spark.sql.catalyst.expressions.UnsafeRow spark = toUnsafe.apply(
                    udt.serialize(org.apache.spark.ml.linalg.Vectors.dense(v))).copy();
            org.apache.spark.sql.catalyst.expressions.UnsafeRow ours = writer.write(features, from);
            assertThat(ours.getBytes()).as("vector from %d", from).isEqualTo(spark.getBytes());
            assertThat(udt.deserialize(ours).toArray()).isEqualTo(v);
        }
        // the MLP's width, rows written one after the other into the reused buffer
        java.util.Random random = new java.util.Random(1);
        float[] wide = new float[3 * 128];
        for (int i = 0; i < wide.length; i++) {
            wide[i] = (float) random.nextGaussian();
        }
        SparkEmbedder.DenseVectorWriter writer128 = new SparkEmbedder.DenseVectorWriter(128);
        for (int row = 0; row < 3; row++) {
            double[] v = new double[128];
            for (int j = 0; j < 128; j++) {
                v[j] = wide[row * 128 + j];
            }
            assertThat(writer128.write(wide, row * 128).getBytes()).as("row %d of 128 features", row).isEqualTo(
                    toUnsafe.apply(udt.serialize(org.apache.spark.ml.linalg.Vectors.dense(v))).copy().getBytes());
        }
    }

    @Test
    void anImageFolderIsDecodedAsTheLocalImageReaderDecodesIt(@TempDir Path dir) throws Exception {
        SparkSession spark = TestSpark.local();
        IndexedSplit digits = (IndexedSplit) MnistDatasetProvider.open(0, 40).test().orElseThrow();
        float[] x = digits.floatData();
        for (String part : List.of("train", "test")) {
            for (int i = 0; i < 40; i++) {
                Path cls = dir.resolve(part).resolve("digit-" + digits.labels()[i]);
                Files.createDirectories(cls);
                BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
                for (int p = 0; p < 784; p++) {
                    img.getRaster().setSample(p % 28, p / 28, 0, Math.round(x[i * 784 + p] * 255));
                }
                ImageIO.write(img, "png", cls.resolve(String.format("%03d.png", i)).toFile());
            }
        }
        Files.writeString(dir.resolve("train").resolve("notes.txt"), "not an image");
        Split local = DatasetPaths.open(dir, Map.of("size", "28")).train().orElseThrow();
        Features.Matrix expected;
        try (ExportedEncoder enc = ExportedEncoder.load(TestSpark.encoder())) {
            expected = enc.features(local, 16);
        }

        ShippedEncoder shipped = ShippedEncoder.ship(JavaSparkContext.fromSparkContext(spark.sparkContext()),
                TestSpark.encoder());
        SparkEmbedder.Embedded out = SparkEmbedder.imageFolder(spark, dir.resolve("train").toString(), shipped,
                SparkEmbedder.ImageOptions.defaults(), 16);
        List<Row> got = new ArrayList<>(out.features().collectAsList());
        // the local reader orders by class, then by file name
        got.sort(Comparator.comparing((Row r) -> r.getInt(1)).thenComparing(r -> r.getString(0)));

        assertThat(out.classNames()).isEqualTo(local.classNames());
        assertThat(got).hasSize(40);
        for (int i = 0; i < got.size(); i++) {
            Row r = got.get(i);
            assertThat(r.getInt(1)).isEqualTo(local.labels()[i]);
            assertFeaturesOfRow((Vector) r.get(2), expected, i, r.getString(0));
        }
    }

    @Test
    void aRowOfTheWrongWidthIsRefusedByName() throws Exception {
        SparkSession spark = TestSpark.local();
        StructType schema = new StructType().add("x", DataTypes.createArrayType(DataTypes.DoubleType));
        Dataset<Row> df = spark.createDataFrame(List.of(RowFactory.create(List.of(1.0, 2.0))), schema);
        ShippedEncoder shipped = ShippedEncoder.ship(JavaSparkContext.fromSparkContext(spark.sparkContext()),
                TestSpark.encoder());
        assertThatThrownBy(() -> SparkEmbedder.arrays(df, "x", null, null, shipped, 8).features().collectAsList())
                .hasMessageContaining("Input of row 0 has 2 values: encoder mnist-simclr.encoder takes 784");
        assertThatThrownBy(() -> SparkEmbedder.arrays(df, "pixels", null, null, shipped, 8))
                .isInstanceOf(PretextException.class).hasMessageContaining("No input column 'pixels' in the input: its columns are x");
    }

    @Test
    void aNullInsideAFloatArrayIsRefusedWithItsPosition() throws Exception {
        SparkSession spark = TestSpark.local();
        StructType schema = new StructType().add("x", DataTypes.createArrayType(DataTypes.FloatType, true));
        List<Float> values = new java.util.ArrayList<>(java.util.Collections.nCopies(784, 0.5f));
        values.set(700, null); // in the eleventh word of the array's null bits
        Dataset<Row> df = spark.createDataFrame(List.of(RowFactory.create(values)), schema);
        ShippedEncoder shipped = ShippedEncoder.ship(JavaSparkContext.fromSparkContext(spark.sparkContext()),
                TestSpark.encoder());
        assertThatThrownBy(() -> SparkEmbedder.arrays(df, "x", null, null, shipped, 8).features().collectAsList())
                .hasMessageContaining("Input of row 0 holds a null at position 700");
    }

    /** The single-process extractor's features of the split, at the given batch size. */
    private static Features.Matrix extractorFeatures(IndexedSplit split, int batch) throws Exception {
        try (ExportedEncoder enc = ExportedEncoder.load(TestSpark.encoder())) {
            return enc.features(split, batch);
        }
    }
}
