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
import ai.djl.ndarray.index.NDIndex;
import ai.djl.util.PairList;
import org.pretext.encoders.transformer.TransformerStack;
import org.pretext.encoders.vit.SinCosPositions;

/**
 * I-JEPA's predictor (Assran et al. 2023; the authors' {@code VisionTransformerPredictor}): a
 * narrow ViT. The context encoder's K states are projected to the predictor width and get the
 * fixed 2-D sine-cosine embedding of their patches; for each of the M target blocks, T copies of
 * one learned mask token, each with the sine-cosine embedding of the target patch it stands for,
 * are appended to the context tokens; the K + T tokens go through pre-norm transformer blocks and
 * a final LayerNorm, and the T mask tokens' states are projected back to the encoder width. The M
 * blocks are predicted independently (the context is repeated once per block, so mask tokens of
 * different blocks never attend to each other).
 *
 * <p>Inputs: context states (B, K, D_enc), context patch indices (B, K), target patch indices
 * (B, M, T). Output: predicted target states (B, M, T, D_enc).
 */
public final class IJepaPredictor extends AbstractBlock {
    private static final byte VERSION = 1;
    private final int width;
    private final int encoderWidth;
    private final Parameter embedWeight;
    private final Parameter embedBias;
    private final Parameter maskToken;
    private final SinCosPositions positions;
    private final TransformerStack stack;
    private final Parameter projWeight;
    private final Parameter projBias;

    /**
     * @param encoderWidth width of the encoder's states
     * @param rows patch grid rows
     * @param cols patch grid columns
     * @param width predictor width (divisible by heads and by 4)
     * @param depth predictor blocks
     * @param heads attention heads per block
     */
    public IJepaPredictor(int encoderWidth, int rows, int cols, int width, int depth, int heads) {
        super(VERSION);
        this.width = width;
        this.encoderWidth = encoderWidth;
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
        projWeight = addParameter(Parameter.builder().setName("projWeight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(encoderWidth, width)).optInitializer(xavier).build());
        projBias = addParameter(Parameter.builder().setName("projBias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(encoderWidth)).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray context = inputs.get(0);
        NDArray contextIds = inputs.get(1);
        NDArray targetIds = inputs.get(2);
        Device d = context.getDevice();
        long b = context.getShape().get(0);
        long k = context.getShape().get(1);
        long m = targetIds.getShape().get(1);
        long t = targetIds.getShape().get(2);
        NDArray x = Linear.linear(context, store.getValue(embedWeight, d, training),
                store.getValue(embedBias, d, training)).singletonOrThrow();
        x = positions.forward(store, new NDList(x, contextIds), training).singletonOrThrow();
        // (B, K, W) → (B·M, K, W): the context once per target block
        NDArray repeated = x.expandDims(1).broadcast(new Shape(b, m, k, width)).reshape(b * m, k, width);
        NDArray tokens = x.getManager().zeros(new Shape(b * m, t, width)).add(store.getValue(maskToken, d, training));
        tokens = positions.forward(store, new NDList(tokens, targetIds.reshape(b * m, t)), training).singletonOrThrow();
        NDArray h = stack.run(store, repeated.concat(tokens, 1), null, training);
        NDArray predicted = h.get(new NDIndex(":, {}:, :", k));
        return new NDList(Linear.linear(predicted, store.getValue(projWeight, d, training),
                store.getValue(projBias, d, training)).singletonOrThrow().reshape(b, m, t, encoderWidth));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape ids = inputShapes[2];
        return new Shape[] {new Shape(ids.get(0), ids.get(1), ids.get(2), encoderWidth)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape tokens = new Shape(inputShapes[0].get(0), inputShapes[0].get(1) + inputShapes[2].get(2), width);
        positions.initialize(manager, dataType, tokens);
        stack.initialize(manager, dataType, tokens);
    }

    @Override
    public String toString() {
        return "IJepaPredictor(width=" + width + ", " + stack + ")";
    }
}
