package org.pretext.contrastive;

import java.util.SplittableRandom;
import org.pretext.encoder.Features;

/**
 * A small closed-form probe for tests: nearest class mean of ℓ2-normalised features (the "mean
 * classifier" of Arora et al. 2019), with k labelled examples per class drawn from the training
 * features, averaged over several draws.
 */
final class ClosedFormProbe {
    private ClosedFormProbe() {}

    /** Mean test accuracy over {@code draws} draws of {@code perClass} labels per class. */
    static double nearestMeanAccuracy(Features.Matrix train, Features.Matrix test, int perClass, int draws,
            long seed) {
        int classes = train.numClasses();
        int d = train.cols();
        double[][] trainUnit = unit(train);
        double[][] testUnit = unit(test);
        double total = 0;
        SplittableRandom r = new SplittableRandom(seed);
        for (int draw = 0; draw < draws; draw++) {
            double[][] means = new double[classes][d];
            int[] count = new int[classes];
            int[] order = permutation(train.rows(), r);
            for (int i : order) {
                int c = train.labels()[i];
                if (count[c] < perClass) {
                    count[c]++;
                    for (int k = 0; k < d; k++) {
                        means[c][k] += trainUnit[i][k];
                    }
                }
            }
            int correct = 0;
            for (int i = 0; i < test.rows(); i++) {
                int best = -1;
                double bestScore = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < classes; c++) {
                    double norm = 0;
                    double dot = 0;
                    for (int k = 0; k < d; k++) {
                        norm += means[c][k] * means[c][k];
                        dot += means[c][k] * testUnit[i][k];
                    }
                    double score = norm > 0 ? dot / Math.sqrt(norm) : Double.NEGATIVE_INFINITY;
                    if (score > bestScore) {
                        bestScore = score;
                        best = c;
                    }
                }
                if (best == test.labels()[i]) {
                    correct++;
                }
            }
            total += correct / (double) test.rows();
        }
        return total / draws;
    }

    private static double[][] unit(Features.Matrix m) {
        double[][] out = new double[m.rows()][m.cols()];
        for (int i = 0; i < m.rows(); i++) {
            double s = 0;
            for (int k = 0; k < m.cols(); k++) {
                s += (double) m.get(i, k) * m.get(i, k);
            }
            double inv = s > 0 ? 1 / Math.sqrt(s) : 0;
            for (int k = 0; k < m.cols(); k++) {
                out[i][k] = m.get(i, k) * inv;
            }
        }
        return out;
    }

    private static int[] permutation(int n, SplittableRandom r) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
