package org.pretext.probe;

import java.util.Locale;

/**
 * Limited-memory BFGS (Nocedal &amp; Wright, <i>Numerical Optimization</i>, 2nd ed., Algorithm 7.4
 * and 7.5) for smooth unconstrained minimisation, with a strong-Wolfe {@link LineSearch}.
 *
 * <p>The search direction is −H∇f from the two-loop recursion over the last {@code m} pairs
 * s = x<sub>k+1</sub> − x<sub>k</sub>, y = ∇f<sub>k+1</sub> − ∇f<sub>k</sub>, with the initial
 * inverse Hessian γI, γ = sᵀy / yᵀy. The first trial step has unit length (α = 1/‖∇f‖₂), later ones start at α = 1.
 * It stops, as SciPy's L-BFGS-B does for scikit-learn, when
 * <ul>
 *   <li>‖∇f‖<sub>∞</sub> ≤ {@code gradientTolerance} ("gradient"), or
 *   <li>(f<sub>k</sub> − f<sub>k+1</sub>) / max(|f<sub>k</sub>|, |f<sub>k+1</sub>|, 1) ≤
 *       {@code relativeTolerance} ("relative reduction"), or
 *   <li>{@code maxIterations} iterations were done ("max iterations"), or
 *   <li>the line search found no decrease ("line search": the point is optimal to working precision).
 * </ul>
 * The vectors live on the host in double precision; only the function (e.g. the logistic loss
 * on the engine's device) needs to be fast. For the probe's problems (C·(d+1) ≤ a few 10⁴
 * parameters) the host work is negligible against one evaluation.
 */
public final class Lbfgs {
    /**
     * @param history number of correction pairs kept (m); SciPy's default is 10
     * @param gradientTolerance stop when the largest gradient component is at most this
     * @param relativeTolerance stop when the relative decrease of f is at most this
     *     (SciPy's default factr 1e7 × machine epsilon = 2.22e-9)
     * @param maxIterations most iterations (line searches)
     * @param maxLineSearchEvaluations most evaluations per line search (SciPy's maxls is 20)
     */
    public record Options(int history, double gradientTolerance, double relativeTolerance, int maxIterations,
            int maxLineSearchEvaluations) {
        public Options {
            if (history < 1 || maxIterations < 0 || maxLineSearchEvaluations < 1 || !(gradientTolerance >= 0)
                    || !(relativeTolerance >= 0)) {
                // the parameters, not this: a compact constructor's fields are still unassigned here
                throw new IllegalArgumentException(String.format(Locale.ROOT, "invalid L-BFGS options: history %d"
                        + " (expected >= 1), gradient tolerance %s and relative tolerance %s (expected >= 0), max"
                        + " iterations %d (expected >= 0), line-search evaluations %d (expected >= 1)", history,
                        gradientTolerance, relativeTolerance, maxIterations, maxLineSearchEvaluations));
            }
        }

        /** scikit-learn's lbfgs settings (tol 1e-4, SciPy defaults otherwise) with the given iteration cap. */
        public static Options sklearnLike(int maxIterations) {
            return new Options(10, 1e-4, 2.220446049250313e-9, maxIterations, 20);
        }
    }

    /**
     * @param x the minimiser found
     * @param value f(x)
     * @param gradientMaxNorm ‖∇f(x)‖<sub>∞</sub>
     * @param iterations iterations done
     * @param evaluations function evaluations done
     * @param stopReason "gradient", "relative reduction", "max iterations" or "line search"
     */
    public record Result(double[] x, double value, double gradientMaxNorm, int iterations, int evaluations,
            String stopReason) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "L-BFGS: f=%.10g |g|inf=%.3g after %d iterations, %d evaluations (%s)",
                    value, gradientMaxNorm, iterations, evaluations, stopReason);
        }
    }

    private final Options options;

    public Lbfgs(Options options) {
        this.options = options;
    }

    /** Minimises {@code f} from {@code start} (not modified). */
    public Result minimize(DifferentiableFunction f, double[] start) {
        int n = start.length;
        int m = options.history();
        double[] x = start.clone();
        double[] g = new double[n];
        double fx = f.evaluate(x, g);
        int evaluations = 1;
        if (!Double.isFinite(fx)) {
            throw new ArithmeticException("the objective is " + fx + " at the start point");
        }
        double[][] s = new double[m][n];
        double[][] y = new double[m][n];
        double[] rho = new double[m];
        double[] alpha = new double[m];
        int stored = 0;
        int newest = -1;
        double[] d = new double[n];
        double[] xNew = new double[n];
        double[] gNew = new double[n];
        LineSearch search = new LineSearch(f, options.maxLineSearchEvaluations());
        int it = 0;
        String reason = null;
        if (maxAbs(g) <= options.gradientTolerance()) {
            reason = "gradient";
        }
        while (reason == null) {
            if (it >= options.maxIterations()) {
                reason = "max iterations";
                break;
            }
            // Two-loop recursion: d = -H g.
            for (int i = 0; i < n; i++) {
                d[i] = -g[i];
            }
            for (int k = 0; k < stored; k++) {
                int j = Math.floorMod(newest - k, m);
                alpha[j] = rho[j] * LineSearch.dot(s[j], d);
                axpy(-alpha[j], y[j], d);
            }
            if (stored > 0) {
                double gamma = LineSearch.dot(s[newest], y[newest]) / LineSearch.dot(y[newest], y[newest]);
                for (int i = 0; i < n; i++) {
                    d[i] *= gamma;
                }
            }
            for (int k = stored - 1; k >= 0; k--) {
                int j = Math.floorMod(newest - k, m);
                double beta = rho[j] * LineSearch.dot(y[j], d);
                axpy(alpha[j] - beta, s[j], d);
            }
            double gd = LineSearch.dot(g, d);
            if (!(gd < 0)) {
                // Lost descent (rounding): restart from steepest descent.
                stored = 0;
                for (int i = 0; i < n; i++) {
                    d[i] = -g[i];
                }
                gd = LineSearch.dot(g, d);
            }
            double a0 = stored == 0 ? 1.0 / Math.sqrt(-gd) : 1.0;
            double[] step = search.search(x, fx, g, d, a0, xNew, gNew);
            evaluations += search.evaluations();
            it++;
            if (step == null) {
                reason = "line search";
                break;
            }
            double fNew = step[1];
            int slot = (newest + 1) % m;
            double sy = 0;
            double yy = 0;
            for (int i = 0; i < n; i++) {
                s[slot][i] = xNew[i] - x[i];
                y[slot][i] = gNew[i] - g[i];
                sy += s[slot][i] * y[slot][i];
                yy += y[slot][i] * y[slot][i];
            }
            if (sy > 1e-10 * yy && yy > 0) {
                rho[slot] = 1.0 / sy;
                newest = slot;
                stored = Math.min(stored + 1, m);
            }
            double reduction = (fx - fNew) / Math.max(Math.max(Math.abs(fx), Math.abs(fNew)), 1.0);
            System.arraycopy(xNew, 0, x, 0, n);
            System.arraycopy(gNew, 0, g, 0, n);
            fx = fNew;
            if (maxAbs(g) <= options.gradientTolerance()) {
                reason = "gradient";
            } else if (reduction <= options.relativeTolerance()) {
                reason = "relative reduction";
            }
        }
        return new Result(x, fx, maxAbs(g), it, evaluations, reason);
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < y.length; i++) {
            y[i] += a * x[i];
        }
    }

    static double maxAbs(double[] v) {
        double m = 0;
        for (double e : v) {
            m = Math.max(m, Math.abs(e));
        }
        return m;
    }
}
