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

class IJepaLossTest {

    @Test
    void matchesTheValueWorkedOutByHand() {
        // one image, one target block of T = 2 patches, D = 2.
        // raw target states (1, 3): mean 2, biased var 1, normalised (−1, 1)/√(1 + 1e−5); (5, 5): var 0, (0, 0).
        // predictions (0, 0) and (2, −0.5): differences ±1/√(1 + 1e−5) (below 1), then 2 and −0.5.
        // smooth L1: 2 · ½ · 1/(1 + 1e−5) + (2 − ½) + ½ · 0.25 = 1/(1 + 1e−5) + 1.625; mean over 4 values.
        // squared: 2/(1 + 1e−5) + 4 + 0.25; mean over 4 values.
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice())) {
            NDArray states = m.create(new float[] {1, 3, 5, 5}, new Shape(1, 1, 2, 2));
            NDArray target = IJepaLoss.normalize(states);
            NDArray prediction = m.create(new float[] {0, 0, 2, -0.5f}, new Shape(1, 1, 2, 2));
            double inv = 1 / (1 + 1e-5);
            assertThat((double) IJepaLoss.compute(prediction, target, true).getFloat())
                    .isCloseTo((inv + 1.625) / 4, within(1e-6));
            assertThat((double) IJepaLoss.compute(prediction, target, false).getFloat())
                    .isCloseTo((2 * inv + 4.25) / 4, within(1e-6));
        }
    }

    @Test
    void gradientMatchesFiniteDifferencesAndNoneReachesTheTarget() {
        SplittableRandom r = new SplittableRandom(19);
        int n = 2 * 3 * 2 * 4;
        float[] pred = new float[n];
        float[] target = new float[n];
        for (int i = 0; i < n; i++) {
            pred[i] = (float) (1.5 * r.nextGaussian());
            target[i] = (float) r.nextGaussian();
        }
        Shape shape = new Shape(2, 3, 2, 4);
        for (boolean smooth : new boolean[] {true, false}) {
            try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice())) {
                NDArray x = m.create(pred, shape);
                NDArray t = m.create(target, shape);
                x.setRequiresGradient(true);
                t.setRequiresGradient(true);
                try (GradientCollector gc = Engines.engine().newGradientCollector()) {
                    NDArray loss = IJepaLoss.compute(x, t, smooth);
                    assertThat((double) loss.getFloat()).isCloseTo(reference(pred, target, smooth), within(1e-5));
                    gc.backward(loss);
                }
                float[] grad = x.getGradient().toFloatArray();
                assertThat(t.getGradient().toFloatArray()).containsOnly(0f);
                double h = 1e-3;
                for (int i = 0; i < n; i++) {
                    float[] plus = pred.clone();
                    float[] minus = pred.clone();
                    plus[i] += (float) h;
                    minus[i] -= (float) h;
                    double numeric = (reference(plus, target, smooth) - reference(minus, target, smooth)) / (2 * h);
                    assertThat((double) grad[i]).as("dL/dpred[%d], smooth %s", i, smooth).isCloseTo(numeric,
                            within(1e-4));
                }
            }
        }
    }

    @Test
    void theTargetNormHasZeroMeanAndUnitBiasedVariancePerToken() {
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice())) {
            float[] v = IJepaLoss.normalize(m.create(new float[] {2, 4, 6, 8, -1, 0, 1, 10}, new Shape(2, 4)))
                    .toFloatArray();
            // row 1: mean 5, biased var (9 + 1 + 1 + 9)/4 = 5
            double s = Math.sqrt(5 + 1e-5);
            assertThat((double) v[0]).isCloseTo(-3 / s, within(1e-6));
            assertThat((double) v[3]).isCloseTo(3 / s, within(1e-6));
            // row 2: mean 2.5, biased var (12.25 + 6.25 + 2.25 + 56.25)/4 = 19.25
            assertThat((double) v[7]).isCloseTo(7.5 / Math.sqrt(19.25 + 1e-5), within(1e-6));
        }
    }

    /** The loss in double precision with explicit loops. */
    static double reference(float[] pred, float[] target, boolean smooth) {
        double sum = 0;
        for (int i = 0; i < pred.length; i++) {
            double d = Math.abs(pred[i] - (double) target[i]);
            sum += smooth ? (d < 1 ? 0.5 * d * d : d - 0.5) : d * d;
        }
        return sum / pred.length;
    }
}
