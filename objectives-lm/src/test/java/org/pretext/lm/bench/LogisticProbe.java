package org.pretext.lm.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A minimal binary/multinomial logistic-regression probe for the benchmarks of this module only
 * (the project's real probe lives in the probe module): L2-regularised multinomial logistic
 * regression fitted by L-BFGS on rows that are dense (standardised) or sparse (bag of words), the
 * L2 strength chosen by k-fold cross-validation on the labelled examples only.
 */
final class LogisticProbe {
    /** Rows as sparse vectors (dense rows use every index). */
    record Rows(int[][] index, float[][] value, int dim) {
        int size() {
            return index.length;
        }

        static Rows dense(float[] values, int n, int d) {
            int[][] idx = new int[n][];
            float[][] val = new float[n][];
            int[] all = new int[d];
            for (int k = 0; k < d; k++) {
                all[k] = k;
            }
            for (int i = 0; i < n; i++) {
                idx[i] = all;
                val[i] = Arrays.copyOfRange(values, i * d, (i + 1) * d);
            }
            return new Rows(idx, val, d);
        }

        Rows subset(int[] rows) {
            int[][] idx = new int[rows.length][];
            float[][] val = new float[rows.length][];
            for (int i = 0; i < rows.length; i++) {
                idx[i] = index[rows[i]];
                val[i] = value[rows[i]];
            }
            return new Rows(idx, val, dim);
        }

        /** Standardises every column with the mean and sd of {@code fit} (dense rows only). */
        static Rows[] standardise(Rows fit, Rows... others) {
            int d = fit.dim;
            double[] mean = new double[d];
            double[] sq = new double[d];
            for (float[] r : fit.value) {
                for (int k = 0; k < d; k++) {
                    mean[k] += r[k];
                    sq[k] += r[k] * (double) r[k];
                }
            }
            int n = fit.size();
            float[] mu = new float[d];
            float[] sd = new float[d];
            for (int k = 0; k < d; k++) {
                mu[k] = (float) (mean[k] / n);
                double var = sq[k] / n - mu[k] * (double) mu[k];
                sd[k] = (float) Math.sqrt(Math.max(var, 1e-12));
            }
            List<Rows> out = new ArrayList<>();
            out.add(fit);
            out.addAll(List.of(others));
            Rows[] result = new Rows[out.size()];
            for (int j = 0; j < result.length; j++) {
                Rows r = out.get(j);
                float[][] val = new float[r.size()][];
                for (int i = 0; i < r.size(); i++) {
                    val[i] = new float[d];
                    for (int k = 0; k < d; k++) {
                        val[i][k] = (r.value[i][k] - mu[k]) / sd[k];
                    }
                }
                result[j] = new Rows(r.index, val, d);
            }
            return result;
        }
    }

    private final int classes;
    private double[] w; // (classes, dim + 1), bias last

    private LogisticProbe(int classes) {
        this.classes = classes;
    }

    /** Fits with L2 strength λ on the mean loss: (1/n) Σ −log p(y|x) + λ/2 ‖W‖² (bias unregularised). */
    static LogisticProbe fit(Rows x, int[] y, int classes, double lambda) {
        LogisticProbe p = new LogisticProbe(classes);
        int dim = x.dim + 1;
        p.w = lbfgs((wv, grad) -> p.lossAndGradient(wv, x, y, lambda, grad), new double[classes * dim], 300);
        return p;
    }

    /** Fits with λ chosen from a grid by k-fold cross-validation accuracy on (x, y). */
    static LogisticProbe fitWithCv(Rows x, int[] y, int classes, long seed) {
        double[] grid = {1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1};
        int n = x.size();
        int folds = n >= 2000 ? 3 : 4;
        int[] perm = permutation(n, seed);
        // large sets: cross-validate on a subsample of 6000 to keep the benchmark short
        int cvN = Math.min(n, 6000);
        double best = -1;
        double bestLambda = grid[0];
        for (double lambda : grid) {
            int correct = 0;
            for (int f = 0; f < folds; f++) {
                List<Integer> tr = new ArrayList<>();
                List<Integer> te = new ArrayList<>();
                for (int i = 0; i < cvN; i++) {
                    (i % folds == f ? te : tr).add(perm[i]);
                }
                int[] tri = tr.stream().mapToInt(Integer::intValue).toArray();
                int[] tei = te.stream().mapToInt(Integer::intValue).toArray();
                LogisticProbe p = fit(x.subset(tri), pick(y, tri), classes, lambda);
                correct += (int) Math.round(p.accuracy(x.subset(tei), pick(y, tei)) * tei.length);
            }
            if (correct > best) {
                best = correct;
                bestLambda = lambda;
            }
        }
        LogisticProbe p = fit(x, y, classes, bestLambda);
        p.lambda = bestLambda;
        return p;
    }

    double lambda;

    static int[] pick(int[] y, int[] idx) {
        int[] out = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            out[i] = y[idx[i]];
        }
        return out;
    }

    static int[] permutation(int n, long seed) {
        return org.pretext.data.IndexedSplit.permutation(n, seed);
    }

    double accuracy(Rows x, int[] y) {
        int correct = 0;
        int dim = x.dim + 1;
        double[] z = new double[classes];
        for (int i = 0; i < x.size(); i++) {
            scores(w, x.index[i], x.value[i], dim, z);
            int arg = 0;
            for (int c = 1; c < classes; c++) {
                if (z[c] > z[arg]) {
                    arg = c;
                }
            }
            if (arg == y[i]) {
                correct++;
            }
        }
        return correct / (double) x.size();
    }

    private void scores(double[] wv, int[] idx, float[] val, int dim, double[] z) {
        for (int c = 0; c < classes; c++) {
            double s = wv[c * dim + dim - 1];
            int off = c * dim;
            for (int k = 0; k < idx.length; k++) {
                s += wv[off + idx[k]] * val[k];
            }
            z[c] = s;
        }
    }

    private double lossAndGradient(double[] wv, Rows x, int[] y, double lambda, double[] grad) {
        Arrays.fill(grad, 0);
        int dim = x.dim + 1;
        int n = x.size();
        double loss = 0;
        double[] z = new double[classes];
        for (int i = 0; i < n; i++) {
            int[] idx = x.index[i];
            float[] val = x.value[i];
            scores(wv, idx, val, dim, z);
            double max = Double.NEGATIVE_INFINITY;
            for (double v : z) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                z[c] = Math.exp(z[c] - max);
                sum += z[c];
            }
            loss -= Math.log(z[y[i]] / sum);
            for (int c = 0; c < classes; c++) {
                double g = z[c] / sum - (c == y[i] ? 1 : 0);
                if (g == 0) {
                    continue;
                }
                int off = c * dim;
                for (int k = 0; k < idx.length; k++) {
                    grad[off + idx[k]] += g * val[k];
                }
                grad[off + dim - 1] += g;
            }
        }
        loss /= n;
        for (int j = 0; j < grad.length; j++) {
            grad[j] /= n;
        }
        for (int c = 0; c < classes; c++) {
            for (int k = 0; k < dim - 1; k++) {
                double v = wv[c * dim + k];
                loss += lambda / 2 * v * v;
                grad[c * dim + k] += lambda * v;
            }
        }
        return loss;
    }

    interface Objective {
        double eval(double[] w, double[] grad);
    }

    /** L-BFGS (memory 10) with a backtracking Armijo line search. */
    static double[] lbfgs(Objective f, double[] x0, int maxIter) {
        int m = 10;
        int n = x0.length;
        double[] x = x0.clone();
        double[] g = new double[n];
        double fx = f.eval(x, g);
        double[][] s = new double[m][];
        double[][] yv = new double[m][];
        double[] rho = new double[m];
        int k = 0;
        for (int iter = 0; iter < maxIter; iter++) {
            double gnorm = Math.sqrt(dot(g, g));
            if (gnorm < 1e-6) {
                break;
            }
            double[] q = g.clone();
            int bound = Math.min(k, m);
            double[] alpha = new double[m];
            for (int i = 0; i < bound; i++) {
                int j = Math.floorMod(k - 1 - i, m);
                alpha[j] = rho[j] * dot(s[j], q);
                axpy(-alpha[j], yv[j], q);
            }
            if (bound > 0) {
                int j = Math.floorMod(k - 1, m);
                double gamma = dot(s[j], yv[j]) / dot(yv[j], yv[j]);
                for (int i = 0; i < n; i++) {
                    q[i] *= gamma;
                }
            } else {
                for (int i = 0; i < n; i++) {
                    q[i] /= Math.max(gnorm, 1);
                }
            }
            for (int i = bound - 1; i >= 0; i--) {
                int j = Math.floorMod(k - 1 - i, m);
                double beta = rho[j] * dot(yv[j], q);
                axpy(alpha[j] - beta, s[j], q);
            }
            double slope = -dot(g, q);
            if (slope >= 0) { // not a descent direction: restart from the gradient
                q = g.clone();
                slope = -dot(g, g);
                k = 0;
            }
            double step = 1;
            double[] xn = new double[n];
            double[] gn = new double[n];
            double fn;
            while (true) {
                for (int i = 0; i < n; i++) {
                    xn[i] = x[i] - step * q[i];
                }
                fn = f.eval(xn, gn);
                if (fn <= fx + 1e-4 * step * slope || step < 1e-10) {
                    break;
                }
                step *= 0.5;
            }
            double[] sv = new double[n];
            double[] yy = new double[n];
            for (int i = 0; i < n; i++) {
                sv[i] = xn[i] - x[i];
                yy[i] = gn[i] - g[i];
            }
            double sy = dot(sv, yy);
            if (sy > 1e-12) {
                int j = k % m;
                s[j] = sv;
                yv[j] = yy;
                rho[j] = 1 / sy;
                k++;
            }
            boolean converged = Math.abs(fx - fn) < 1e-10 * Math.max(1, Math.abs(fx));
            x = xn;
            g = gn;
            fx = fn;
            if (converged) {
                break;
            }
        }
        return x;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }
}
