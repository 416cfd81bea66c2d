package org.pretext.blocks;

import org.apiguardian.api.API;
import org.pretext.engine.Scalars;
import ai.djl.ndarray.NDArray;

/** ℓ2 normalisation of rows, shared by the losses. */
@API(status = API.Status.EXPERIMENTAL, since = "0.2")
public final class Norms {
    private Norms() {}

    /** Each row divided by max(‖row‖, 1e−12). */
    public static NDArray unitRows(NDArray z) {
        return z.div(Scalars.maximum(z.norm(new int[] {1}, true), 1e-12));
    }
}
