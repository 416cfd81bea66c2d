package org.pretext.data;

import org.apiguardian.api.API;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.function.LongUnaryOperator;
import org.pretext.PretextException;
import org.pretext.Seeds;

/**
 * The one split of Pretext: {@link #size()} examples addressed by index 0..size−1, of one shape and
 * type (float32 or int32), optionally labelled. It owns the size, shape, labels and class names, the
 * order of a pass and the assembly of batches; a kind of split differs only in where its rows come
 * from, a {@link RowSource} that copies example {@code i} into a batch.
 *
 * <p><b>Order.</b> A sequential plan reads examples 0, 1, 2, ...; a shuffled plan for epoch
 * {@code e} under seed {@code s} reads them in the order of {@link #permutation
 * permutation(size, Seeds.derive(s, e))}. Batch {@code b} holds positions
 * {@code [b × batchSize, (b + 1) × batchSize)} of that order, so a pass can start at any batch
 * without reading the ones before it (exact resume).
 *
 * <p><b>Kinds.</b> {@link #ofFloats} and {@link #ofInts} hold arrays in JVM memory; {@link #of}
 * takes any row source (rows decoded from bytes, read from a file, computed); Pretext's own
 * datasets stream shards from disk and cut token windows ({@code TokenWindowSplit}) as subclasses
 * that override {@link #rows(BatchPlan)} (and, for a block shuffle over shards,
 * {@link #order(BatchPlan)}). A plug-in dataset builds its splits from this class alone:
 *
 * <pre>{@code
 * byte[] pixels = ...;                               // n images of 28 × 28 bytes
 * Split train = IndexedSplit.of(n, new Shape(1, 28, 28), DataType.FLOAT32,
 *         (i, batch, offset) -> {
 *             float[] out = batch.floats();
 *             for (int k = 0; k < 784; k++) {
 *                 out[offset + k] = (pixels[(int) i * 784 + k] & 0xFF) / 255f;
 *             }
 *         }, labels, IndexedSplit.numberedClasses(10));
 * }</pre>
 */
@API(status = API.Status.STABLE, since = "0.3")
public class IndexedSplit implements Split {
    /**
     * Where a split's rows come from: the only thing a kind of split supplies.
     */
    @FunctionalInterface
    @API(status = API.Status.STABLE, since = "0.3")
    public interface RowSource {
        /**
         * Copies example {@code index} into {@code batch}, whose data type is the split's, as the
         * {@code exampleShape().size()} values starting at value {@code offset} of
         * {@link HostTensor#floats()} (or {@link HostTensor#ints()}). One call per example, in the
         * order of the pass, on the thread that reads the batches.
         */
        void copy(long index, HostTensor batch, int offset);
    }

    private final long size;
    private final Shape exampleShape;
    private final int exampleSize;
    private final DataType dataType;
    private final RowSource rows;
    private final int[] labels;
    private final List<String> classNames;
    /** The backing array of {@link #ofFloats}, for {@link #floatData()}; null otherwise. */
    private final float[] floats;
    /** The examples' identifiers, attached once by {@link #identify}; null when the data has none. */
    private volatile List<String> ids;

    /**
     * A split of {@code size} examples.
     *
     * @param size number of examples, at least 1
     * @param exampleShape shape of one example
     * @param dataType {@link DataType#FLOAT32} or {@link DataType#INT32}
     * @param rows the source of every pass; null only in a subclass that overrides {@link #rows(BatchPlan)}
     * @param labels one class index per example, or null for unlabelled data
     * @param classNames class names by label index (ignored when unlabelled)
     * @throws PretextException when the split is empty or a label is missing or out of range
     */
    protected IndexedSplit(long size, Shape exampleShape, DataType dataType, RowSource rows, int[] labels,
            List<String> classNames) {
        this(size, exampleShape, dataType, rows, labels, classNames, null);
    }

    private IndexedSplit(long size, Shape exampleShape, DataType dataType, RowSource rows, int[] labels,
            List<String> classNames, float[] floats) {
        if (dataType != DataType.FLOAT32 && dataType != DataType.INT32) {
            throw new IllegalArgumentException("a split holds float32 or int32 examples, not " + dataType);
        }
        if (size <= 0) {
            throw new PretextException("The dataset split is empty: expected at least one example");
        }
        this.size = size;
        this.exampleShape = exampleShape;
        this.exampleSize = Math.toIntExact(exampleShape.size());
        if (exampleSize == 0) {
            throw new IllegalArgumentException("examples of shape " + exampleShape + " hold no values");
        }
        this.dataType = dataType;
        this.rows = rows;
        if (labels != null) {
            if (labels.length != size) {
                throw new PretextException(labels.length + " labels for " + size + " examples: expected one label per"
                        + " example");
            }
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] < 0 || labels[i] >= classNames.size()) {
                    throw new PretextException("label " + labels[i] + " of example " + i + " is outside 0.."
                            + (classNames.size() - 1));
                }
            }
        }
        this.labels = labels;
        this.classNames = labels == null ? List.of() : List.copyOf(classNames);
        this.floats = floats;
    }

    /** Examples whose rows come from {@code rows}, e.g. decoded from bytes or read from a file. */
    public static IndexedSplit of(long size, Shape exampleShape, DataType dataType, RowSource rows, int[] labels,
            List<String> classNames) {
        if (rows == null) {
            throw new IllegalArgumentException("a split needs a row source");
        }
        return new IndexedSplit(size, exampleShape, dataType, rows, labels, classNames);
    }

    /** Float examples held in memory, row-major, with labels (or null) and class names. */
    public static IndexedSplit ofFloats(float[] data, Shape exampleShape, int[] labels, List<String> classNames) {
        int e = checkedExampleSize(data.length, exampleShape);
        return new IndexedSplit(data.length / e, exampleShape, DataType.FLOAT32,
                (i, batch, offset) -> System.arraycopy(data, Math.toIntExact(i * e), batch.floats(), offset, e),
                labels, classNames, data);
    }

    /** Int examples held in memory (e.g. token ids), row-major, with labels (or null) and class names. */
    public static IndexedSplit ofInts(int[] data, Shape exampleShape, int[] labels, List<String> classNames) {
        int e = checkedExampleSize(data.length, exampleShape);
        return new IndexedSplit(data.length / e, exampleShape, DataType.INT32,
                (i, batch, offset) -> System.arraycopy(data, Math.toIntExact(i * e), batch.ints(), offset, e),
                labels, classNames);
    }

    private static int checkedExampleSize(int values, Shape exampleShape) {
        int e = Math.toIntExact(exampleShape.size());
        if (e == 0 || values % e != 0) {
            throw new IllegalArgumentException(values + " values do not divide into examples of shape " + exampleShape);
        }
        return e;
    }

    /** Class names "0", "1", ... for labels without names. */
    public static List<String> numberedClasses(int n) {
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            names[i] = Integer.toString(i);
        }
        return List.of(names);
    }

    /** A seeded permutation of 0..n−1 (Fisher–Yates on {@link SplittableRandom}): the shuffled order of a pass. */
    public static int[] permutation(int n, long seed) {
        return permutation(n, new SplittableRandom(seed));
    }

    /**
     * A uniformly random order of 0..n−1 drawn from {@code random} (a Fisher–Yates shuffle drawing
     * {@code random.nextInt(i + 1)} for i = n − 1 down to 1), so that its first k entries are a
     * uniformly random subset of size k: the order of a pass, or what random masking keeps or hides.
     */
    @API(status = API.Status.EXPERIMENTAL, since = "0.4")
    public static int[] permutation(int n, SplittableRandom random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /**
     * The example read at each position of a pass under {@code plan}: the identity, or for a
     * shuffled plan the permutation seeded by {@code Seeds.derive(seed, epoch)}. A kind with its
     * own order (a block shuffle over shards, windows placed by offset) overrides this.
     */
    protected LongUnaryOperator order(BatchPlan plan) {
        if (!plan.shuffle()) {
            return LongUnaryOperator.identity();
        }
        int[] p = permutation(Math.toIntExact(size), Seeds.derive(plan.seed(), plan.epoch()));
        return i -> p[(int) i];
    }

    /**
     * The rows of one pass under {@code plan}: by default the source given at construction. A
     * kind whose rows depend on the pass (windows at seeded offsets, shards loaded window by
     * window) overrides this and returns a source for that pass alone.
     */
    protected RowSource rows(BatchPlan plan) {
        if (rows == null) {
            throw new IllegalStateException(getClass().getName() + " has no row source: override rows(BatchPlan)");
        }
        return rows;
    }

    @Override
    public Iterator<Batch> batches(BatchPlan plan) {
        LongUnaryOperator order = order(plan);
        RowSource source = rows(plan);
        long total = plan.batchesFor(size);
        return new Iterator<>() {
            long next = plan.startBatch();

            @Override
            public boolean hasNext() {
                return next < total;
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                long from = next * plan.batchSize();
                int n = (int) Math.min(plan.batchSize(), size - from);
                next++;
                return assemble(n, i -> order.applyAsLong(from + i), source);
            }
        };
    }

    /** The examples at the given indices, as one batch (rows as a sequential pass reads them). */
    public Batch gather(int[] indices) {
        return assemble(indices.length, i -> indices[(int) i], rows(BatchPlan.sequential(1)));
    }

    private Batch assemble(int n, LongUnaryOperator indexAt, RowSource source) {
        long[] dims = new long[exampleShape.dimension() + 1];
        dims[0] = n;
        System.arraycopy(exampleShape.getShape(), 0, dims, 1, exampleShape.dimension());
        Shape shape = new Shape(dims);
        HostTensor batch = dataType == DataType.FLOAT32 ? HostTensor.of(new float[n * exampleSize], shape)
                : HostTensor.ofInts(new int[n * exampleSize], shape);
        int[] lab = labels == null ? null : new int[n];
        for (int i = 0; i < n; i++) {
            long k = indexAt.applyAsLong(i);
            source.copy(k, batch, i * exampleSize);
            if (lab != null) {
                lab[i] = labels[(int) k];
            }
        }
        return new Batch(batch, lab);
    }

    /** The examples at the given indices, copied into a new split held in memory (labels kept). */
    public IndexedSplit subset(int[] indices) {
        Batch b = gather(indices);
        IndexedSplit out = dataType == DataType.FLOAT32
                ? ofFloats(b.inputs().floats(), exampleShape, b.labels(), classNames)
                : ofInts(b.inputs().ints(), exampleShape, b.labels(), classNames);
        if (ids != null) {
            List<String> picked = new java.util.ArrayList<>(indices.length);
            for (int i : indices) {
                picked.add(ids.get(i));
            }
            out.identify(picked);
        }
        return out;
    }

    /**
     * Attaches the examples' identifiers, in order (see {@link Split#ids}): once, by the code that
     * made the split, before it is handed out.
     *
     * @return this split
     * @throws IllegalStateException when identifiers were attached already
     * @throws PretextException when there is not one identifier per example
     */
    @API(status = API.Status.EXPERIMENTAL, since = "0.3")
    public IndexedSplit identify(List<String> identifiers) {
        if (identifiers.size() != size) {
            throw new PretextException(identifiers.size() + " identifiers for " + size + " examples: expected one per"
                    + " example");
        }
        synchronized (this) {
            if (ids != null) {
                throw new IllegalStateException("the split's identifiers were attached already");
            }
            ids = List.copyOf(identifiers);
        }
        return this;
    }

    @Override
    public java.util.Optional<List<String>> ids() {
        return java.util.Optional.ofNullable(ids);
    }

    /** The same examples in the same orders, without labels (with the same identifiers). */
    public IndexedSplit unlabelled() {
        IndexedSplit labelled = this;
        IndexedSplit out = unlabelledView(labelled);
        if (ids != null) {
            out.identify(ids);
        }
        return out;
    }

    private IndexedSplit unlabelledView(IndexedSplit labelled) {
        return new IndexedSplit(size, exampleShape, dataType, rows, null, List.of(), floats) {
            @Override
            protected LongUnaryOperator order(BatchPlan plan) {
                return labelled.order(plan);
            }

            @Override
            protected RowSource rows(BatchPlan plan) {
                return labelled.rows(plan);
            }
        };
    }

    /**
     * Every example as one float array, row-major: the array itself for a split made by
     * {@link #ofFloats}, else a copy read in order. Fails for int32 data.
     */
    public float[] floatData() {
        if (dataType != DataType.FLOAT32) {
            throw new IllegalStateException("int32 split");
        }
        if (floats != null) {
            return floats;
        }
        int[] all = new int[Math.toIntExact(size)];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return gather(all).inputs().floats();
    }

    /** The type of the examples: {@link DataType#FLOAT32} or {@link DataType#INT32}. */
    public DataType dataType() {
        return dataType;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public Shape exampleShape() {
        return exampleShape;
    }

    @Override
    public boolean hasLabels() {
        return labels != null;
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public int[] labels() {
        if (labels == null) {
            throw new IllegalStateException("this split has no labels");
        }
        return labels.clone();
    }
}
