package org.pretext.selfpredict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CorruptionsTest {
    private static final int N = 100_000;

    @Test
    void maskingZeroesTheStatedFractionAndKeepsTheRest() {
        float[] src = new float[N];
        Arrays.fill(src, 2f);
        float[] dst = new float[N];
        Corruptions.masking(0.25).apply(src, dst, new SplittableRandom(3));
        int zeros = 0;
        for (float v : dst) {
            assertThat(v).isIn(0f, 2f);
            zeros += v == 0f ? 1 : 0;
        }
        // binomial(1e5, 0.25): sd of the fraction sqrt(0.25·0.75/1e5) = 0.00137; tolerance 5 sd,
        // false failure probability below 1e-6
        assertThat(zeros / (double) N).isCloseTo(0.25, within(0.0069));
    }

    @Test
    void gaussianNoiseHasTheStatedDeviation() {
        float[] src = new float[N];
        Arrays.fill(src, 1f);
        float[] dst = new float[N];
        Corruptions.gaussian(0.3).apply(src, dst, new SplittableRandom(4));
        double sum = 0;
        double sq = 0;
        for (float v : dst) {
            sum += v - 1;
            sq += (v - 1) * (v - 1);
        }
        double mean = sum / N;
        double sd = Math.sqrt(sq / N - mean * mean);
        // mean: sd 0.3/sqrt(1e5) = 0.00095, tolerance 5 sd; sample sd: sd 0.3/sqrt(2e5) = 0.00067, tolerance 5 sd
        assertThat(mean).isCloseTo(0, within(0.0048));
        assertThat(sd).isCloseTo(0.3, within(0.0034));
    }
}
