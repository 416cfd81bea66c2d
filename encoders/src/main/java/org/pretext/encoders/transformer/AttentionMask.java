package org.pretext.encoders.transformer;

import org.pretext.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Attention masks as additive biases on the attention scores, broadcast to (B, heads, T_query,
 * T_key): 0 where a query may attend to a key, {@link #BLOCKED} where it may not. A bias is added
 * to the scores before the softmax, so a blocked key gets weight ~exp(-1e9) = 0. Biases combine
 * by addition (causal + key padding). {@code -1e9} rather than −∞ keeps a fully blocked row finite.
 *
 * <p>NDArray has no {@code tril}: the causal bias is built once per length as a Java array and
 * copied into the caller's manager (one op, freed with that manager).
 */
public final class AttentionMask {
    /** The bias of a blocked query-key pair. */
    public static final float BLOCKED = -1e9f;
    private static final ConcurrentHashMap<Integer, float[]> CAUSAL = new ConcurrentHashMap<>();

    private AttentionMask() {}

    /**
     * The causal bias of shape (1, 1, T, T): query t may attend to keys 0..t only.
     *
     * @param manager where the bias is created (use the step's or the input's manager)
     */
    public static NDArray causal(NDManager manager, int length) {
        float[] values = CAUSAL.computeIfAbsent(length, AttentionMask::causalValues);
        return manager.create(values, new Shape(1, 1, length, length));
    }

    /** The causal bias values, row-major (T, T). */
    static float[] causalValues(int length) {
        float[] v = new float[length * length];
        for (int q = 0; q < length; q++) {
            for (int k = q + 1; k < length; k++) {
                v[q * length + k] = BLOCKED;
            }
        }
        return v;
    }

    /**
     * The key-padding bias of shape (B, 1, 1, T) from a (B, T) mask of 1 (a real key) and 0 (a
     * padded key), of any numeric type.
     */
    public static NDArray keyPadding(NDArray keep) {
        Shape s = keep.getShape();
        return Scalars.mul(keep.toType(DataType.FLOAT32, false).sub(1f), -BLOCKED).reshape(s.get(0), 1, 1, s.get(1));
    }

    /**
     * The key-padding bias (B, 1, 1, T) of token ids (B, T) whose padding is {@code padId}.
     */
    public static NDArray keyPadding(NDArray tokens, int padId) {
        return keyPadding(tokens.neq(padId));
    }

    /** The key-padding bias of sequences with the given true lengths, padded on the right to {@code length}. */
    public static NDArray keyPadding(NDManager manager, int[] lengths, int length) {
        float[] v = new float[lengths.length * length];
        for (int b = 0; b < lengths.length; b++) {
            for (int t = lengths[b]; t < length; t++) {
                v[b * length + t] = BLOCKED;
            }
        }
        return manager.create(v, new Shape(lengths.length, 1, 1, length));
    }
}
