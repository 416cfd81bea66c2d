package org.pretext.selfpredict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pretext.engine.Engines;

class MaeLossTest {
    // one image, three patches of two values; patches 0 and 2 masked, patch 1 visible
    private static final float[] TARGET = {1, 3, 7, 9, 5, 5};
    private static final float[] MASK = {1, 0, 1};

    @Test
    void matchesTheValueWorkedOutByHand() {
        // patch 0: target (1, 3), mean 2, unbiased var ((−1)² + 1²)/1 = 2, t̂ = (−1, 1)/√(2 + 1e−6);
        //          prediction (0, 0): error (1/2)(2/(2 + 1e−6)) = 0.49999975
        // patch 2: target (5, 5), var 0, t̂ = (0, 0); prediction (1, −1): error (1 + 1)/2 = 1
        // patch 1 is visible and does not count: L = (0.49999975 + 1)/2 = 0.749999875
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice())) {
            NDArray prediction = m.create(new float[] {0, 0, 100, -100, 1, -1}, new Shape(1, 3, 2));
            NDArray target = m.create(TARGET, new Shape(1, 3, 2));
            NDArray mask = m.create(MASK, new Shape(1, 3));
            assertThat(MaeLoss.compute(prediction, target, mask, true).getFloat())
                    .isCloseTo(0.749999875f, within(1e-6f));
            // without normalisation: patch 0 (1 + 9)/2 = 5, patch 2 (16 + 36)/2 = 26, L = 15.5
            assertThat(MaeLoss.compute(prediction, target, mask, false).getFloat()).isCloseTo(15.5f, within(1e-5f));
        }
    }

    @Test
    void countsMaskedPatchesOnly() {
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice())) {
            NDArray target = m.create(TARGET, new Shape(1, 3, 2));
            NDArray mask = m.create(MASK, new Shape(1, 3));
            float a = MaeLoss.compute(m.create(new float[] {0, 0, 100, -100, 1, -1}, new Shape(1, 3, 2)), target,
                    mask, true).getFloat();
            float b = MaeLoss.compute(m.create(new float[] {0, 0, -3, 42, 1, -1}, new Shape(1, 3, 2)), target,
                    mask, true).getFloat();
            float c = MaeLoss.compute(m.create(new float[] {0, 0, 100, -100, 1, -0.5f}, new Shape(1, 3, 2)), target,
                    mask, true).getFloat();
            assertThat(b).isEqualTo(a);
            assertThat(c).isNotEqualTo(a);
            // and the gradient of a visible patch's prediction is exactly zero
            NDArray prediction = m.create(new float[] {0, 0, 100, -100, 1, -1}, new Shape(1, 3, 2));
            prediction.setRequiresGradient(true);
            try (GradientCollector gc = Engines.engine().newGradientCollector()) {
                gc.backward(MaeLoss.compute(prediction, target, mask, true));
            }
            float[] g = prediction.getGradient().toFloatArray();
            assertThat(g[2]).isZero();
            assertThat(g[3]).isZero();
            assertThat(g[4]).isNotZero();
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(5);
        int b = 2;
        int n = 4;
        int p = 3;
        float[] pred = new float[b * n * p];
        float[] target = new float[b * n * p];
        for (int i = 0; i < pred.length; i++) {
            pred[i] = (float) r.nextGaussian();
            target[i] = (float) r.nextDouble();
        }
        float[] mask = {1, 0, 1, 1, 0, 1, 0, 1};
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice())) {
            NDArray x = m.create(pred, new Shape(b, n, p));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engines.engine().newGradientCollector()) {
                NDArray loss = MaeLoss.compute(x, m.create(target, new Shape(b, n, p)), m.create(mask, new Shape(b, n)),
                        true);
                assertThat(loss.getFloat()).isCloseTo((float) reference(pred, target, mask, n, p), within(1e-5f));
                gc.backward(loss);
            }
            float[] grad = x.getGradient().toFloatArray();
            double h = 1e-3;
            for (int i = 0; i < pred.length; i++) {
                float[] plus = pred.clone();
                float[] minus = pred.clone();
                plus[i] += (float) h;
                minus[i] -= (float) h;
                double numeric = (reference(plus, target, mask, n, p) - reference(minus, target, mask, n, p)) / (2 * h);
                assertThat((double) grad[i]).as("dL/dpred[%d]", i).isCloseTo(numeric, within(1e-4));
            }
        }
    }

    /** The loss in double precision with explicit loops. */
    static double reference(float[] pred, float[] target, float[] mask, int n, int p) {
        double total = 0;
        double count = 0;
        for (int i = 0; i < mask.length; i++) {
            double mean = 0;
            for (int j = 0; j < p; j++) {
                mean += target[i * p + j] / (double) p;
            }
            double var = 0;
            for (int j = 0; j < p; j++) {
                var += Math.pow(target[i * p + j] - mean, 2) / (p - 1);
            }
            double err = 0;
            for (int j = 0; j < p; j++) {
                double t = (target[i * p + j] - mean) / Math.sqrt(var + 1e-6);
                err += Math.pow(pred[i * p + j] - t, 2) / p;
            }
            total += mask[i] * err;
            count += mask[i];
        }
        return total / count;
    }
}
