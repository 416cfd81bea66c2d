package org.pretext.selfpredict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pretext.encoder.Features;

class ClosedFormProbeTest {

    @Test
    void dualAndPrimalRidgeGiveTheSameWeights() {
        SplittableRandom r = new SplittableRandom(1);
        int n = 15;
        int d = 10;
        double[][] a = new double[n][d];
        double[][] y = new double[n][3];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                a[i][j] = r.nextGaussian();
            }
            y[i][r.nextInt(3)] = 1;
        }
        double[][] dual = ClosedFormProbe.dualWeights(a, y, n, d, 3);
        double[][] primal = ClosedFormProbe.primalWeights(a, y, n, d, 3);
        for (int j = 0; j < d; j++) {
            assertThat(primal[j]).containsExactly(dual[j], within(1e-9));
        }
    }

    @Test
    void separatesClassesThatAreLinearlySeparableAndIsChanceOnNoise() {
        // two classes at ±3 on the first coordinate, noise elsewhere: the probe finds them from 5 labels each
        SplittableRandom r = new SplittableRandom(2);
        int n = 400;
        int d = 20;
        float[] x = new float[n * d];
        float[] noise = new float[n * d];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            for (int j = 0; j < d; j++) {
                x[i * d + j] = (float) r.nextGaussian() * 0.5f;
                noise[i * d + j] = (float) r.nextGaussian();
            }
            x[i * d] += labels[i] == 0 ? -3 : 3;
        }
        Features.Matrix m = new Features.Matrix(x, n, d, labels, 2);
        int[] labelled = ClosedFormProbe.labelledSubset(labels, 2, 5, 3);
        assertThat(ClosedFormProbe.accuracy(m, labelled, m)).isGreaterThan(0.99);
        Features.Matrix pure = new Features.Matrix(noise, n, d, labels, 2);
        assertThat(ClosedFormProbe.accuracy(pure, labelled, pure)).isBetween(0.35, 0.65);
    }
}
