package org.pretext.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.TreeSet;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FilterFunction;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.catalyst.expressions.codegen.UnsafeArrayWriter;
import org.apache.spark.sql.catalyst.expressions.codegen.UnsafeRowWriter;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.IntegralType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.types.UTF8String;
import org.apiguardian.api.API;
import org.pretext.PretextException;
import org.pretext.datasets.image.ImageFiles;

/**
 * Frozen features of a DataFrame, computed on the executors: rows go through a {@link ShippedEncoder}
 * in batches inside {@code mapPartitions} (one forward pass per batch, every batch's native memory
 * freed before the next), and come out as a DataFrame of {@value #ID}, {@value #LABEL} (int, null
 * when unlabelled) and {@value #FEATURES} (an ML {@link Vector}), ready for MLlib or Parquet.
 *
 * <p>Three kinds of input: numeric arrays in a column ({@link #arrays}: {@code array<float>},
 * {@code array<double>} or an ML vector, e.g. read from Parquet), sentences in a string column
 * ({@link #text}: a sequence encoder's tokenizer and a feature map), and image files
 * ({@link #imageFolder}: Spark's {@code binaryFile} source over a folder whose sub-folders are the
 * classes, decoded and resized by the image-folder dataset's own decoder, {@link ImageFiles}).
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class SparkEmbedder {
    /** Output column: the row's id (the input's id column, the row index, or the image's path below the folder). */
    public static final String ID = "id";
    /** Output column: the class index, null when unlabelled. */
    public static final String LABEL = "label";
    /** Output column: the features, an ML vector. */
    public static final String FEATURES = "features";
    /** Default rows per forward pass. */
    public static final int DEFAULT_BATCH = 256;

    private SparkEmbedder() {}

    /**
     * Features and class names of an embedding.
     *
     * @param features columns {@value #ID}, {@value #LABEL}, {@value #FEATURES}
     * @param classNames class names by index (empty when unlabelled or the labels were numbers)
     */
    public record Embedded(Dataset<Row> features, List<String> classNames) {}

    /**
     * Features of numeric rows.
     *
     * @param input the rows
     * @param inputColumn an {@code array<float>}, {@code array<double>} or ML vector column holding each
     *     example flattened to the encoder's input size
     * @param labelColumn an integer or string column of classes (strings become indices in sorted
     *     order), or null
     * @param idColumn a column identifying the rows, or null for the row index (0, 1, ... in the
     *     DataFrame's order)
     * @throws PretextException naming the column and its type when a column is missing or of the wrong type
     */
    public static Embedded arrays(Dataset<Row> input, String inputColumn, String labelColumn, String idColumn,
            ShippedEncoder encoder, int batchSize) {
        checkBatch(batchSize);
        StructType schema = input.schema();
        DataType inType = column(schema, inputColumn, "input").dataType();
        Payload payload;
        if (inType instanceof ArrayType a && (a.elementType() == DataTypes.FloatType
                || a.elementType() == DataTypes.DoubleType)) {
            payload = a.elementType() == DataTypes.FloatType ? Payload.FLOAT_ARRAY : Payload.DOUBLE_ARRAY;
        } else if (inType.sameType(SQLDataTypes.VectorType())) {
            payload = Payload.VECTOR;
        } else {
            throw new PretextException("Input column '" + inputColumn + "' is " + inType.simpleString()
                    + ": expected array<float>, array<double> or an ML vector");
        }
        return frame(input, inputColumn, labelColumn, idColumn, new Embed(encoder, payload, batchSize, null,
                idTypeOf(input, idColumn), null, encoder.featureSize()));
    }

    /** The id column's type, or long for the row index. */
    private static DataType idTypeOf(Dataset<Row> input, String idColumn) {
        return idColumn == null ? DataTypes.LongType : column(input.schema(), idColumn, "id").dataType();
    }

    /** Rows (id, label as int, payload) of the input in one projection, through {@code embed}. */
    private static Embedded frame(Dataset<Row> input, String payloadColumn, String labelColumn, String idColumn,
            Embed embed) {
        StructType schema = input.schema();
        DataType inType = column(schema, payloadColumn, "input").dataType();
        List<String> classNames = List.of();
        // one projection (id, label as int, input), analysed once: each further Dataset step is another
        // analysis in the fixed cost of every call
        org.apache.spark.sql.Column label = org.apache.spark.sql.functions.lit(null).cast(DataTypes.IntegerType);
        if (labelColumn != null) {
            DataType lt = column(schema, labelColumn, "label").dataType();
            if (lt == DataTypes.StringType) {
                classNames = distinctStrings(input, labelColumn);
                label = org.apache.spark.sql.functions.array_position(
                        org.apache.spark.sql.functions.lit(classNames.toArray(String[]::new)),
                        input.col(labelColumn)).minus(1).cast(DataTypes.IntegerType);
            } else if (lt instanceof IntegralType) {
                label = input.col(labelColumn).cast(DataTypes.IntegerType);
            } else {
                throw new PretextException("Label column '" + labelColumn + "' is " + lt.simpleString()
                        + ": expected integers or strings");
            }
        }
        JavaRDD<InternalRow> rows;
        if (idColumn == null) {
            rows = internalRows(input.select(label, input.col(payloadColumn))).zipWithIndex()
                    .map(t -> new GenericInternalRow(new Object[] {t._2(), t._1().isNullAt(0) ? null : t._1().getInt(0),
                        t._1().get(1, inType)}));
        } else {
            rows = internalRows(input.select(input.col(idColumn), label, input.col(payloadColumn)));
        }
        return new Embedded(embedRows(input.sparkSession(), rows, embed.idType, embed), classNames);
    }

    /**
     * Features of sentences in a string column, through a sequence encoder (one trained on text, its
     * tokenizer in the encoder file) and a feature map, as {@code pretext embed} computes them for a
     * text dataset ({@link ShippedEncoder#sentenceFeatures}).
     *
     * @param textColumn the string column of sentences
     * @param featureMap a feature map's name: {@code mean}, {@code last-token}, {@code conditional-mean}
     *     (pretext-objectives-lm) or a plug-in's
     * @param labelColumn, idColumn as for {@link #arrays}
     * @throws PretextException naming the column when it is missing or not strings, the encoder when it
     *     takes no sentences, or the feature map when none has that name
     */
    public static Embedded text(Dataset<Row> input, String textColumn, String labelColumn, String idColumn,
            ShippedEncoder encoder, String featureMap, int batchSize) {
        checkBatch(batchSize);
        DataType inType = column(input.schema(), textColumn, "text").dataType();
        if (inType != DataTypes.StringType) {
            throw new PretextException("Text column '" + textColumn + "' is " + inType.simpleString() + ": expected"
                    + " strings");
        }
        int d = encoder.featureSize(featureMap); // on the driver: a wrong encoder or map fails here, named
        return frame(input, textColumn, labelColumn, idColumn, new Embed(encoder, Payload.TEXT, batchSize, null,
                idTypeOf(input, idColumn), featureMap, d));
    }

    /**
     * Settings of image decoding, as the image-folder dataset's ({@code resize}, {@code max-pixels});
     * the size and the channel count come from the encoder's input shape (C, S, S).
     */
    public record ImageOptions(String resize, long maxPixels) implements Serializable {
        /** Centre crop, the image-folder dataset's pixel limit. */
        public static ImageOptions defaults() {
            return new ImageOptions("crop", ImageFiles.defaultMaxPixels());
        }
    }

    /**
     * Features of the images below a folder, read with Spark's {@code binaryFile} source (any file
     * system Spark reads: local, HDFS, object stores). {@code DIR/<class>/…} is labelled (class =
     * the first folder below DIR, classes indexed in sorted order, as the local image-folder reader
     * does; files directly in DIR are then left out); a folder without sub-folders is unlabelled.
     * Only files with image extensions are read. The id is the path below DIR.
     *
     * @throws PretextException naming the file when an image cannot be decoded
     */
    public static Embedded imageFolder(SparkSession spark, String folder, ShippedEncoder encoder, ImageOptions options,
            int batchSize) {
        checkBatch(batchSize);
        long[] shape = encoder.inputShape();
        if (shape.length != 3 || (shape[0] != 1 && shape[0] != 3) || shape[1] != shape[2]) {
            throw new PretextException("Encoder " + encoder.name() + " takes inputs of shape "
                    + java.util.Arrays.toString(shape) + ": images need an encoder of input shape (1|3, S, S)");
        }
        String root;
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(folder);
            org.apache.hadoop.fs.FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(p)) {
                throw new PretextException("Image folder " + folder + " does not exist");
            }
            root = fs.makeQualified(p).toString();
        } catch (java.io.IOException e) {
            throw new PretextException("Cannot read image folder " + folder + ": " + e.getMessage(), e);
        }
        String prefix = root.endsWith("/") ? root : root + "/";
        Dataset<Row> files = spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(folder)
                .select("path", "content")
                .filter((FilterFunction<Row>) r -> ImageFiles.isImageName(r.getString(0)));
        Dataset<String> rel = files.select("path").map(
                (org.apache.spark.api.java.function.MapFunction<Row, String>) r -> relative(prefix, r.getString(0)),
                Encoders.STRING());
        List<String> classes = new ArrayList<>(new TreeSet<>(rel.filter((FilterFunction<String>) s -> s.contains("/"))
                .map((org.apache.spark.api.java.function.MapFunction<String, String>) s -> s.substring(0, s.indexOf('/')),
                        Encoders.STRING()).distinct().collectAsList()));
        if (rel.isEmpty()) {
            throw new PretextException("Image folder " + folder + " holds no image files (png, jpg, jpeg, bmp, gif,"
                    + " tif, tiff, wbmp)");
        }
        boolean labelled = !classes.isEmpty();
        List<String> classList = List.copyOf(classes);
        JavaRDD<InternalRow> rows = files.javaRDD().flatMap(r -> {
            String path = relative(prefix, r.getString(0));
            int slash = path.indexOf('/');
            if (labelled && slash < 0) {
                return java.util.Collections.<InternalRow>emptyIterator(); // outside the class folders, as locally
            }
            Integer label = labelled ? classList.indexOf(path.substring(0, slash)) : null;
            return java.util.List.<InternalRow>of(new GenericInternalRow(new Object[] {UTF8String.fromString(path),
                label, r.get(1)})).iterator();
        });
        return new Embedded(embedRows(spark, rows, DataTypes.StringType,
                new Embed(encoder, Payload.IMAGE, batchSize, options, DataTypes.StringType, null,
                        encoder.featureSize())), classList);
    }

    private static String relative(String prefix, String path) {
        return path.startsWith(prefix) ? path.substring(prefix.length()) : path;
    }

    /**
     * The rows of a DataFrame as Spark SQL holds them (Catalyst's internal rows, arrays as primitive
     * arrays), without the conversion to {@link Row}s that boxes every number of an array column: that
     * conversion cost more per row than the MLP's forward pass.
     */
    private static JavaRDD<InternalRow> internalRows(Dataset<Row> frame) {
        return ((org.apache.spark.sql.classic.Dataset<Row>) frame).queryExecution().toRdd().toJavaRDD();
    }

    private static Dataset<Row> embedRows(SparkSession spark, JavaRDD<InternalRow> rows, DataType idType, Embed embed) {
        StructType out = new StructType(new StructField[] {
            DataTypes.createStructField(ID, idType, false),
            DataTypes.createStructField(LABEL, DataTypes.IntegerType, true),
            DataTypes.createStructField(FEATURES, SQLDataTypes.VectorType(), false)});
        return ((org.apache.spark.sql.classic.SparkSession) spark).internalCreateDataFrame(rows.mapPartitions(embed)
                .rdd(), out, false);
    }

    private static StructField column(StructType schema, String name, String role) {
        for (StructField f : schema.fields()) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new PretextException("No " + role + " column '" + name + "' in the input: its columns are "
                + String.join(", ", schema.fieldNames()));
    }

    private static List<String> distinctStrings(Dataset<Row> input, String column) {
        TreeSet<String> s = new TreeSet<>();
        for (Row r : input.select(column).distinct().collectAsList()) {
            if (r.isNullAt(0)) {
                throw new PretextException("Label column '" + column + "' holds nulls: expected a class in every row");
            }
            s.add(r.getString(0));
        }
        return List.copyOf(s);
    }

    private static void checkBatch(int batchSize) {
        if (batchSize < 1) {
            throw new PretextException("Invalid batch size " + batchSize + ": expected at least 1");
        }
    }

    /** What the third column of an input row holds. */
    private enum Payload {
        FLOAT_ARRAY, DOUBLE_ARRAY, VECTOR, IMAGE, TEXT
    }

    /** The per-partition work: rows (id, label, payload) in, rows (id, label, features) out, a batch at a time. */
    private static final class Embed implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
        private static final long serialVersionUID = 1L;
        private final ShippedEncoder encoder;
        private final Payload payload;
        private final int batchSize;
        private final ImageOptions images;
        private final DataType idType;
        private final String featureMap;
        private final int featureSize;

        /**
         * @param featureMap the feature map of sentences ({@link Payload#TEXT}), else null
         * @param featureSize width of the features
         */
        Embed(ShippedEncoder encoder, Payload payload, int batchSize, ImageOptions images, DataType idType,
                String featureMap, int featureSize) {
            this.encoder = encoder;
            this.payload = payload;
            this.batchSize = batchSize;
            this.images = images;
            this.idType = idType;
            this.featureMap = featureMap;
            this.featureSize = featureSize;
        }

        @Override
        public Iterator<InternalRow> call(Iterator<InternalRow> in) {
            int size = payload == Payload.TEXT ? 0 : encoder.inputSize();
            int d = featureSize;
            ImageFiles decoder = payload == Payload.IMAGE ? Decoders.get((int) encoder.inputShape()[1],
                    images.resize(), (int) encoder.inputShape()[0], images.maxPixels()) : null;
            return new Iterator<>() {
                private final Object[] ids = new Object[batchSize];
                private final Integer[] labels = new Integer[batchSize];
                private final float[] inputs = new float[batchSize * size];
                private final String[] sentences = new String[payload == Payload.TEXT ? batchSize : 0];
                private final DenseVectorWriter vectors = new DenseVectorWriter(d);
                private final GenericInternalRow row = new GenericInternalRow(3);
                private float[] features;
                private int count;
                private int next;

                @Override
                public boolean hasNext() {
                    if (next < count) {
                        return true;
                    }
                    if (!in.hasNext()) {
                        return false;
                    }
                    int n = 0;
                    while (n < batchSize && in.hasNext()) {
                        InternalRow r = in.next(); // Spark reuses it: what is kept is copied out now
                        Object id = InternalRow.copyValue(r.get(0, idType));
                        fill(r, id, n);
                        ids[n] = id;
                        labels[n] = r.isNullAt(1) ? null : r.getInt(1);
                        n++;
                    }
                    features = payload == Payload.TEXT
                            ? encoder.sentenceFeatures(java.util.Arrays.asList(sentences).subList(0, n), featureMap,
                                    batchSize)
                            : encoder.features(inputs, n);
                    count = n;
                    next = 0;
                    return true;
                }

                /**
                 * One row, reused: Spark turns every row of an RDD behind a DataFrame into its own
                 * UnsafeRow at once (RDDScanExec's projection), copying the features' UnsafeRow as
                 * one block, so neither this row nor the vector's buffer is held past the next call.
                 */
                @Override
                public InternalRow next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    int i = next++;
                    row.update(0, ids[i]);
                    row.update(1, labels[i]);
                    row.update(2, vectors.write(features, i * d));
                    ids[i] = null;
                    return row;
                }

                private void fill(InternalRow r, Object id, int slot) {
                    int at = slot * size;
                    if (r.isNullAt(2)) {
                        throw new PretextException("Input of row " + id + " is null");
                    }
                    switch (payload) {
                        case FLOAT_ARRAY, DOUBLE_ARRAY -> {
                            ArrayData a = r.getArray(2);
                            checkLength(id, a.numElements(), size);
                            if (a instanceof UnsafeArrayData u && !hasNull(u)) {
                                long values = u.getBaseOffset() + UnsafeArrayData.calculateHeaderPortionInBytes(size);
                                if (payload == Payload.FLOAT_ARRAY) {
                                    // one copy of the row's floats, not one call per element (the MLP's per-row
                                    // cost is of the order of 784 such calls)
                                    Platform.copyMemory(u.getBaseObject(), values, inputs,
                                            Platform.FLOAT_ARRAY_OFFSET + 4L * at, 4L * size);
                                } else {
                                    readDoubles(u.getBaseObject(), values, inputs, at, size);
                                }
                                return;
                            }
                            for (int i = 0; i < size; i++) {
                                if (a.isNullAt(i)) {
                                    throw new PretextException("Input of row " + id + " holds a null at position " + i);
                                }
                                inputs[at + i] = payload == Payload.FLOAT_ARRAY ? a.getFloat(i) : (float) a.getDouble(i);
                            }
                        }
                        case VECTOR -> readVector(r.getStruct(2, 4), id, inputs, at, size);
                        case IMAGE -> decoder.decode(r.getBinary(2), id.toString(), inputs, at);
                        case TEXT -> sentences[slot] = r.getUTF8String(2).toString();
                        default -> throw new IllegalStateException(payload.toString());
                    }
                }
            };
        }

        /**
         * An ML vector as Spark SQL holds it (VectorUDT's struct: type 0 sparse / 1 dense, size,
         * indices, values; the arrays without nulls), read into {@code inputs} without building the
         * {@link Vector}.
         */
        private void readVector(InternalRow v, Object id, float[] inputs, int at, int size) {
            ArrayData values = v.getArray(3);
            if (v.getByte(0) == 1) {
                checkLength(id, values.numElements(), size);
                if (values instanceof UnsafeArrayData u) {
                    readDoubles(u.getBaseObject(), u.getBaseOffset() + UnsafeArrayData.calculateHeaderPortionInBytes(size),
                            inputs, at, size);
                } else {
                    for (int i = 0; i < size; i++) {
                        inputs[at + i] = (float) values.getDouble(i);
                    }
                }
                return;
            }
            checkLength(id, v.getInt(1), size);
            ArrayData indices = v.getArray(2);
            java.util.Arrays.fill(inputs, at, at + size, 0f);
            for (int k = 0, n = values.numElements(); k < n; k++) {
                inputs[at + indices.getInt(k)] = (float) values.getDouble(k);
            }
        }

        /** {@code n} doubles from Spark's memory, as floats, into {@code inputs} from {@code at}. */
        private static void readDoubles(Object base, long offset, float[] inputs, int at, int n) {
            for (int i = 0; i < n; i++) {
                inputs[at + i] = (float) Platform.getDouble(base, offset + 8L * i);
            }
        }

        /** Whether any element of an array is null: its null bits, a word at a time. */
        private static boolean hasNull(UnsafeArrayData a) {
            long words = (a.numElements() + 63) / 64;
            for (long w = 0; w < words; w++) {
                if (Platform.getLong(a.getBaseObject(), a.getBaseOffset() + 8 + 8 * w) != 0) {
                    return true;
                }
            }
            return false;
        }

        private void checkLength(Object id, int length, int size) {
            if (length != size) {
                throw new PretextException("Input of row " + id + " has " + length + " values: encoder "
                        + encoder.name() + " takes " + size + " (shape " + java.util.Arrays.toString(encoder.inputShape())
                        + ")");
            }
        }
    }

    /**
     * Dense ML vectors written straight into Spark SQL's form (VectorUDT's struct {@code type = 1,
     * size = null, indices = null, values = array<double>}) as an UnsafeRow, into one reused buffer:
     * what {@code VectorUDT.serialize(Vectors.dense(...))} gives, without the double[], the vector,
     * the generic row and the array that it allocates per row.
     */
    static final class DenseVectorWriter {
        private final int d;
        private final int header;
        private final UnsafeRowWriter struct;
        private final UnsafeArrayWriter values;

        DenseVectorWriter(int d) {
            this.d = d;
            this.header = UnsafeArrayData.calculateHeaderPortionInBytes(d);
            this.struct = new UnsafeRowWriter(4, 8 * d + 16);
            this.values = new UnsafeArrayWriter(struct, 8);
        }

        /** The vector of {@code features[from .. from + d)}, valid until the next call. */
        UnsafeRow write(float[] features, int from) {
            struct.reset();
            struct.zeroOutNullBytes();
            struct.write(0, (byte) 1);
            struct.setNullAt(1);
            struct.setNullAt(2);
            int start = struct.cursor();
            values.initialize(d); // the header, and room for the d doubles (the buffer may move: read it after)
            // the doubles straight into that room, one store each: the writer's write(j, double) checks the
            // index and computes the offset per element, a third of the embedder's own Java time per row
            // with the MLP in a profile of bench embed; raw doubles, as VectorUDT.serialize stores them
            byte[] buffer = struct.getBuffer();
            long at = start + header; // offsets in Spark's writers include Platform.BYTE_ARRAY_OFFSET
            for (int j = 0; j < d; j++) {
                Platform.putDouble(buffer, at + 8L * j, features[from + j]);
            }
            struct.setOffsetAndSizeFromPreviousCursor(3, start);
            return struct.getRow();
        }
    }

    /** One image decoder per settings per JVM (its pixel budget is shared by the JVM's task threads). */
    private static final class Decoders {
        private static final java.util.Map<String, ImageFiles> BY_SETTINGS = new java.util.concurrent.ConcurrentHashMap<>();

        static ImageFiles get(int size, String resize, int channels, long maxPixels) {
            return BY_SETTINGS.computeIfAbsent(size + "|" + resize + "|" + channels + "|" + maxPixels,
                    k -> new ImageFiles(size, resize, channels, maxPixels));
        }
    }
}
