package org.pretext.selfpredict;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;
import org.pretext.encoders.transformer.TransformerStack;
import org.pretext.encoders.vit.SinCosPositions;

/**
 * MAE's light decoder (He et al. 2022): the encoder's states of the K visible patches are
 * projected to the decoder width, followed by M copies of a learned mask token, one per masked
 * patch; every token gets the fixed 2-D sine-cosine embedding of the patch it stands for; then
 * pre-norm transformer blocks, a final LayerNorm and a linear map to the p·p·C values of each
 * patch. Self-attention is equivariant to the order of tokens, so the tokens are kept in the order
 * [visible…, masked…] with their positions instead of being un-shuffled to image order.
 *
 * <p>Inputs: encoder states (B, K, D_enc) and the patch indices (B, N) of all tokens in that order
 * (visible first). Output: predicted patch values (B, N, p·p·C) in the same order.
 */
public final class MaeDecoder extends AbstractBlock {
    private static final byte VERSION = 1;
    private final int width;
    private final int patchValues;
    private final Parameter embedWeight;
    private final Parameter embedBias;
    private final Parameter maskToken;
    private final SinCosPositions positions;
    private final TransformerStack stack;
    private final Parameter predWeight;
    private final Parameter predBias;

    /**
     * @param encoderWidth width of the encoder's states
     * @param rows patch grid rows
     * @param cols patch grid columns
     * @param patchValues p·p·C, the values predicted per patch
     * @param width decoder width (divisible by heads and by 4)
     * @param depth decoder blocks
     * @param heads attention heads per block
     */
    public MaeDecoder(int encoderWidth, int rows, int cols, int patchValues, int width, int depth, int heads) {
        super(VERSION);
        this.width = width;
        this.patchValues = patchValues;
        XavierInitializer xavier = new XavierInitializer(XavierInitializer.RandomType.UNIFORM,
                XavierInitializer.FactorType.AVG, 3);
        embedWeight = addParameter(Parameter.builder().setName("embedWeight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(width, encoderWidth)).optInitializer(xavier).build());
        embedBias = addParameter(Parameter.builder().setName("embedBias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(width)).build());
        maskToken = addParameter(Parameter.builder().setName("maskToken").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(1, 1, width)).optInitializer(new NormalInitializer(0.02f)).build());
        positions = addChildBlock("positions", new SinCosPositions(rows, cols, width));
        stack = addChildBlock("stack", new TransformerStack(depth, width, heads, 4, 0f));
        predWeight = addParameter(Parameter.builder().setName("predWeight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(patchValues, width)).optInitializer(xavier).build());
        predBias = addParameter(Parameter.builder().setName("predBias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(patchValues)).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray encoded = inputs.get(0);
        NDArray ids = inputs.get(1);
        Device d = encoded.getDevice();
        long b = encoded.getShape().get(0);
        long k = encoded.getShape().get(1);
        long n = ids.getShape().get(1);
        NDArray visible = Linear.linear(encoded, store.getValue(embedWeight, d, training),
                store.getValue(embedBias, d, training)).singletonOrThrow();
        NDArray masked = visible.getManager().zeros(new Shape(b, n - k, width))
                .add(store.getValue(maskToken, d, training));
        NDArray x = positions.forward(store, new NDList(visible.concat(masked, 1), ids), training).singletonOrThrow();
        NDArray h = stack.run(store, x, null, training);
        return new NDList(Linear.linear(h, store.getValue(predWeight, d, training),
                store.getValue(predBias, d, training)).singletonOrThrow());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[1].get(0), inputShapes[1].get(1), patchValues)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape tokens = new Shape(inputShapes[1].get(0), inputShapes[1].get(1), width);
        positions.initialize(manager, dataType, tokens);
        stack.initialize(manager, dataType, tokens);
    }

    @Override
    public String toString() {
        return "MaeDecoder(width=" + width + ", " + stack + ")";
    }
}
