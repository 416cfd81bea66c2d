package org.pretext.contrastive;

import org.pretext.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.pretext.engine.Engines;
import org.pretext.encoder.Features;

/**
 * Multinomial logistic regression on standardised frozen features for the benchmarks (the probe
 * module is written in parallel): full-batch Adam on the engine (300 iterations). With few labels
 * the L2 strength is chosen from a small grid on a stratified 20% hold-out of the labelled
 * examples, then refitted on all of them; with many labels (over 5,000) a fixed 1e-4 is used.
 */
final class LinearProbe {
    static final double[] L2_GRID = {1e-4, 1e-3, 1e-2, 1e-1};
    private static final int ITERATIONS = 300;

    /** A fitted probe: standardisation then logits = x·W + b. */
    record Fit(float[] mean, float[] std, float[] weights, float[] bias, int d, int classes, double l2) {
        /** Logits of raw features (n × d) in JVM memory. */
        int[] predict(float[] x, int n) {
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                int best = 0;
                double bestScore = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < classes; c++) {
                    double s = bias[c];
                    for (int k = 0; k < d; k++) {
                        s += (x[i * d + k] - mean[k]) / std[k] * weights[k * classes + c];
                    }
                    if (s > bestScore) {
                        bestScore = s;
                        best = c;
                    }
                }
                out[i] = best;
            }
            return out;
        }

        double accuracy(Features.Matrix test) {
            int[] p = predict(test.values(), test.rows());
            int correct = 0;
            for (int i = 0; i < p.length; i++) {
                if (p[i] == test.labels()[i]) {
                    correct++;
                }
            }
            return correct / (double) p.length;
        }
    }

    private LinearProbe() {}

    /** Indices of k examples per class drawn with a seed (all examples when k ≤ 0). */
    static int[] budget(int[] labels, int classes, int k, long seed) {
        int[] order = new int[labels.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (k <= 0) {
            return order;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = order.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] count = new int[classes];
        List<Integer> picked = new ArrayList<>();
        for (int i : order) {
            if (count[labels[i]] < k) {
                count[labels[i]]++;
                picked.add(i);
            }
        }
        return picked.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Fits on the given rows of a feature matrix, choosing L2 on a hold-out. */
    static Fit fitSelected(Features.Matrix train, int[] rows, long seed) {
        if (rows.length > 5000) {
            return fit(train, rows, 1e-4);
        }
        int classes = train.numClasses();
        SplittableRandom r = new SplittableRandom(seed);
        List<Integer> fitRows = new ArrayList<>();
        List<Integer> holdRows = new ArrayList<>();
        int[] seen = new int[classes];
        int[] total = new int[classes];
        for (int i : rows) {
            total[train.labels()[i]]++;
        }
        int[] shuffled = rows.clone();
        for (int i = shuffled.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = shuffled[i];
            shuffled[i] = shuffled[j];
            shuffled[j] = t;
        }
        for (int i : shuffled) {
            int c = train.labels()[i];
            if (seen[c] < Math.max(1, total[c] / 5) && total[c] > 1) {
                holdRows.add(i);
            } else {
                fitRows.add(i);
            }
            seen[c]++;
        }
        double bestL2 = L2_GRID[0];
        double bestAcc = -1;
        int[] hold = holdRows.stream().mapToInt(Integer::intValue).toArray();
        for (double l2 : L2_GRID) {
            Fit f = fit(train, fitRows.stream().mapToInt(Integer::intValue).toArray(), l2);
            int[] p = f.predict(gather(train, hold), hold.length);
            int correct = 0;
            for (int i = 0; i < hold.length; i++) {
                if (p[i] == train.labels()[hold[i]]) {
                    correct++;
                }
            }
            if (correct > bestAcc) {
                bestAcc = correct;
                bestL2 = l2;
            }
        }
        return fit(train, rows, bestL2);
    }

    static float[] gather(Features.Matrix m, int[] rows) {
        float[] out = new float[rows.length * m.cols()];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(m.values(), rows[i] * m.cols(), out, i * m.cols(), m.cols());
        }
        return out;
    }

    /** Full-batch Adam on mean cross-entropy + l2·‖W‖². */
    static Fit fit(Features.Matrix train, int[] rows, double l2) {
        int d = train.cols();
        int classes = train.numClasses();
        int n = rows.length;
        float[] x = gather(train, rows);
        float[] mean = new float[d];
        float[] std = new float[d];
        for (int k = 0; k < d; k++) {
            double s = 0;
            double s2 = 0;
            for (int i = 0; i < n; i++) {
                s += x[i * d + k];
                s2 += (double) x[i * d + k] * x[i * d + k];
            }
            double m = s / n;
            mean[k] = (float) m;
            std[k] = (float) Math.max(1e-6, Math.sqrt(Math.max(0, s2 / n - m * m)));
        }
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) {
                x[i * d + k] = (x[i * d + k] - mean[k]) / std[k];
            }
        }
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = train.labels()[rows[i]];
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray xs = m.create(x, new Shape(n, d));
            NDArray ys = m.create(y, new Shape(n, 1)).toType(DataType.INT64, false);
            NDArray w = m.zeros(new Shape(d, classes));
            NDArray b = m.zeros(new Shape(classes));
            NDArray[] params = {w, b};
            NDArray[] first = {m.zeros(w.getShape()), m.zeros(b.getShape())};
            NDArray[] second = {m.zeros(w.getShape()), m.zeros(b.getShape())};
            double lr = 0.05;
            for (int t = 1; t <= ITERATIONS; t++) {
                try (NDManager step = m.newSubManager()) {
                    for (NDArray p : params) {
                        p.setRequiresGradient(true);
                    }
                    try (GradientCollector gc = Engines.engine().newGradientCollector()) {
                        NDArray logits = xs.matMul(w).add(b);
                        NDArray loss = logits.logSoftmax(1).gather(ys, 1).mean().neg()
                                .add(Scalars.mul(w.square().sum(), l2));
                        gc.backward(loss);
                    }
                    for (int i = 0; i < 2; i++) {
                        NDArray g = params[i].getGradient();
                        g.attach(step);
                        first[i].muli(0.9f).addi(g.mul(0.1f));
                        second[i].muli(0.999f).addi(g.square().mul(0.001f));
                        double c1 = 1 - Math.pow(0.9, t);
                        double c2 = 1 - Math.pow(0.999, t);
                        NDArray update = first[i].div((float) c1).div(second[i].div((float) c2).sqrt().add(1e-8f))
                                .mul((float) lr);
                        NDArray next = params[i].sub(update);
                        next.attach(m);
                        params[i].close();
                        params[i] = next;
                    }
                    w = params[0];
                    b = params[1];
                }
            }
            return new Fit(mean, std, w.toFloatArray(), b.toFloatArray(), d, classes, l2);
        }
    }
}
