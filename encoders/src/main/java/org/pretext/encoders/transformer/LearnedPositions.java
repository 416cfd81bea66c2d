package org.pretext.encoders.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/**
 * Learned absolute position embeddings (GPT-2, BERT, ViT): a table P of shape (maxLength, D),
 * initialised N(0, 0.02), added to embeddings x of shape (B, T, D).
 *
 * <p>Inputs {@code (x)}: adds P[0..T). Inputs {@code (x, positions)} with int positions (B, T) or
 * (T): adds P[positions], e.g. the positions of the visible patches of a masked autoencoder.
 * Position rows are looked up with an embedding op on indices made in the input's manager, so no
 * array derived from the table outlives the step.
 */
public final class LearnedPositions extends AbstractBlock {
    private static final byte VERSION = 1;
    private final int maxLength;
    private final int width;
    private final Parameter table;

    public LearnedPositions(int maxLength, int width) {
        super(VERSION);
        this.maxLength = maxLength;
        this.width = width;
        table = addParameter(Parameter.builder().setName("positionEmbedding").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(maxLength, width)).optInitializer(new NormalInitializer(0.02f)).build());
    }

    public int maxLength() {
        return maxLength;
    }

    /** The (maxLength, D) table as the store gives it (no copy on its own device). */
    public NDArray table(ParameterStore store, ai.djl.Device device, boolean training) {
        return store.getValue(table, device, training);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray p = table(store, x.getDevice(), training);
        long t = x.getShape().get(1);
        if (inputs.size() > 1) {
            NDArray positions = inputs.get(1);
            return new NDList(x.add(positions.getNDArrayInternal()
                    .embedding(positions, p, ai.djl.ndarray.types.SparseFormat.DENSE).singletonOrThrow()));
        }
        if (t > maxLength) {
            throw new IllegalArgumentException("sequence of " + t + " positions is longer than the " + maxLength
                    + " the position table holds");
        }
        if (t == maxLength) {
            return new NDList(x.add(p));
        }
        NDArray idx = x.getManager().arange(0, (int) t, 1, DataType.INT32);
        return new NDList(x.add(idx.getNDArrayInternal().embedding(idx, p, ai.djl.ndarray.types.SparseFormat.DENSE)
                .singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    public String toString() {
        return "LearnedPositions(" + maxLength + ", " + width + ")";
    }
}
