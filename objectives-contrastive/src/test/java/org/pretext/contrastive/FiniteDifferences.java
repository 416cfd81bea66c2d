package org.pretext.contrastive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.pretext.engine.Engines;

/**
 * Checks a loss built from engine ops against a plain double-precision reference: its value at a
 * point, and its autograd gradient with respect to every input against central finite
 * differences of the reference.
 */
final class FiniteDifferences {
    private FiniteDifferences() {}

    /** Gaussian values times {@code scale}. */
    static float[] gaussian(SplittableRandom r, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return v;
    }

    /**
     * @param values the inputs' values
     * @param shapes their shapes
     * @param loss the engine loss of the inputs
     * @param reference the same loss of the inputs in double precision
     * @param tolerance absolute tolerance on each partial derivative
     */
    static void check(float[][] values, Shape[] shapes, Function<NDList, NDArray> loss,
            ToDoubleFunction<double[][]> reference, double tolerance) {
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice())) {
            NDList in = new NDList();
            for (int i = 0; i < values.length; i++) {
                NDArray a = m.create(values[i], shapes[i]);
                a.setRequiresGradient(true);
                in.add(a);
            }
            float value;
            try (GradientCollector gc = Engines.engine().newGradientCollector()) {
                NDArray l = loss.apply(in);
                gc.backward(l);
                value = l.getFloat();
            }
            double[][] x = toDouble(values);
            assertThat((double) value).as("loss value").isCloseTo(reference.applyAsDouble(x),
                    within(1e-4 * Math.max(1, Math.abs(value))));
            double h = 1e-5;
            for (int i = 0; i < values.length; i++) {
                float[] grad = in.get(i).getGradient().toFloatArray();
                for (int k = 0; k < values[i].length; k++) {
                    double keep = x[i][k];
                    x[i][k] = keep + h;
                    double plus = reference.applyAsDouble(x);
                    x[i][k] = keep - h;
                    double minus = reference.applyAsDouble(x);
                    x[i][k] = keep;
                    double numeric = (plus - minus) / (2 * h);
                    assertThat((double) grad[k]).as("dL/dx%d[%d]", i, k).isCloseTo(numeric, within(tolerance));
                }
            }
        }
    }

    private static double[][] toDouble(float[][] v) {
        double[][] out = new double[v.length][];
        for (int i = 0; i < v.length; i++) {
            out[i] = new double[v[i].length];
            for (int k = 0; k < v[i].length; k++) {
                out[i][k] = v[i][k];
            }
        }
        return out;
    }

    /** Row i of an (n × d) row-major matrix. */
    static double[] row(double[] m, int i, int d) {
        double[] r = new double[d];
        System.arraycopy(m, i * d, r, 0, d);
        return r;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double[] unit(double[] a) {
        double n = Math.sqrt(dot(a, a));
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] / n;
        }
        return out;
    }

    static double cosine(double[] a, double[] b) {
        return dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
    }
}
