package org.pretext.selfpredict;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.pretext.encoder.Features;

/**
 * A small closed-form linear probe for tests: a ridge-regression classifier on one-hot targets
 * (the least-squares classifier) on centred features, with a fixed ridge strength λ = tr(G)/n,
 * G the Gram matrix of the n centred labelled examples (so the probe is invariant to the
 * features' scale and nothing is tuned, on test data or otherwise). Fitted in the dual, so it
 * costs O(n³) whatever the feature width. Features are not standardised per coordinate by
 * default: that would blow up coordinates that carry almost nothing (blank pixels, directions a
 * learned representation has shrunk) to the weight of informative ones.
 * (Leave-one-out choice of λ was tried and rejected: with 100 labels it kept choosing the
 * smallest λ, costing 9 points on raw MNIST pixels.)
 */
final class ClosedFormProbe {
    private ClosedFormProbe() {}

    /** The indices of {@code perClass} examples of every class, drawn with a seed. */
    static int[] labelledSubset(int[] labels, int numClasses, int perClass, long seed) {
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < numClasses; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < labels.length; i++) {
            byClass.get(labels[i]).add(i);
        }
        SplittableRandom r = new SplittableRandom(seed);
        int[] out = new int[numClasses * perClass];
        int o = 0;
        for (List<Integer> members : byClass) {
            if (members.size() < perClass) {
                throw new IllegalArgumentException("a class has only " + members.size() + " examples");
            }
            for (int i = 0; i < perClass; i++) {
                int j = i + r.nextInt(members.size() - i);
                Integer t = members.get(i);
                members.set(i, members.get(j));
                members.set(j, t);
                out[o++] = members.get(i);
            }
        }
        return out;
    }

    /**
     * Test accuracy of the probe fitted on the labelled rows of {@code train}.
     *
     * @param train features of training examples (labels used only at {@code labelled})
     * @param labelled the rows whose labels the probe may use
     * @param test features and labels of the test examples
     */
    static double accuracy(Features.Matrix train, int[] labelled, Features.Matrix test) {
        return accuracy(train, labelled, test, false);
    }

    /**
     * As {@link #accuracy(Features.Matrix, int[], Features.Matrix)}, optionally standardising each
     * feature by its deviation over all training rows first.
     */
    static double accuracy(Features.Matrix train, int[] labelled, Features.Matrix test, boolean standardize) {
        int d = train.cols();
        int k = train.numClasses();
        double[] mean = new double[d];
        double[] sd = new double[d];
        for (int i = 0; i < train.rows(); i++) {
            for (int j = 0; j < d; j++) {
                mean[j] += train.get(i, j);
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= train.rows();
        }
        for (int i = 0; i < train.rows(); i++) {
            for (int j = 0; j < d; j++) {
                double v = train.get(i, j) - mean[j];
                sd[j] += v * v;
            }
        }
        for (int j = 0; j < d; j++) {
            sd[j] = standardize ? Math.sqrt(sd[j] / train.rows()) + 1e-6 : 1.0;
        }
        int n = labelled.length;
        double[][] a = new double[n][d];
        double[] centre = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                a[i][j] = (train.get(labelled[i], j) - mean[j]) / sd[j];
                centre[j] += a[i][j] / n;
            }
        }
        for (double[] row : a) {
            for (int j = 0; j < d; j++) {
                row[j] -= centre[j];
            }
        }
        int[] y = new int[n];
        double[][] targets = new double[n][k];
        for (int i = 0; i < n; i++) {
            y[i] = train.labels()[labelled[i]];
            Arrays.fill(targets[i], -1.0 / k);
            targets[i][y[i]] += 1;
        }
        double[][] w = n <= d ? dualWeights(a, targets, n, d, k) : primalWeights(a, targets, n, d, k);
        int correct = 0;
        double[] x = new double[d];
        double[] score = new double[k];
        for (int i = 0; i < test.rows(); i++) {
            for (int j = 0; j < d; j++) {
                x[j] = (test.get(i, j) - mean[j]) / sd[j] - centre[j];
            }
            Arrays.fill(score, 0);
            for (int j = 0; j < d; j++) {
                for (int c = 0; c < k; c++) {
                    score[c] += x[j] * w[j][c];
                }
            }
            if (argmax(score) == test.labels()[i]) {
                correct++;
            }
        }
        return correct / (double) test.rows();
    }

    /** Ridge weights (d, k) from the n × n Gram matrix (n ≤ d), λ = tr(G)/n. */
    static double[][] dualWeights(double[][] a, double[][] targets, int n, int d, int k) {
        double[][] gram = new double[n][n];
        double trace = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int c = 0; c < d; c++) {
                    s += a[i][c] * a[j][c];
                }
                gram[i][j] = s;
                gram[j][i] = s;
            }
            trace += gram[i][i];
        }
        // λ = tr(G)/n: shrinkage on the scale of a labelled example's squared norm, so the probe is
        // invariant to the features' scale and needs no tuning
        double lambda = trace / n;
        for (int i = 0; i < n; i++) {
            gram[i][i] += lambda;
        }
        double[][] alpha = multiply(invert(gram), targets);
        double[][] w = new double[d][k];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                for (int c = 0; c < k; c++) {
                    w[j][c] += a[i][j] * alpha[i][c];
                }
            }
        }
        return w;
    }

    /** The same weights from the d × d covariance (n > d): W = (AᵀA + λI)⁻¹AᵀY, λ = tr(AᵀA)/n. */
    static double[][] primalWeights(double[][] a, double[][] targets, int n, int d, int k) {
        double[][] cov = new double[d][d];
        double[][] aty = new double[d][k];
        for (int i = 0; i < n; i++) {
            double[] row = a[i];
            for (int p = 0; p < d; p++) {
                double v = row[p];
                if (v == 0) {
                    continue;
                }
                for (int q = 0; q <= p; q++) {
                    cov[p][q] += v * row[q];
                }
                for (int c = 0; c < k; c++) {
                    aty[p][c] += v * targets[i][c];
                }
            }
        }
        double trace = 0;
        for (int p = 0; p < d; p++) {
            for (int q = 0; q < p; q++) {
                cov[q][p] = cov[p][q];
            }
            trace += cov[p][p];
        }
        double lambda = trace / n;
        for (int p = 0; p < d; p++) {
            cov[p][p] += lambda;
        }
        return multiply(invert(cov), aty);
    }

    /** Nearest class mean (Euclidean distance on the features as they are): a second, parameter-free probe. */
    static double nearestMeanAccuracy(Features.Matrix train, int[] labelled, Features.Matrix test) {
        int d = train.cols();
        int k = train.numClasses();
        double[][] means = new double[k][d];
        int[] counts = new int[k];
        for (int i : labelled) {
            int c = train.labels()[i];
            counts[c]++;
            for (int j = 0; j < d; j++) {
                means[c][j] += train.get(i, j);
            }
        }
        for (int c = 0; c < k; c++) {
            for (int j = 0; j < d; j++) {
                means[c][j] /= Math.max(1, counts[c]);
            }
        }
        int correct = 0;
        for (int i = 0; i < test.rows(); i++) {
            int best = -1;
            double bestDist = Double.MAX_VALUE;
            for (int c = 0; c < k; c++) {
                double dist = 0;
                for (int j = 0; j < d; j++) {
                    double v = test.get(i, j) - means[c][j];
                    dist += v * v;
                }
                if (dist < bestDist) {
                    bestDist = dist;
                    best = c;
                }
            }
            if (best == test.labels()[i]) {
                correct++;
            }
        }
        return correct / (double) test.rows();
    }

    private static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        double[][] out = new double[a.length][b[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int t = 0; t < b.length; t++) {
                double v = a[i][t];
                for (int j = 0; j < b[0].length; j++) {
                    out[i][j] += v * b[t][j];
                }
            }
        }
        return out;
    }

    /** Gauss-Jordan inverse with partial pivoting (the matrices here are symmetric positive definite). */
    static double[][] invert(double[][] m) {
        int n = m.length;
        double[][] a = new double[n][2 * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(m[i], 0, a[i], 0, n);
            a[i][n + i] = 1;
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            double[] t = a[col];
            a[col] = a[pivot];
            a[pivot] = t;
            double p = a[col][col];
            for (int j = 0; j < 2 * n; j++) {
                a[col][j] /= p;
            }
            for (int r = 0; r < n; r++) {
                if (r != col && a[r][col] != 0) {
                    double f = a[r][col];
                    for (int j = 0; j < 2 * n; j++) {
                        a[r][j] -= f * a[col][j];
                    }
                }
            }
        }
        double[][] inv = new double[n][n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], n, inv[i], 0, n);
        }
        return inv;
    }
}
