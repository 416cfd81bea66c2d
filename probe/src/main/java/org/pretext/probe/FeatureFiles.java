package org.pretext.probe;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.pretext.PretextException;
import org.pretext.encoder.Features;

/**
 * Features made by any tool, read from four NumPy {@code .npy} files (see {@link NpyFile}):
 * training and test features (float32, (n, d)) and their integer labels ((n,)). The label values
 * present in either split, sorted, become the classes 0..C−1 (so labels 1..10 or {3, 7} work);
 * class names are the original values.
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
        Features.Matrix tr = NpyFile.readFeatures(trainFeatures);
        int[] ytr = NpyFile.readLabels(trainLabels);
        Features.Matrix te = NpyFile.readFeatures(testFeatures);
        int[] yte = NpyFile.readLabels(testLabels);
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

    private static int[] remap(int[] labels, int[] index) {
        int[] r = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            r[i] = index[labels[i]];
        }
        return r;
    }
}
