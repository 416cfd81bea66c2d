package org.pretext.probe;

import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.pretext.PretextException;
import org.pretext.data.Finite;
import org.pretext.datasets.npy.NpyFile;
import org.pretext.datasets.npy.NpyWriter;
import org.pretext.encoder.Features;

/**
 * Features made by any tool, read from four NumPy {@code .npy} files through Pretext's one
 * {@code .npy} implementation ({@link NpyFile}, {@link NpyWriter}): training and test features
 * (float32, (n, d), finite) and their integer labels (int32, int64 or uint8, (n,), ≥ 0). The label
 * values present in either split, sorted, become the classes 0..C−1 (so labels 1..10 or {3, 7}
 * work); class names are the original values. Anything else is a {@link PretextException} naming
 * the file, what it holds and what was expected.
 */
public final class FeatureFiles {
    private FeatureFiles() {}

    /**
     * @param train training features with class indices
     * @param test test features with class indices
     * @param classNames the original label value of each class index
     */
    public record Loaded(Features.Matrix train, Features.Matrix test, List<String> classNames) {}

    /** Reads and checks the four files; errors name the file at fault. */
    public static Loaded load(Path trainFeatures, Path trainLabels, Path testFeatures, Path testLabels) {
        Features.Matrix tr = readFeatures(trainFeatures);
        int[] ytr = readLabels(trainLabels);
        Features.Matrix te = readFeatures(testFeatures);
        int[] yte = readLabels(testLabels);
        if (ytr.length != tr.rows()) {
            throw new PretextException(trainLabels + " holds " + ytr.length + " labels but " + trainFeatures + " holds "
                    + tr.rows() + " rows: expected one label per row");
        }
        if (yte.length != te.rows()) {
            throw new PretextException(testLabels + " holds " + yte.length + " labels but " + testFeatures + " holds "
                    + te.rows() + " rows: expected one label per row");
        }
        if (tr.cols() != te.cols()) {
            throw new PretextException(testFeatures + " has " + te.cols() + " features per row but " + trainFeatures
                    + " has " + tr.cols() + ": expected the same width");
        }
        TreeSet<Integer> values = new TreeSet<>();
        for (int v : ytr) {
            values.add(v);
        }
        for (int v : yte) {
            values.add(v);
        }
        int max = values.last();
        int[] index = new int[max + 1];
        List<String> names = new ArrayList<>();
        for (int v : values) {
            index[v] = names.size();
            names.add(Integer.toString(v));
        }
        int c = names.size();
        return new Loaded(new Features.Matrix(tr.values(), tr.rows(), tr.cols(), remap(ytr, index), c),
                new Features.Matrix(te.values(), te.rows(), te.cols(), remap(yte, index), c), List.copyOf(names));
    }

    /** Reads a float32 (n, d) feature matrix, without labels; every value must be finite. */
    public static Features.Matrix readFeatures(Path file) {
        NpyFile f = NpyFile.open(file);
        if (f.dtype() != DataType.FLOAT32) {
            throw new PretextException(file + " holds " + typeName(f) + " values: expected float32"
                    + " features ('<f4'). Convert them with numpy.save(path, x.astype(numpy.float32))");
        }
        if (f.shape().length != 2 || f.rows() == 0 || f.shape()[1] == 0) {
            throw new PretextException(file + " has shape " + f.shapeText() + ": expected features of shape (n, d)"
                    + " with at least one row and one column");
        }
        float[] values = f.readAllFloats(1f);
        int bad = Finite.firstNonFinite(values, 0, values.length);
        if (bad >= 0) {
            throw new PretextException(file + " holds " + values[bad] + " at " + Finite.position(bad, f.shape())
                    + " (counting from 0; the first value that is not a finite number): the probes need finite"
                    + " features. Replace or drop such rows first, e.g. x[numpy.isfinite(x).all(axis=1)] (and the"
                    + " same rows of the labels)");
        }
        return new Features.Matrix(values, (int) f.rows(), (int) f.shape()[1], null, 0);
    }

    /** Reads integer class labels of shape (n,): int32, int64 or uint8, every value ≥ 0. */
    public static int[] readLabels(Path file) {
        NpyFile f = NpyFile.open(file);
        if (!f.dtype().isInteger()) {
            throw new PretextException(file + " holds " + typeName(f) + " values: expected integer labels"
                    + " of dtype int32 ('<i4'), int64 ('<i8') or uint8 ('|u1')");
        }
        if (f.rows() == 0) {
            throw new PretextException(file + " holds no labels: expected shape (n,) with n > 0");
        }
        long[] values = f.readLabels();
        int[] labels = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] > Integer.MAX_VALUE) {
                throw new PretextException(file + ": label " + values[i] + " at index " + i
                        + " is not a class index: expected integers >= 0");
            }
            labels[i] = (int) values[i];
        }
        return labels;
    }

    /** Writes a float32 (rows, cols) matrix, atomically. */
    public static void writeFeatures(Path file, float[] values, int rows, int cols) {
        if ((long) rows * cols != values.length) {
            throw new IllegalArgumentException(values.length + " values for shape (" + rows + ", " + cols + ")");
        }
        NpyWriter.writeFloats(file, values, rows, cols);
    }

    /** Writes the feature matrix's values (labels are written separately), atomically. */
    public static void writeFeatures(Path file, Features.Matrix matrix) {
        writeFeatures(file, matrix.values(), matrix.rows(), matrix.cols());
    }

    /** Writes int32 labels of shape (n,), atomically. */
    public static void writeLabels(Path file, int[] labels) {
        NpyWriter.writeInts(file, labels, labels.length);
    }

    private static String typeName(NpyFile f) {
        return f.dtype().name().toLowerCase(java.util.Locale.ROOT) + " ('" + NpyFile.descr(f.dtype()) + "')";
    }

    private static int[] remap(int[] labels, int[] index) {
        int[] r = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            r[i] = index[labels[i]];
        }
        return r;
    }
}
