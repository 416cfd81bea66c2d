package org.pretext.encoders.transformer;

import org.pretext.engine.Scalars;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/**
 * Multi-head scaled dot-product self-attention (Vaswani et al. 2017) over (B, T, D) inputs:
 *
 * <pre>
 *   [Q K V] = x·W_qkvᵀ + b_qkv,   split into H heads of width D/H,
 *   A_h = softmax(Q_h K_hᵀ / √(D/H) + M),   y = concat_h(dropout(A_h) V_h)·W_oᵀ + b_o
 * </pre>
 *
 * where M is an optional additive mask bias broadcastable to (B, H, T, T) (see
 * {@link AttentionMask}: causal, key padding, or their sum). Inputs: {@code (x)} or
 * {@code (x, bias)}. Built from few, large engine ops: one fused QKV projection, one reshape and
 * permutation to (3, B, H, T, D/H), one split, one batched matMul for the scores and one for the
 * weighted values, then the output projection. Attention-probability dropout is applied in
 * training only, and skipped entirely when its rate is 0.
 *
 * <p>Initialisation as GPT-2: weights N(0, 0.02), the output projection N(0, outputSigma) (GPT-2
 * uses 0.02/√(2·layers) for projections onto the residual stream), biases 0. Without biases
 * ({@code bias = false}, as nanoGPT's default) the projections are purely linear.
 */
public final class MultiHeadSelfAttention extends AbstractBlock {
    private static final byte VERSION = 1;
    private final int width;
    private final int heads;
    private final float attentionDropout;
    private final Parameter qkvWeight;
    private final Parameter qkvBias;
    private final Parameter outWeight;
    private final Parameter outBias;

    /**
     * @param width model width D, divisible by {@code heads}
     * @param heads number of heads H
     * @param attentionDropout dropout rate on the attention probabilities
     * @param outputSigma standard deviation of the output projection's initial weights
     */
    public MultiHeadSelfAttention(int width, int heads, float attentionDropout, float outputSigma) {
        this(width, heads, attentionDropout, outputSigma, true);
    }

    /**
     * @param bias whether the QKV and output projections have biases
     */
    public MultiHeadSelfAttention(int width, int heads, float attentionDropout, float outputSigma, boolean bias) {
        super(VERSION);
        if (width <= 0 || heads <= 0 || width % heads != 0) {
            throw new IllegalArgumentException("width " + width + " must be a positive multiple of heads " + heads);
        }
        this.width = width;
        this.heads = heads;
        this.attentionDropout = attentionDropout;
        qkvWeight = addParameter(Parameter.builder().setName("qkvWeight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(3L * width, width)).optInitializer(new NormalInitializer(0.02f)).build());
        qkvBias = bias ? addParameter(Parameter.builder().setName("qkvBias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(3L * width)).build()) : null;
        outWeight = addParameter(Parameter.builder().setName("outWeight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(width, width)).optInitializer(new NormalInitializer(outputSigma)).build());
        outBias = bias ? addParameter(Parameter.builder().setName("outBias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(width)).build()) : null;
    }

    public int width() {
        return width;
    }

    public int heads() {
        return heads;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray bias = inputs.size() > 1 ? inputs.get(1) : null;
        Device d = x.getDevice();
        return new NDList(attend(x, bias, store.getValue(qkvWeight, d, training), value(store, qkvBias, d, training),
                store.getValue(outWeight, d, training), value(store, outBias, d, training), heads,
                training ? attentionDropout : 0f));
    }

    /** A parameter's value, or null for an absent (bias-free) parameter. */
    static NDArray value(ParameterStore store, Parameter p, Device d, boolean training) {
        return p == null ? null : store.getValue(p, d, training);
    }

    /**
     * The attention as a pure function of its weights (for tests and for callers holding weights).
     *
     * @param x (B, T, D)
     * @param bias additive mask bias broadcastable to (B, H, T, T), or null
     * @param qkvBias the QKV projection's bias, or null for none
     * @param outBias the output projection's bias, or null for none
     */
    public static NDArray attend(NDArray x, NDArray bias, NDArray qkvWeight, NDArray qkvBias, NDArray outWeight,
            NDArray outBias, int heads, float dropout) {
        Shape s = x.getShape();
        long b = s.get(0);
        long t = s.get(1);
        long dModel = s.get(2);
        long dHead = dModel / heads;
        NDArray qkv = linear(x, qkvWeight, qkvBias)
                .reshape(b, t, 3, heads, dHead).transpose(2, 0, 3, 1, 4); // (3, B, H, T, dh)
        NDList parts = qkv.split(3, 0); // each (1, B, H, T, dh)
        NDArray q = Scalars.mul(parts.get(0), 1.0 / Math.sqrt(dHead));
        NDArray scores = q.matMul(parts.get(1).transpose(0, 1, 2, 4, 3)); // (1, B, H, T, T)
        if (bias != null) {
            scores = scores.add(bias);
        }
        NDArray probs = Scalars.float32(scores).softmax(-1); // bfloat16 scores under mixed precision: softmax in float32
        if (dropout > 0) {
            probs = probs.getNDArrayInternal().dropout(probs, dropout, true).singletonOrThrow();
        }
        NDArray y = probs.matMul(parts.get(2)) // (1, B, H, T, dh)
                .transpose(0, 1, 3, 2, 4).reshape(b, t, dModel);
        return linear(y, outWeight, outBias);
    }

    /** x·Wᵀ (+ b when b is not null), one engine op. */
    static NDArray linear(NDArray x, NDArray w, NDArray b) {
        return (b == null ? Linear.linear(x, w) : Linear.linear(x, w, b)).singletonOrThrow();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        if (in.dimension() != 3 || in.get(2) != width) {
            throw new IllegalArgumentException("attention of width " + width + " needs inputs (B, T, " + width
                    + "), got " + in);
        }
    }

    @Override
    public String toString() {
        return "MultiHeadSelfAttention(width=" + width + ", heads=" + heads + ", dropout=" + attentionDropout + ")";
    }
}
