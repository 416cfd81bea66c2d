package org.pretext.runner.report;

import java.util.SplittableRandom;
import org.pretext.encoder.Features;

/**
 * A 2-D principal-component projection of feature vectors, for a scatter plot coloured by class:
 * centre, then the top two eigenvectors of the covariance by power iteration with deflation.
 *
 * @param x first coordinate per point
 * @param y second coordinate per point
 * @param labels class per point
 */
public record Projection(float[] x, float[] y, int[] labels) {

    /** Projects at most {@code maxPoints} rows (a seeded sample) of a labelled matrix. */
    public static Projection of(Features.Matrix m, int maxPoints, long seed) {
        int n = Math.min(maxPoints, m.rows());
        int d = m.cols();
        int[] rows = sample(m.rows(), n, seed);
        double[] mean = new double[d];
        for (int r : rows) {
            for (int j = 0; j < d; j++) {
                mean[j] += m.get(r, j);
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        double[][] c = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                c[i][j] = m.get(rows[i], j) - mean[j];
            }
        }
        double[] v1 = topComponent(c, null, seed);
        double[] v2 = topComponent(c, v1, seed + 1);
        float[] x = new float[n];
        float[] y = new float[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) dot(c[i], v1);
            y[i] = (float) dot(c[i], v2);
            labels[i] = m.labels() == null ? 0 : m.labels()[rows[i]];
        }
        return new Projection(x, y, labels);
    }

    private static double[] topComponent(double[][] c, double[] orthogonalTo, long seed) {
        int d = c[0].length;
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[d];
        for (int j = 0; j < d; j++) {
            v[j] = r.nextGaussian();
        }
        for (int it = 0; it < 100; it++) {
            if (orthogonalTo != null) {
                double p = dot(v, orthogonalTo);
                for (int j = 0; j < d; j++) {
                    v[j] -= p * orthogonalTo[j];
                }
            }
            normalise(v);
            double[] next = new double[d];
            for (double[] row : c) {
                double s = dot(row, v);
                for (int j = 0; j < d; j++) {
                    next[j] += s * row[j];
                }
            }
            v = next;
        }
        if (orthogonalTo != null) {
            double p = dot(v, orthogonalTo);
            for (int j = 0; j < d; j++) {
                v[j] -= p * orthogonalTo[j];
            }
        }
        normalise(v);
        return v;
    }

    private static int[] sample(int total, int n, long seed) {
        int[] p = org.pretext.data.IndexedSplit.permutation(total, seed);
        int[] out = java.util.Arrays.copyOf(p, n);
        java.util.Arrays.sort(out);
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static void normalise(double[] v) {
        double n = Math.sqrt(dot(v, v));
        if (n > 0) {
            for (int i = 0; i < v.length; i++) {
                v[i] /= n;
            }
        }
    }
}
