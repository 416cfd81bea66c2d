package org.pretext.probe;

import java.util.Arrays;
import org.pretext.PretextException;

/**
 * Settings of the logistic probe.
 *
 * @param cGrid candidate inverse L2 strengths C (λ = 1/C), tried in increasing order (strongest
 *     regularisation first, each fit warm-started from the previous one)
 * @param validationFraction fraction of each class's labelled rows held out to choose C (subsets
 *     larger than {@code crossValidationMaxRows})
 * @param patience stop the C path after this many candidates in a row that did not improve the
 *     best validation accuracy (ties broken by validation log-loss); 0 tries the whole grid (single
 *     split only: cross-validation always tries the whole grid)
 * @param folds folds of the cross-validation of small subsets (at most the smallest class count)
 * @param crossValidationMaxRows subsets with at most this many labelled rows choose C by
 *     cross-validation, larger ones on one held-out split
 * @param fallbackC the C used when validation is impossible (some class has fewer than two
 *     labelled rows, e.g. 1 label per class): 1.0, scikit-learn's default
 * @param precision the device type of the feature matrix in the GEMMs
 * @param solver L-BFGS settings
 */
public record LogisticOptions(double[] cGrid, double validationFraction, int patience, int folds,
        int crossValidationMaxRows, double fallbackC, Precision precision, Lbfgs.Options solver) {
    /** C = 10⁻⁴, 10⁻³, …, 10² (scikit-learn's loss is a sum, so useful C shrink as n grows). */
    public static final double[] DEFAULT_GRID = {1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100};

    public LogisticOptions {
        if (cGrid == null || cGrid.length == 0) {
            throw new PretextException("The logistic probe's C grid is empty: expected at least one C > 0");
        }
        cGrid = cGrid.clone();
        Arrays.sort(cGrid);
        if (!(cGrid[0] > 0) || !Double.isFinite(cGrid[cGrid.length - 1])) {
            throw new PretextException("Invalid C grid " + Arrays.toString(cGrid) + ": expected finite values > 0");
        }
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new PretextException("Invalid validation fraction " + validationFraction + ": expected a value in (0, 1)");
        }
        if (patience < 0) {
            throw new PretextException("Invalid patience " + patience + ": expected >= 0");
        }
        if (folds < 2) {
            throw new PretextException("Invalid number of cross-validation folds " + folds + ": expected >= 2");
        }
        if (crossValidationMaxRows < 0) {
            throw new PretextException("Invalid cross-validation row limit " + crossValidationMaxRows
                    + ": expected >= 0");
        }
        if (!(fallbackC > 0) || !Double.isFinite(fallbackC)) {
            throw new PretextException("Invalid fallback C " + fallbackC + ": expected a finite value > 0");
        }
        if (precision == null || solver == null) {
            throw new PretextException("The logistic probe needs a precision and solver options");
        }
    }

    /**
     * The defaults: {@link #DEFAULT_GRID}; 3-fold cross-validation for subsets of up to 2,000
     * labelled rows (e.g. 1 to 100 labels per class of 10 classes; on MNIST pixels at 10 per class
     * 3 folds chose as well as 5 — 73.0% over 10 draws — in half the time), else 20% of each class held
     * out and patience 1 (stop at the first C after the best that does not improve on it); fallback
     * C 1, {@link Precision#FLOAT32}
     * GEMMs (see there for the measured cost in accuracy: none), and scikit-learn's solver
     * tolerances (gtol 1e-4, ftol 2.2e-9) with at most 1,000 iterations (scikit-learn's default
     * of 100 leaves weakly regularised fits unconverged).
     */
    public static LogisticOptions defaults() {
        return new LogisticOptions(DEFAULT_GRID, 0.2, 1, 3, 2000, 1.0, Precision.FLOAT32,
                Lbfgs.Options.sklearnLike(1000));
    }

    @Override
    public double[] cGrid() {
        return cGrid.clone();
    }

    public LogisticOptions withGrid(double... grid) {
        return new LogisticOptions(grid, validationFraction, patience, folds, crossValidationMaxRows, fallbackC,
                precision, solver);
    }

    public LogisticOptions withValidationFraction(double fraction) {
        return new LogisticOptions(cGrid, fraction, patience, folds, crossValidationMaxRows, fallbackC,
                precision, solver);
    }

    public LogisticOptions withPatience(int p) {
        return new LogisticOptions(cGrid, validationFraction, p, folds, crossValidationMaxRows, fallbackC,
                precision, solver);
    }

    public LogisticOptions withPrecision(Precision p) {
        return new LogisticOptions(cGrid, validationFraction, patience, folds, crossValidationMaxRows, fallbackC,
                p, solver);
    }

    /**
     * Cross-validation settings: {@code k} folds for subsets of at most {@code maxRows} labelled rows
     * (0 rows: always one held-out split).
     */
    public LogisticOptions withCrossValidation(int k, int maxRows) {
        return new LogisticOptions(cGrid, validationFraction, patience, k, maxRows, fallbackC, precision, solver);
    }

    public LogisticOptions withSolver(Lbfgs.Options s) {
        return new LogisticOptions(cGrid, validationFraction, patience, folds, crossValidationMaxRows, fallbackC,
                precision, s);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogisticOptions l && Arrays.equals(cGrid, l.cGrid)
                && validationFraction == l.validationFraction && patience == l.patience && folds == l.folds
                && crossValidationMaxRows == l.crossValidationMaxRows && fallbackC == l.fallbackC
                && precision == l.precision && solver.equals(l.solver);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(cGrid) * 31 + Double.hashCode(validationFraction) + precision.hashCode();
    }

    @Override
    public String toString() {
        return "LogisticOptions[cGrid=" + Arrays.toString(cGrid) + ", validationFraction=" + validationFraction
                + ", patience=" + patience + ", folds=" + folds + ", crossValidationMaxRows=" + crossValidationMaxRows
                + ", fallbackC=" + fallbackC + ", precision=" + precision + ", solver=" + solver + "]";
    }
}
