package org.pretext.training.listener;

/**
 * Label-free measures of a batch of embeddings, as plain functions of (n × d) row-major float
 * matrices, computed in double precision:
 *
 * <ul>
 *   <li>alignment (Wang and Isola 2020) of two views' ℓ2-normalised embeddings f, f⁺:
 *       {@code A = 1/n Σ_i ‖f_i − f⁺_i‖²} (α = 2), from 0 (views agree) to 4;
 *   <li>uniformity (Wang and Isola 2020) of ℓ2-normalised embeddings:
 *       {@code U = log( 2/(n(n−1)) Σ_{i<j} exp(−t‖f_i − f_j‖²) )} with t = 2, from 0 (all equal,
 *       a collapsed encoder) down to about −4 for points spread over a high-dimensional sphere;
 *   <li>effective rank (RankMe, Garrido et al. 2023) of the raw embeddings: with σ_k their
 *       singular values, {@code p_k = σ_k / Σ_j σ_j + ε} (ε = 1e−7) and
 *       {@code erank = exp(−Σ_k p_k log p_k)}, between 1 (every embedding on one line) and
 *       min(n, d) (all directions used equally).
 * </ul>
 */
public final class EmbeddingStats {
    /** ε added to the normalised singular values in RankMe. */
    public static final double RANKME_EPSILON = 1e-7;
    /** t of the uniformity measure. */
    public static final double UNIFORMITY_T = 2;

    private EmbeddingStats() {}

    /** Rows scaled to unit ℓ2 norm (a zero row stays zero). */
    public static double[][] normalizedRows(float[] f, int n, int d) {
        check(f, n, d);
        double[][] out = new double[n][d];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int k = 0; k < d; k++) {
                double v = f[i * d + k];
                s += v * v;
            }
            double inv = s > 0 ? 1 / Math.sqrt(s) : 0;
            for (int k = 0; k < d; k++) {
                out[i][k] = f[i * d + k] * inv;
            }
        }
        return out;
    }

    /** Alignment of two views: mean squared distance of matching normalised rows. */
    public static double alignment(float[] a, float[] b, int n, int d) {
        double[][] x = normalizedRows(a, n, d);
        double[][] y = normalizedRows(b, n, d);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) {
                double diff = x[i][k] - y[i][k];
                sum += diff * diff;
            }
        }
        return sum / n;
    }

    /**
     * The spread of the normalised embeddings per feature (SimSiam's collapse indicator, Chen and
     * He 2021, §4.1): √d times the mean over features of the standard deviation over the batch of
     * the ℓ2-normalised rows; about 1 for embeddings spread evenly over the sphere, 0 when every
     * embedding points the same way.
     */
    public static double normalizedStd(float[] f, int n, int d) {
        double[][] x = normalizedRows(f, n, d);
        double total = 0;
        for (int k = 0; k < d; k++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += x[i][k];
            }
            mean /= n;
            double var = 0;
            for (int i = 0; i < n; i++) {
                var += (x[i][k] - mean) * (x[i][k] - mean);
            }
            total += Math.sqrt(var / n);
        }
        return total / d * Math.sqrt(d);
    }

    /**
     * Uniformity of normalised rows with t = 2; needs n ≥ 2. Squared distances are taken as
     * ‖x<sub>i</sub>‖² + ‖x<sub>j</sub>‖² − 2 x<sub>i</sub>·x<sub>j</sub>, the dot products of row i
     * with every later row accumulated one feature at a time over a transposed copy (a loop the JIT
     * vectorises: 512 rows of 128 features in ~7 ms against 20–27 ms for the difference of every pair).
     */
    public static double uniformity(float[] f, int n, int d) {
        if (n < 2) {
            throw new IllegalArgumentException("uniformity needs at least 2 embeddings, got " + n);
        }
        double[][] x = normalizedRows(f, n, d);
        double[][] columns = new double[d][n];
        double[] squared = new double[n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) {
                columns[k][i] = x[i][k];
                squared[i] += x[i][k] * x[i][k];
            }
        }
        double[] dots = new double[n];
        double sum = 0;
        for (int i = 0; i < n - 1; i++) {
            java.util.Arrays.fill(dots, i + 1, n, 0);
            for (int k = 0; k < d; k++) {
                double a = x[i][k];
                double[] column = columns[k];
                for (int j = i + 1; j < n; j++) {
                    dots[j] += a * column[j];
                }
            }
            for (int j = i + 1; j < n; j++) {
                double dist = Math.max(0, squared[i] + squared[j] - 2 * dots[j]);
                sum += Math.exp(-UNIFORMITY_T * dist);
            }
        }
        return Math.log(sum / (n * (n - 1) / 2.0));
    }

    /** RankMe effective rank of the raw rows. */
    public static double effectiveRank(float[] f, int n, int d) {
        double[] sigma = singularValues(f, n, d);
        double total = 0;
        for (double s : sigma) {
            total += s;
        }
        if (total == 0) {
            return 1;
        }
        double entropy = 0;
        for (double s : sigma) {
            double p = s / total + RANKME_EPSILON;
            entropy -= p * Math.log(p);
        }
        return Math.exp(entropy);
    }

    /** The min(n, d) singular values of the (n × d) matrix, largest first. */
    public static double[] singularValues(float[] f, int n, int d) {
        check(f, n, d);
        boolean columns = d <= n;
        int m = columns ? d : n;
        double[][] gram = new double[m][m];
        if (columns) { // FᵀF, row by row, whole rows of the Gram matrix at a time (a loop the JIT vectorises)
            double[] x = new double[d];
            for (int i = 0; i < n; i++) {
                int row = i * d;
                for (int k = 0; k < d; k++) {
                    x[k] = f[row + k];
                }
                for (int a = 0; a < d; a++) {
                    double va = x[a];
                    if (va == 0) {
                        continue;
                    }
                    double[] g = gram[a];
                    for (int b = 0; b < d; b++) {
                        g[b] += va * x[b];
                    }
                }
            }
        } else { // FFᵀ
            for (int a = 0; a < n; a++) {
                for (int b = a; b < n; b++) {
                    double s = 0;
                    for (int k = 0; k < d; k++) {
                        s += (double) f[a * d + k] * f[b * d + k];
                    }
                    gram[a][b] = s;
                }
            }
        }
        for (int a = 0; a < m && !columns; a++) {
            for (int b = 0; b < a; b++) {
                gram[a][b] = gram[b][a];
            }
        }
        double[] eig = symmetricEigenvalues(gram);
        double[] sigma = new double[m];
        for (int i = 0; i < m; i++) {
            sigma[i] = Math.sqrt(Math.max(0, eig[m - 1 - i]));
        }
        return sigma;
    }

    /**
     * Eigenvalues of a symmetric matrix in ascending order: Householder reduction to tridiagonal
     * form, then the implicit QL method (the tred2/tql2 pair of EISPACK as in JAMA, without the
     * eigenvectors). The input is overwritten.
     */
    static double[] symmetricEigenvalues(double[][] v) {
        int n = v.length;
        double[] d = new double[n];
        double[] e = new double[n];
        if (n == 0) {
            return d;
        }
        tridiagonalize(v, d, e);
        ql(d, e);
        java.util.Arrays.sort(d);
        return d;
    }

    private static void tridiagonalize(double[][] v, double[] d, double[] e) {
        int n = d.length;
        for (int j = 0; j < n; j++) {
            d[j] = v[n - 1][j];
        }
        for (int i = n - 1; i > 0; i--) {
            double scale = 0;
            double h = 0;
            for (int k = 0; k < i; k++) {
                scale += Math.abs(d[k]);
            }
            if (scale == 0) {
                e[i] = d[i - 1];
                for (int j = 0; j < i; j++) {
                    d[j] = v[i - 1][j];
                    v[i][j] = 0;
                    v[j][i] = 0;
                }
            } else {
                for (int k = 0; k < i; k++) {
                    d[k] /= scale;
                    h += d[k] * d[k];
                }
                double f = d[i - 1];
                double g = Math.sqrt(h);
                if (f > 0) {
                    g = -g;
                }
                e[i] = scale * g;
                h -= f * g;
                d[i - 1] = f - g;
                for (int j = 0; j < i; j++) {
                    e[j] = 0;
                }
                for (int j = 0; j < i; j++) {
                    f = d[j];
                    v[j][i] = f;
                    g = e[j] + v[j][j] * f;
                    for (int k = j + 1; k <= i - 1; k++) {
                        g += v[k][j] * d[k];
                        e[k] += v[k][j] * f;
                    }
                    e[j] = g;
                }
                f = 0;
                for (int j = 0; j < i; j++) {
                    e[j] /= h;
                    f += e[j] * d[j];
                }
                double hh = f / (h + h);
                for (int j = 0; j < i; j++) {
                    e[j] -= hh * d[j];
                }
                for (int j = 0; j < i; j++) {
                    f = d[j];
                    g = e[j];
                    for (int k = j; k <= i - 1; k++) {
                        v[k][j] -= f * e[k] + g * d[k];
                    }
                    d[j] = v[i - 1][j];
                    v[i][j] = 0;
                }
            }
            d[i] = h;
        }
        // tred2 would now accumulate the transformations into the eigenvectors, which are not needed:
        // the tridiagonal matrix's diagonal is what the reduction left on v's diagonal.
        for (int j = 0; j < n; j++) {
            d[j] = v[j][j];
        }
        e[0] = 0;
    }

    private static void ql(double[] d, double[] e) {
        int n = d.length;
        for (int i = 1; i < n; i++) {
            e[i - 1] = e[i];
        }
        e[n - 1] = 0;
        double f = 0;
        double tst1 = 0;
        double eps = Math.pow(2, -52);
        for (int l = 0; l < n; l++) {
            tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
            int m = l;
            while (m < n) {
                if (Math.abs(e[m]) <= eps * tst1) {
                    break;
                }
                m++;
            }
            if (m > l) {
                int iter = 0;
                do {
                    if (++iter > 100) {
                        throw new ArithmeticException("eigenvalues did not converge");
                    }
                    double g = d[l];
                    double p = (d[l + 1] - g) / (2 * e[l]);
                    double r = Math.hypot(p, 1);
                    if (p < 0) {
                        r = -r;
                    }
                    d[l] = e[l] / (p + r);
                    d[l + 1] = e[l] * (p + r);
                    double dl1 = d[l + 1];
                    double h = g - d[l];
                    for (int i = l + 2; i < n; i++) {
                        d[i] -= h;
                    }
                    f += h;
                    p = d[m];
                    double c = 1;
                    double c2 = c;
                    double c3 = c;
                    double el1 = e[l + 1];
                    double s = 0;
                    double s2 = 0;
                    for (int i = m - 1; i >= l; i--) {
                        c3 = c2;
                        c2 = c;
                        s2 = s;
                        g = c * e[i];
                        h = c * p;
                        r = Math.hypot(p, e[i]);
                        e[i + 1] = s * r;
                        s = e[i] / r;
                        c = p / r;
                        p = c * d[i] - s * g;
                        d[i + 1] = h + s * (c * g + s * d[i]);
                    }
                    p = -s * s2 * c3 * el1 * e[l] / dl1;
                    e[l] = s * p;
                    d[l] = c * p;
                } while (Math.abs(e[l]) > eps * tst1);
            }
            d[l] += f;
            e[l] = 0;
        }
    }

    private static void check(float[] f, int n, int d) {
        if (n <= 0 || d <= 0 || f.length != (long) n * d) {
            throw new IllegalArgumentException(f.length + " values are not an (" + n + " × " + d + ") matrix");
        }
    }
}
