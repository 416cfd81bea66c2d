package org.pretext.selfpredict;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/**
 * BERT's masked-language-model head: a transform of each chosen position's hidden state, then
 * logits over the vocabulary through the encoder's token embedding E (tied weights) plus a bias:
 *
 * <pre>
 *   z = LayerNorm(GELU(W·h + b))·Eᵀ + c
 * </pre>
 *
 * Inputs: hidden states (B, M, D) of the chosen positions and, when tied, the embedding table
 * E (V, D) as the encoder's parameter store gives it (an untied head owns its own E). Output:
 * logits (B, M, V).
 */
public final class MlmHead extends AbstractBlock {
    private static final byte VERSION = 1;
    private static final float EPS = 1e-5f;
    private final int width;
    private final Parameter weight;
    private final Parameter bias;
    private final Parameter gamma;
    private final Parameter beta;
    private final Parameter outputBias;
    private final Parameter outputWeight;

    /**
     * @param width the encoder's hidden width D
     * @param vocabularySize V
     * @param tied whether E is the encoder's token embedding, passed as the second input; otherwise
     *     the head owns its (V, D) output weight and takes one input
     */
    public MlmHead(int width, int vocabularySize, boolean tied) {
        super(VERSION);
        this.width = width;
        weight = addParameter(Parameter.builder().setName("transformWeight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(width, width)).optInitializer(new NormalInitializer(0.02f)).build());
        bias = addParameter(Parameter.builder().setName("transformBias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(width)).build());
        gamma = addParameter(Parameter.builder().setName("normGamma").setType(Parameter.Type.GAMMA)
                .optShape(new Shape(width)).build());
        beta = addParameter(Parameter.builder().setName("normBeta").setType(Parameter.Type.BETA)
                .optShape(new Shape(width)).build());
        outputBias = addParameter(Parameter.builder().setName("outputBias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(vocabularySize)).build());
        outputWeight = tied ? null : addParameter(Parameter.builder().setName("outputWeight")
                .setType(Parameter.Type.WEIGHT).optShape(new Shape(vocabularySize, width))
                .optInitializer(new NormalInitializer(0.02f)).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray h = inputs.get(0);
        Device d = h.getDevice();
        NDArray embeddings = outputWeight == null ? inputs.get(1) : store.getValue(outputWeight, d, training);
        NDArray t = Linear.linear(h, store.getValue(weight, d, training), store.getValue(bias, d, training))
                .singletonOrThrow().getNDArrayInternal().gelu();
        t = LayerNorm.layerNorm(t, new Shape(width), store.getValue(gamma, d, training),
                store.getValue(beta, d, training), EPS).singletonOrThrow();
        return new NDList(Linear.linear(t, embeddings, store.getValue(outputBias, d, training)).singletonOrThrow());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long v = outputBias.getShape() != null ? outputBias.getShape().get(0) : inputShapes[1].get(0);
        return new Shape[] {new Shape(inputShapes[0].get(0), inputShapes[0].get(1), v)};
    }

    @Override
    public String toString() {
        return "MlmHead(width=" + width + ")";
    }
}
