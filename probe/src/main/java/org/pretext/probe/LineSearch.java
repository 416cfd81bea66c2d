package org.pretext.probe;

/**
 * A line search along a descent direction that returns a step satisfying the strong Wolfe
 * conditions (Nocedal &amp; Wright, <i>Numerical Optimization</i>, 2nd ed., Algorithms 3.5 and 3.6):
 *
 * <pre>
 *   f(x + αd) ≤ f(x) + c1·α·∇f(x)ᵀd          (sufficient decrease)
 *   |∇f(x + αd)ᵀd| ≤ c2·|∇f(x)ᵀd|             (curvature)
 * </pre>
 *
 * with c1 = 1e-4 and c2 = 0.9, the usual values for quasi-Newton methods. The trial steps are
 * chosen by safeguarded cubic interpolation. The point, value and gradient at the accepted step
 * are left in the caller's buffers, so no evaluation is repeated.
 */
final class LineSearch {
    static final double C1 = 1e-4;
    static final double C2 = 0.9;
    private static final double EXTRAPOLATION = 4.0;

    private final DifferentiableFunction f;
    private final int maxEvaluations;
    private int evaluations;
    /** The trial gradient and the best one so far, kept from search to search. */
    private double[] gTrial = new double[0];
    private double[] bestG = new double[0];

    LineSearch(DifferentiableFunction f, int maxEvaluations) {
        this.f = f;
        this.maxEvaluations = maxEvaluations;
    }

    /** Function evaluations spent by the last search. */
    int evaluations() {
        return evaluations;
    }

    /**
     * Searches along {@code d} from {@code x0}.
     *
     * @param x0 start point
     * @param f0 f(x0)
     * @param g0 ∇f(x0)
     * @param d a descent direction (g0ᵀd &lt; 0)
     * @param alpha0 first trial step
     * @param x receives the accepted point
     * @param g receives the gradient there
     * @return the accepted step and value, or {@code null} when no step gave sufficient decrease
     *     (x and g then hold the best point tried, which may be x0 itself)
     */
    double[] search(double[] x0, double f0, double[] g0, double[] d, double alpha0, double[] x, double[] g) {
        evaluations = 0;
        double dphi0 = dot(g0, d);
        if (!(dphi0 < 0)) {
            throw new IllegalArgumentException("not a descent direction: g'd = " + dphi0);
        }
        if (gTrial.length != x0.length) {
            gTrial = new double[x0.length];
            bestG = new double[x0.length];
        }
        double[] gTrial = this.gTrial;
        double aPrev = 0;
        double fPrev = f0;
        double dPrev = dphi0;
        double a = alpha0;
        // Best point with sufficient decrease seen so far (fallback if the search runs out).
        double bestA = 0;
        double bestF = f0;
        double[] bestG = this.bestG;
        System.arraycopy(g0, 0, bestG, 0, g0.length);
        for (int i = 0; evaluations < maxEvaluations; i++) {
            double fa = eval(x0, d, a, x, gTrial);
            double da = dot(gTrial, d);
            if (Double.isFinite(fa) && fa <= f0 + C1 * a * dphi0 && fa < bestF) {
                bestA = a;
                bestF = fa;
                System.arraycopy(gTrial, 0, bestG, 0, gTrial.length);
            }
            if (!Double.isFinite(fa) || fa > f0 + C1 * a * dphi0 || (i > 0 && fa >= fPrev)) {
                double[] r = zoom(x0, f0, dphi0, d, aPrev, fPrev, dPrev, a, fa, da, x, gTrial);
                if (r != null) {
                    System.arraycopy(gTrial, 0, g, 0, g.length);
                    return r;
                }
                break;
            }
            if (Math.abs(da) <= -C2 * dphi0) {
                System.arraycopy(gTrial, 0, g, 0, g.length);
                return new double[] {a, fa};
            }
            if (da >= 0) {
                double[] r = zoom(x0, f0, dphi0, d, a, fa, da, aPrev, fPrev, dPrev, x, gTrial);
                if (r != null) {
                    System.arraycopy(gTrial, 0, g, 0, g.length);
                    return r;
                }
                break;
            }
            // Still descending steeply: extrapolate (cubic step, kept within [1.1a, 4a]).
            double next = cubicMinimizer(aPrev, fPrev, dPrev, a, fa, da);
            double lo = a + 1.1 * (a - aPrev);
            double hi = a + EXTRAPOLATION * (a - aPrev);
            if (!Double.isFinite(next) || next < lo || next > hi) {
                next = hi;
            }
            aPrev = a;
            fPrev = fa;
            dPrev = da;
            a = next;
        }
        // Out of evaluations: fall back on the best sufficient-decrease point, if any.
        for (int j = 0; j < x.length; j++) {
            x[j] = x0[j] + bestA * d[j];
        }
        System.arraycopy(bestG, 0, g, 0, g.length);
        return bestA > 0 ? new double[] {bestA, bestF} : null;
    }

    /** Algorithm 3.6: aLo satisfies sufficient decrease and has the lower value of the bracket. */
    private double[] zoom(double[] x0, double f0, double dphi0, double[] d, double aLo, double fLo, double dLo,
            double aHi, double fHi, double dHi, double[] x, double[] gTrial) {
        while (evaluations < maxEvaluations) {
            double width = aHi - aLo;
            double a = Double.isFinite(fHi) ? cubicMinimizer(aLo, fLo, dLo, aHi, fHi, dHi) : Double.NaN;
            double lo = Math.min(aLo, aHi) + 0.1 * Math.abs(width);
            double hi = Math.max(aLo, aHi) - 0.1 * Math.abs(width);
            if (!Double.isFinite(a) || a < lo || a > hi) {
                a = aLo + 0.5 * width;
            }
            if (Math.abs(width) <= 1e-16 * Math.max(1, Math.abs(aLo))) {
                return null;
            }
            double fa = eval(x0, d, a, x, gTrial);
            double da = dot(gTrial, d);
            if (!Double.isFinite(fa) || fa > f0 + C1 * a * dphi0 || fa >= fLo) {
                aHi = a;
                fHi = fa;
                dHi = da;
            } else {
                if (Math.abs(da) <= -C2 * dphi0) {
                    return new double[] {a, fa};
                }
                if (da * (aHi - aLo) >= 0) {
                    aHi = aLo;
                    fHi = fLo;
                    dHi = dLo;
                }
                aLo = a;
                fLo = fa;
                dLo = da;
            }
        }
        // Budget spent inside the bracket: accept aLo if it decreased f (weak Wolfe is enough
        // for a valid L-BFGS update as long as the curvature sᵀy stays positive, checked there).
        if (aLo > 0) {
            double fa = eval(x0, d, aLo, x, gTrial);
            return new double[] {aLo, fa};
        }
        return null;
    }

    private double eval(double[] x0, double[] d, double a, double[] x, double[] g) {
        for (int j = 0; j < x.length; j++) {
            x[j] = x0[j] + a * d[j];
        }
        evaluations++;
        return f.evaluate(x, g);
    }

    /**
     * The minimiser of the cubic that interpolates φ and φ' at a and b (Nocedal &amp; Wright, eq. 3.59);
     * NaN when it does not exist.
     */
    static double cubicMinimizer(double a, double fa, double da, double b, double fb, double db) {
        double d1 = da + db - 3 * (fa - fb) / (a - b);
        double disc = d1 * d1 - da * db;
        if (disc < 0) {
            return Double.NaN;
        }
        double d2 = Math.signum(b - a) * Math.sqrt(disc);
        double denom = db - da + 2 * d2;
        if (denom == 0) {
            return Double.NaN;
        }
        return b - (b - a) * (db + d2 - d1) / denom;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
