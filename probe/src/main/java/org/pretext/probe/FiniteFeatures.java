package org.pretext.probe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import org.pretext.PretextException;
import org.pretext.data.Finite;

/**
 * The guard every probe (logistic, kNN, mean) applies to the features it is given on the device,
 * whoever made them: NaN or infinity is refused, naming the first such value's row and column,
 * instead of turning into a wrong accuracy or an arithmetic error deep in the solver.
 */
final class FiniteFeatures {
    /** Values checked per block of rows. */
    static final long BLOCK_VALUES = 1L << 22;

    private FiniteFeatures() {}

    /**
     * @param what names the features for the message, e.g. "the kNN probe's labelled features"
     */
    static void require(NDArray x, String what) {
        long n = x.getShape().dimension() == 0 ? 1 : x.getShape().get(0);
        long perRow = n == 0 ? 1 : Math.max(1, x.getShape().size() / n);
        long rows = x.getShape().dimension() < 2 ? n : Math.max(1, BLOCK_VALUES / perRow);
        for (long a = 0; a < n; a += rows) { // by blocks of rows: three boolean temporaries of one block only
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray block = rows >= n ? x : x.get(new NDIndex(a + ":" + Math.min(n, a + rows)));
                NDArray bad = block.isNaN().logicalOr(block.isInfinite());
                if (bad.any().getBoolean()) {
                    fail(x, what);
                }
            }
        }
    }

    private static void fail(NDArray x, String what) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray bad = x.isNaN().logicalOr(x.isInfinite());
            long flat = bad.flatten().toType(DataType.INT32, false).argMax().getLong();
            float v = x.flatten().get(flat).toType(DataType.FLOAT32, false).getFloat();
            throw new PretextException(Character.toUpperCase(what.charAt(0)) + what.substring(1) + " hold " + v
                    + " at " + Finite.position(flat, x.getShape().getShape()) + " (counting from 0; the first value"
                    + " that is not a finite number): the probes need finite features");
        }
    }
}
