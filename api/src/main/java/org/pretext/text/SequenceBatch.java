package org.pretext.text;

import org.apiguardian.api.API;
import org.pretext.engine.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * One batch of right-padded token rows with the encoder's hidden states, as a {@link FeatureMap}
 * sees it.
 *
 * @param tokens token ids (B, T), int32, padded on the right
 * @param hidden hidden states (B, T, D) in inference mode
 * @param lengths real tokens per row (1..T)
 */
@API(status = API.Status.STABLE, since = "0.1")
public record SequenceBatch(NDArray tokens, NDArray hidden, int[] lengths) {
    /** The batch's manager, freed after the batch. */
    public NDManager manager() {
        return hidden.getManager();
    }

    /** Pooling weights (B, T): 1 at each row's last real token. */
    public NDArray lastTokenWeights() {
        int t = (int) tokens.getShape().get(1);
        float[] w = new float[lengths.length * t];
        for (int b = 0; b < lengths.length; b++) {
            w[b * t + lengths[b] - 1] = 1f;
        }
        return HostArrays.floats(manager(), w, new Shape(lengths.length, t));
    }

    /** Pooling weights (B, T): 1/length on each row's real tokens. */
    public NDArray meanWeights() {
        int t = (int) tokens.getShape().get(1);
        float[] w = new float[lengths.length * t];
        for (int b = 0; b < lengths.length; b++) {
            for (int i = 0; i < lengths[b]; i++) {
                w[b * t + i] = 1f / lengths[b];
            }
        }
        return HostArrays.floats(manager(), w, new Shape(lengths.length, t));
    }

    /** Hidden states pooled with weights (B, T): Σ_t w_bt h_bt, shape (B, D), one batched matMul. */
    public NDArray pool(NDArray weights) {
        return weights.expandDims(1).matMul(hidden).squeeze(1);
    }
}
