package org.pretext.probe;

import ai.djl.ndarray.types.DataType;
import java.util.Locale;
import org.pretext.PretextException;

/**
 * Numeric type of the logistic probe's feature matrix on the device. {@link #FLOAT64} is
 * scikit-learn's precision (it converts features to float64 for lbfgs) and the default;
 * {@link #FLOAT32} halves the memory traffic of the two GEMMs that dominate an evaluation, with
 * the loss and gradient still accumulated in float64.
 */
public enum Precision {
    FLOAT64(DataType.FLOAT64), FLOAT32(DataType.FLOAT32);

    private final DataType dataType;

    Precision(DataType dataType) {
        this.dataType = dataType;
    }

    public DataType dataType() {
        return dataType;
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
