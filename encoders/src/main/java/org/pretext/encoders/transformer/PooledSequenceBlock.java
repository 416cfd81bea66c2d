package org.pretext.encoders.transformer;

import org.pretext.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A {@link TokenTransformer} whose output is pooled to one vector per sequence, so the transformer
 * is an ordinary {@link org.pretext.encoder.Encoder} (B, T) → (B, D) for generic feature extraction:
 * the hidden state of the last real token (right padding with the pad id allowed), or the mean over
 * real tokens. Text probes choose richer feature maps through {@code FeatureMapProvider}s.
 */
public final class PooledSequenceBlock extends AbstractBlock {
    private static final byte VERSION = 1;

    /** How hidden states become one vector. */
    public enum Pooling {
        /** The hidden state of the last real (non-padding) token. */
        LAST,
        /** The mean of the hidden states of the real tokens. */
        MEAN
    }

    private final TokenTransformer transformer;
    private final Pooling pooling;

    public PooledSequenceBlock(TokenTransformer transformer, Pooling pooling) {
        super(VERSION);
        this.transformer = addChildBlock("transformer", transformer);
        this.pooling = pooling;
    }

    public TokenTransformer transformer() {
        return transformer;
    }

    public Pooling pooling() {
        return pooling;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray tokens = inputs.get(0);
        NDArray h = transformer.forward(store, new NDList(tokens), training).singletonOrThrow();
        return new NDList(pool(h, tokens, transformer.padId(), pooling));
    }

    /**
     * Pools hidden states (B, T, D) of right-padded tokens (B, T) into (B, D).
     *
     * @param padId the padding id, or -1 when every token is real
     */
    public static NDArray pool(NDArray h, NDArray tokens, int padId, Pooling pooling) {
        long t = h.getShape().get(1);
        if (padId < 0) {
            return pooling == Pooling.LAST ? h.get(new NDIndex(":, -1, :")) : h.mean(new int[] {1});
        }
        NDArray keep = tokens.neq(padId).toType(DataType.FLOAT32, false); // (B, T)
        NDArray weights;
        if (pooling == Pooling.MEAN) {
            weights = keep.div(Scalars.maximum(keep.sum(new int[] {1}, true), 1));
        } else {
            // 1 at the last real position: keep[t] − keep[t+1] with keep[T] = 0
            NDManager m = tokens.getManager();
            NDArray next = keep.get(new NDIndex(":, 1:")).concat(m.zeros(new Shape(keep.getShape().get(0), 1)), 1);
            weights = t == 1 ? keep : keep.sub(next);
        }
        return weights.expandDims(1).matMul(h).squeeze(1);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), transformer.width())};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        transformer.initialize(manager, dataType, inputShapes);
    }

    @Override
    public String toString() {
        return "PooledSequenceBlock(" + pooling + ", " + transformer + ")";
    }
}
