package org.pretext.encoders.transformer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/**
 * A pre-norm transformer block as in GPT-2 and ViT (Radford et al. 2019; Dosovitskiy et al. 2021):
 *
 * <pre>
 *   h = x + dropout(Attention(LayerNorm₁(x), M))
 *   y = h + dropout(W₂·GELU(W₁·LayerNorm₂(h) + b₁) + b₂)
 * </pre>
 *
 * with a {@link MultiHeadSelfAttention} taking the optional additive mask bias M. Inputs:
 * {@code (x)} or {@code (x, bias)} with x of shape (B, T, D); output (B, T, D). The MLP is
 * {@code mlpRatio}·D wide (4 in GPT-2 and ViT). Dropout on both residual branches (training only;
 * no op at rate 0). The projections onto the residual stream start at N(0, 0.02/√(2·layers)).
 * Without biases ({@code bias = false}, nanoGPT's default: "a bit better and faster") the linear
 * layers have no bias and the LayerNorms no trainable shift.
 */
public final class PreNormBlock extends AbstractBlock {
    private static final byte VERSION = 1;
    /** LayerNorm ε, as PyTorch's default. */
    static final float EPS = 1e-5f;
    private final int width;
    private final int hidden;
    private final float dropout;
    private final Parameter ln1Gamma;
    private final Parameter ln1Beta;
    private final MultiHeadSelfAttention attention;
    private final Parameter ln2Gamma;
    private final Parameter ln2Beta;
    private final Parameter fcWeight;
    private final Parameter fcBias;
    private final Parameter projWeight;
    private final Parameter projBias;

    /**
     * @param width model width D
     * @param heads attention heads (divides D)
     * @param mlpRatio hidden width of the MLP as a multiple of D
     * @param dropout rate on attention probabilities and both residual branches
     * @param layers number of blocks in the stack, for the scaled initialisation of residual projections
     */
    public PreNormBlock(int width, int heads, int mlpRatio, float dropout, int layers) {
        this(width, heads, mlpRatio, dropout, layers, true);
    }

    /**
     * @param bias whether linear layers have biases and LayerNorms a trainable shift
     */
    public PreNormBlock(int width, int heads, int mlpRatio, float dropout, int layers, boolean bias) {
        super(VERSION);
        this.width = width;
        this.hidden = mlpRatio * width;
        this.dropout = dropout;
        float residualSigma = (float) (0.02 / Math.sqrt(2.0 * Math.max(1, layers)));
        ln1Gamma = addParameter(gamma("ln1Gamma", width));
        ln1Beta = addParameter(beta("ln1Beta", width, bias));
        attention = addChildBlock("attention", new MultiHeadSelfAttention(width, heads, dropout, residualSigma,
                bias));
        ln2Gamma = addParameter(gamma("ln2Gamma", width));
        ln2Beta = addParameter(beta("ln2Beta", width, bias));
        fcWeight = addParameter(Parameter.builder().setName("fcWeight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(hidden, width)).optInitializer(new NormalInitializer(0.02f)).build());
        fcBias = bias ? addParameter(Parameter.builder().setName("fcBias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(hidden)).build()) : null;
        projWeight = addParameter(Parameter.builder().setName("projWeight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(width, hidden)).optInitializer(new NormalInitializer(residualSigma)).build());
        projBias = bias ? addParameter(Parameter.builder().setName("projBias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(width)).build()) : null;
    }

    static Parameter gamma(String name, int width) {
        return Parameter.builder().setName(name).setType(Parameter.Type.GAMMA).optShape(new Shape(width)).build();
    }

    /** A LayerNorm shift: trainable, or fixed at 0 (no bias) since the engine's LayerNorm takes one. */
    static Parameter beta(String name, int width, boolean trainable) {
        return Parameter.builder().setName(name).setType(Parameter.Type.BETA).optShape(new Shape(width))
                .optRequiresGrad(trainable).build();
    }

    /** LayerNorm over the last axis of width D. */
    static NDArray layerNorm(NDArray x, NDArray gamma, NDArray beta) {
        return LayerNorm.layerNorm(x, new Shape(gamma.getShape().get(0)), gamma, beta, EPS).singletonOrThrow();
    }

    /** Dropout in training at a positive rate; the input itself otherwise. */
    static NDArray dropout(NDArray x, float rate, boolean training) {
        return training && rate > 0 ? x.getNDArrayInternal().dropout(x, rate, true).singletonOrThrow() : x;
    }

    public MultiHeadSelfAttention attention() {
        return attention;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        Device d = x.getDevice();
        NDList attnIn = new NDList(layerNorm(x, store.getValue(ln1Gamma, d, training),
                store.getValue(ln1Beta, d, training)));
        if (inputs.size() > 1) {
            attnIn.add(inputs.get(1));
        }
        NDArray a = attention.forward(store, attnIn, training).singletonOrThrow();
        NDArray h = x.add(dropout(a, dropout, training));
        NDArray n = layerNorm(h, store.getValue(ln2Gamma, d, training), store.getValue(ln2Beta, d, training));
        NDArray m = MultiHeadSelfAttention.linear(n, store.getValue(fcWeight, d, training),
                MultiHeadSelfAttention.value(store, fcBias, d, training)).getNDArrayInternal().gelu();
        NDArray p = MultiHeadSelfAttention.linear(m, store.getValue(projWeight, d, training),
                MultiHeadSelfAttention.value(store, projBias, d, training));
        return new NDList(h.add(dropout(p, dropout, training)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        attention.initialize(manager, dataType, inputShapes);
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        if (in.dimension() != 3 || in.get(2) != width) {
            throw new IllegalArgumentException("transformer block of width " + width + " needs inputs (B, T, "
                    + width + "), got " + in);
        }
    }

    @Override
    public String toString() {
        return "PreNormBlock(width=" + width + ", mlp=" + hidden + ", dropout=" + dropout + ", " + attention + ")";
    }
}
