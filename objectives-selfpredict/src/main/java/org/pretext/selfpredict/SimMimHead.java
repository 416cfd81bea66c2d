package org.pretext.selfpredict;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;

/**
 * SimMIM's trainable parts outside the encoder (Xie et al. 2022): the learned mask token (D values,
 * initialised from N(0, 0.02²) as in the reference), which the encoder puts in place of masked
 * patches' embeddings, and the one-layer prediction head, a linear map from each token's final
 * state to its patch's p·p·C pixel values (the reference's 1×1 convolution followed by a pixel
 * shuffle). Forward: states (B, N, D) → predicted pixels (B, N, p·p·C).
 */
public final class SimMimHead extends AbstractBlock {
    private static final byte VERSION = 1;
    private final int patchValues;
    private final Parameter maskToken;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * @param width D, the encoder's token width
     * @param patchValues p·p·C
     */
    public SimMimHead(int width, int patchValues) {
        super(VERSION);
        this.patchValues = patchValues;
        maskToken = addParameter(Parameter.builder().setName("maskToken").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(1, 1, width)).optInitializer(new NormalInitializer(0.02f)).build());
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(patchValues, width)).optInitializer(new XavierInitializer(
                        XavierInitializer.RandomType.UNIFORM, XavierInitializer.FactorType.AVG, 3)).build());
        bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(patchValues)).build());
    }

    /** The mask token (1, 1, D) as the store gives it for this device. */
    NDArray maskToken(ParameterStore store, Device device, boolean training) {
        return store.getValue(maskToken, device, training);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray h = inputs.get(0);
        Device d = h.getDevice();
        return Linear.linear(h, store.getValue(weight, d, training), store.getValue(bias, d, training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {new Shape(s.get(0), s.get(1), patchValues)};
    }
}
