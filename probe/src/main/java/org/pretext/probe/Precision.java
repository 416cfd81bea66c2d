package org.pretext.probe;

import ai.djl.ndarray.types.DataType;
import java.util.Locale;
import org.pretext.PretextException;

/**
 * Numeric type of the logistic probe's feature matrix in the two GEMMs that dominate an
 * evaluation (X·Wᵀ and (P − Y)ᵀ·X); the log-softmax, loss, reductions and the solver are in
 * float64 either way.
 * <ul>
 *   <li>{@link #FLOAT64}: scikit-learn's precision (it converts features to float64 for lbfgs);
 *       reproduces its lbfgs iterates to 1e-8 and its optimum to 1e-7 (see SklearnAgreementTest).
 *   <li>{@link #FLOAT32}, the probe's default: half the memory traffic, 2.5× faster evaluations on
 *       8,000 × 784 MNIST pixels (11 against 28 ms of CPU), the same choice of C and test accuracy
 *       on MNIST, UCI digits and the synthetic fixture, objectives within 2e-7 (relative) of the
 *       float64 optimum — the gap scikit-learn's own stopping rule leaves is 5e-9 to 1.2e-8 — and
 *       coefficients within 3.5e-4 of the largest. The solver stops where single-precision noise
 *       hides further decrease (see {@link #relativeToleranceFloor()}).
 * </ul>
 */
public enum Precision {
    FLOAT64(DataType.FLOAT64, 0), FLOAT32(DataType.FLOAT32, 1e-8);

    private final DataType dataType;
    private final double relativeToleranceFloor;

    Precision(DataType dataType, double relativeToleranceFloor) {
        this.dataType = dataType;
        this.relativeToleranceFloor = relativeToleranceFloor;
    }

    public DataType dataType() {
        return dataType;
    }

    /**
     * The smallest relative decrease of the objective worth iterating for: 0 in float64; 1e-8 in
     * float32, about the relative noise of an objective summed from single-precision GEMMs, below
     * which line searches only chase rounding (measured on 8,000 × 784 MNIST pixels: 19% less CPU,
     * same C and test accuracy, objective 2e-7 further from the optimum).
     */
    public double relativeToleranceFloor() {
        return relativeToleranceFloor;
    }

    /** Parses {@code float64} or {@code float32} (case-insensitive). */
    public static Precision parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new PretextException("Invalid probe precision '" + text + "': expected float64 or float32");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
