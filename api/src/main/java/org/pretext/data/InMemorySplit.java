package org.pretext.data;

import org.apiguardian.api.API;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.pretext.PretextException;
import org.pretext.Seeds;

/** A split held in JVM memory as one float32 or int32 array, read in seeded or sequential order. */
@API(status = API.Status.STABLE, since = "0.1")
public final class InMemorySplit implements Split {
    private final float[] floats;
    private final int[] ints;
    private final Shape exampleShape;
    private final int exampleSize;
    private final int size;
    private final int[] labels;
    private final List<String> classNames;

    private InMemorySplit(float[] floats, int[] ints, Shape exampleShape, int[] labels, List<String> classNames) {
        this.floats = floats;
        this.ints = ints;
        this.exampleShape = exampleShape;
        this.exampleSize = Math.toIntExact(exampleShape.size());
        int len = floats != null ? floats.length : ints.length;
        if (exampleSize == 0 || len % exampleSize != 0) {
            throw new IllegalArgumentException(len + " values do not divide into examples of shape " + exampleShape);
        }
        this.size = len / exampleSize;
        if (size == 0) {
            throw new PretextException("The dataset split is empty: expected at least one example");
        }
        if (labels != null) {
            if (labels.length != size) {
                throw new PretextException(labels.length + " labels for " + size + " examples: expected one label per example");
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
    }

    /** Float examples, row-major, with labels (or null) and class names. */
    public static InMemorySplit ofFloats(float[] data, Shape exampleShape, int[] labels, List<String> classNames) {
        return new InMemorySplit(data, null, exampleShape, labels, classNames);
    }

    /** Int examples (e.g. token ids), row-major, with labels (or null) and class names. */
    public static InMemorySplit ofInts(int[] data, Shape exampleShape, int[] labels, List<String> classNames) {
        return new InMemorySplit(null, data, exampleShape, labels, classNames);
    }

    /** Class names "0", "1", ... for labels without names. */
    public static List<String> numberedClasses(int n) {
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            names[i] = Integer.toString(i);
        }
        return List.of(names);
    }

    /** The examples at the given indices, as a new split (labels kept). */
    public InMemorySplit subset(int[] indices) {
        int[] lab = labels == null ? null : new int[indices.length];
        Batch b = gather(indices);
        if (lab != null) {
            System.arraycopy(b.labels(), 0, lab, 0, indices.length);
        }
        return floats != null ? ofFloats(b.inputs().floats(), exampleShape, lab, classNames)
                : ofInts(b.inputs().ints(), exampleShape, lab, classNames);
    }

    /** The same examples without labels. */
    public InMemorySplit unlabelled() {
        return new InMemorySplit(floats, ints, exampleShape, null, List.of());
    }

    /** The examples at the given indices, as one batch. */
    public Batch gather(int[] indices) {
        long[] dims = new long[exampleShape.dimension() + 1];
        dims[0] = indices.length;
        System.arraycopy(exampleShape.getShape(), 0, dims, 1, exampleShape.dimension());
        Shape shape = new Shape(dims);
        HostTensor t;
        if (floats != null) {
            float[] out = new float[indices.length * exampleSize];
            for (int i = 0; i < indices.length; i++) {
                System.arraycopy(floats, indices[i] * exampleSize, out, i * exampleSize, exampleSize);
            }
            t = HostTensor.of(out, shape);
        } else {
            int[] out = new int[indices.length * exampleSize];
            for (int i = 0; i < indices.length; i++) {
                System.arraycopy(ints, indices[i] * exampleSize, out, i * exampleSize, exampleSize);
            }
            t = HostTensor.ofInts(out, shape);
        }
        int[] lab = null;
        if (labels != null) {
            lab = new int[indices.length];
            for (int i = 0; i < indices.length; i++) {
                lab[i] = labels[indices[i]];
            }
        }
        return new Batch(t, lab);
    }

    /** The raw float data (row-major); fails for int data. */
    public float[] floatData() {
        if (floats == null) {
            throw new IllegalStateException("int32 split");
        }
        return floats;
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

    /** A seeded permutation of 0..n-1 (Fisher-Yates). */
    public static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    @Override
    public Iterator<Batch> batches(BatchPlan plan) {
        int[] order = plan.shuffle() ? permutation(size, Seeds.derive(plan.seed(), plan.epoch())) : null;
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
                int from = Math.toIntExact(next * plan.batchSize());
                int to = Math.min(size, from + plan.batchSize());
                next++;
                int[] idx = order != null ? Arrays.copyOfRange(order, from, to) : range(from, to);
                return gather(idx);
            }
        };
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }
}
