package org.pretext.blocks;

import org.pretext.engine.Scalars;
import ai.djl.ndarray.NDArray;

/** ℓ2 normalisation of rows, shared by the losses. */
public final class Norms {
    private Norms() {}

    /** Each row divided by max(‖row‖, 1e−12). */
    public static NDArray unitRows(NDArray z) {
        return z.div(Scalars.maximum(z.norm(new int[] {1}, true), 1e-12));
    }
}
