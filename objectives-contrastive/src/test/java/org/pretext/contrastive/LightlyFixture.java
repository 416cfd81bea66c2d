package org.pretext.contrastive;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.pretext.engine.Engines;

/**
 * One fixture written by {@code python/fixtures/generate.py}: seeded inputs, lightly's loss and
 * its input gradients (in float32: {@code loss}, {@code grad_X}; in float64: {@code loss64},
 * {@code grad64_X}) and the loss's parameters, read from
 * {@code src/test/resources/fixtures/lightly-NAME.npz} with DJL's npz reader.
 */
final class LightlyFixture implements AutoCloseable {
    /**
     * Tolerance of the loss value, relative to max(1, |loss|): 2e-6, about 16 float32 ulps at 1. The
     * references are float64; PyTorch 2.6's own float32 evaluation of the fixtures tested here is off
     * from them by at most 6e-7 absolute (printed by the generator), and Pretext computes in
     * float32 with a different order of operations (e.g. NT-Xent as one masked matrix product), so
     * a few float32 roundings of values of order 1-10 are expected, not more.
     */
    static final double LOSS_TOLERANCE = 2e-6;
    /**
     * Tolerance of every partial derivative, relative to max(1e-2, max |gradient|) of that input:
     * 2e-6. The gradients here are at most 0.3 in magnitude; PyTorch 2.6's float32 gradients are
     * off from the float64 ones by at most 3.4e-8 absolute, so this leaves room for a different order
     * of float32 operations and still catches any error in a formula (which moves partials by
     * 1e-3 or more of their scale).
     */
    static final double GRADIENT_TOLERANCE = 2e-6;

    private final String name;
    private final NDManager manager;
    private final Map<String, NDArray> arrays = new LinkedHashMap<>();
    private double worstLoss = Double.NaN;
    private double worstGradient = Double.NaN;

    private LightlyFixture(String name, NDManager manager) {
        this.name = name;
        this.manager = manager;
    }

    /** Loads {@code fixtures/lightly-NAME.npz} from the test class path. */
    static LightlyFixture load(String name) {
        String resource = "/fixtures/lightly-" + name + ".npz";
        NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice());
        LightlyFixture f = new LightlyFixture(name, m);
        try (InputStream in = LightlyFixture.class.getResourceAsStream(resource)) {
            if (in == null) {
                m.close();
                throw new IllegalArgumentException("no fixture " + resource
                        + " on the test class path; regenerate with scripts/pytorch-root.sh run python/fixtures/generate.py");
            }
            for (NDArray a : NDList.decode(m, in)) {
                f.arrays.put(a.getName(), a);
            }
        } catch (IOException e) {
            m.close();
            throw new UncheckedIOException(e);
        }
        return f;
    }

    NDManager manager() {
        return manager;
    }

    /** The array NAME, as stored. */
    NDArray array(String key) {
        NDArray a = arrays.get(key);
        if (a == null) {
            throw new IllegalArgumentException("fixture " + name + " has no array '" + key + "'; it has " + arrays.keySet());
        }
        return a;
    }

    /** A float32 copy of input NAME that collects a gradient. */
    NDArray input(String key) {
        NDArray a = array(key);
        NDArray copy = manager.create(a.toType(DataType.FLOAT32, true).toFloatArray(), a.getShape());
        copy.setRequiresGradient(true);
        return copy;
    }

    /** A float32 constant (no gradient). */
    NDArray constant(String key) {
        NDArray a = array(key);
        return manager.create(a.toType(DataType.FLOAT32, true).toFloatArray(), a.getShape());
    }

    /** A parameter stored as a one-element array. */
    double scalar(String key) {
        return array(key).toType(DataType.FLOAT64, true).toDoubleArray()[0];
    }

    double[] doubles(String key) {
        return array(key).toType(DataType.FLOAT64, true).toDoubleArray();
    }

    /** The loss of the given inputs and its gradient with respect to each, computed by {@code loss}. */
    record Evaluation(double loss, Map<String, double[]> gradients) {}

    Evaluation evaluate(List<String> inputs, Function<Map<String, NDArray>, NDArray> loss) {
        Map<String, NDArray> in = new LinkedHashMap<>();
        for (String k : inputs) {
            in.put(k, input(k));
        }
        double value;
        try (GradientCollector gc = Engines.engine().newGradientCollector()) {
            NDArray l = loss.apply(in);
            gc.backward(l);
            value = l.toType(DataType.FLOAT64, false).toDoubleArray()[0];
        }
        Map<String, double[]> grads = new LinkedHashMap<>();
        in.forEach((k, a) -> grads.put(k, a.getGradient().toType(DataType.FLOAT64, false).toDoubleArray()));
        return new Evaluation(value, grads);
    }

    /** Asserts {@code actual} against {@code expected} within {@link #LOSS_TOLERANCE}; returns the deviation. */
    double assertLoss(double actual, double expected) {
        double tol = LOSS_TOLERANCE * Math.max(1, Math.abs(expected));
        assertThat(actual).as("%s: loss (lightly %.9g)", name, expected)
                .isBetween(expected - tol, expected + tol);
        worstLoss = Math.abs(actual - expected) / Math.max(1, Math.abs(expected));
        return Math.abs(actual - expected);
    }

    /** Asserts a gradient element-wise within {@link #GRADIENT_TOLERANCE}; returns the largest deviation. */
    double assertGradient(String input, double[] actual, double[] expected) {
        assertThat(actual).as("%s: size of dL/d%s", name, input).hasSameSizeAs(expected);
        double scale = 1e-2;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        double tol = GRADIENT_TOLERANCE * scale;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double dev = Math.abs(actual[i] - expected[i]);
            worst = Math.max(worst, dev);
            if (dev > tol) {
                throw new AssertionError(String.format("%s: dL/d%s[%d] = %.9g, lightly %.9g (off by %.3g, tolerance %.3g)",
                        name, input, i, actual[i], expected[i], dev, tol));
            }
        }
        worstGradient = Double.isNaN(worstGradient) ? worst / scale : Math.max(worstGradient, worst / scale);
        return worst;
    }

    /** Prints the deviations found (relative as the tolerances are) and frees the arrays. */
    @Override
    public void close() {
        if (!Double.isNaN(worstLoss)) {
            System.out.printf("lightly fixture %s: loss off by %.2g, gradients by at most %.2g (relative to the tolerances' scales)%n",
                    name, worstLoss, worstGradient);
        }
        manager.close();
    }

    @Override
    public String toString() {
        return name;
    }
}
