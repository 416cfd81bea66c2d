package org.pretext.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pretext.engine.Engines;

/** kNN and the mean classifier on tiny examples worked out by hand. */
class ClassifierTest {
    private static NDManager manager;

    @BeforeAll
    static void start() {
        Engines.engine();
        manager = NDManager.newBaseManager(Device.cpu());
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static NDArray rows(NDManager m, float[][] v) {
        float[] flat = new float[v.length * v[0].length];
        for (int i = 0; i < v.length; i++) {
            System.arraycopy(v[i], 0, flat, i * v[0].length, v[0].length);
        }
        return m.create(flat, new Shape(v.length, v[0].length));
    }

    @Test
    void knnWeighsVotesByExpSimilarityOverTemperature() {
        try (NDManager m = manager.newSubManager()) {
            // Query q = (1, 0). Cosine similarities to the bank: 1 (class 0), 0.8 (class 1, a vector of
            // length 5: cosine ignores the norm), 0.6 (class 1), 0 (class 0), -1 (class 0).
            NDArray bank = rows(m, new float[][] {{2, 0}, {4, 3}, {0.6f, 0.8f}, {0, 1}, {-1, 0}});
            int[] labels = {0, 1, 1, 0, 0};
            NDArray q = rows(m, new float[][] {{1, 0}});
            // k = 3, T = 0.07: class 0 gets e^(1/0.07) = e^14.29, class 1 e^11.43 + e^8.57: class 0,
            // although a plain majority of the three neighbours is class 1.
            assertThat(new KnnClassifier(3, 0.07, 8).predict(bank, labels, 2, q)).containsExactly(0);
            // T = 1: class 0 gets e^1 = 2.718, class 1 e^0.8 + e^0.6 = 4.048: class 1.
            assertThat(new KnnClassifier(3, 1.0, 8).predict(bank, labels, 2, q)).containsExactly(1);
            // k = 1: the nearest neighbour alone.
            assertThat(new KnnClassifier(1, 1.0, 8).predict(bank, labels, 2, q)).containsExactly(0);
            // k = 5 with T = 1: class 0 e^1 + e^0 + e^-1 = 4.086 > class 1 4.048.
            assertThat(new KnnClassifier(5, 1.0, 8).predict(bank, labels, 2, q)).containsExactly(0);
            // k larger than the bank: everyone votes (same as k = 5).
            assertThat(new KnnClassifier(20, 1.0, 8).predict(bank, labels, 2, q)).containsExactly(0);
        }
    }

    @Test
    void knnBatchesQueriesWithoutChangingAnswers() {
        try (NDManager m = manager.newSubManager()) {
            NDArray bank = rows(m, new float[][] {{1, 0}, {0, 1}, {-1, 0}, {0, -1}});
            int[] labels = {0, 1, 2, 3};
            NDArray queries = rows(m, new float[][] {{0.9f, 0.1f}, {0.1f, 0.9f}, {-3, 0.2f}, {0.2f, -5}, {1, 0.2f}});
            int[] truth = {0, 1, 2, 3, 0};
            for (int batch : new int[] {1, 2, 5, 100}) {
                KnnClassifier knn = new KnnClassifier(2, 0.07, batch);
                assertThat(knn.predict(bank, labels, 4, queries)).containsExactly(truth);
                assertThat(knn.accuracy(bank, labels, 4, queries, new int[] {0, 1, 2, 0, 0})).isCloseTo(0.8,
                        within(1e-12));
            }
        }
    }

    @Test
    void meanClassifierUsesMeansOfNormalisedFeatures() {
        try (NDManager m = manager.newSubManager()) {
            // Class 0: (10, 0) and (0, 1). The mean of the normalised vectors points at 45°; the raw mean
            // (5, 0.5) would point at 5.7°. Class 1: (1, 1.5), at 56.3°.
            NDArray train = rows(m, new float[][] {{10, 0}, {0, 1}, {1, 1.5f}});
            int[] labels = {0, 0, 1};
            MeanClassifier mean = new MeanClassifier(4);
            float s = (float) Math.sqrt(0.5);
            assertThat(mean.classMeans(train, labels, 2)).containsExactly(new float[] {s, s, 0.5547002f, 0.8320503f},
                    within(1e-6f));
            // A query at 40°: 5° from class 0's normalised mean, 16.3° from class 1 → class 0 (the raw
            // mean at 5.7° is 34.3° away and would have given class 1).
            double a = Math.toRadians(40);
            NDArray q40 = rows(m, new float[][] {{(float) Math.cos(a), (float) Math.sin(a)}});
            assertThat(mean.predict(train, labels, 2, q40)).containsExactly(0);
            // At 52° the query is 7° from class 0 and 4.3° from class 1 → class 1; norms do not matter.
            double b = Math.toRadians(52);
            NDArray q52 = rows(m, new float[][] {{(float) (7 * Math.cos(b)), (float) (7 * Math.sin(b))}});
            assertThat(mean.predict(train, labels, 2, q52)).containsExactly(1);
        }
    }

    @Test
    void meanClassifierNeverPredictsAClassWithoutExamples() {
        try (NDManager m = manager.newSubManager()) {
            NDArray train = rows(m, new float[][] {{1, 0}, {0, 1}});
            int[] labels = {0, 2};
            NDArray q = rows(m, new float[][] {{-1, -0.5f}, {1, 0.1f}});
            // Class 1 has no examples: its mean row is zero, and its score 0 would beat the first query's
            // scores for class 0 (-0.894) and class 2 (-0.447), but it is masked out, so the first query
            // goes to class 2. The second: class 0 (0.995) over class 2 (0.0995).
            assertThat(new MeanClassifier(8).predict(train, labels, 3, q)).containsExactly(2, 0);
        }
    }
}
