package org.pretext.encoders.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/**
 * A transformer over token ids: token embedding E (V, D) and learned position embeddings, dropout,
 * then a {@link TransformerStack} (pre-norm blocks and a final LayerNorm). Input token ids
 * (B, T) (int32 or int64), optionally with an extra additive mask bias; output hidden states
 * (B, T, D).
 *
 * <p>Causal (GPT): every position attends to itself and the past only. Bidirectional (BERT):
 * every position attends to every real token; with a padding id, padded keys are masked. A causal
 * model needs no key-padding mask when padding is on the right, since real positions never look
 * ahead to it. The token embedding E is also the output layer when weights are tied (logits =
 * h·Eᵀ), see {@link #tokenEmbedding}.
 */
public final class TokenTransformer extends AbstractBlock {
    private static final byte VERSION = 1;
    private final int vocabularySize;
    private final int context;
    private final int width;
    private final float dropout;
    private final boolean causal;
    private final int padId;
    private final Parameter tokenEmbedding;
    private final LearnedPositions positions;
    private final TransformerStack stack;

    /**
     * @param vocabularySize V
     * @param context the longest sequence T (rows of the position table)
     * @param layers number of blocks
     * @param heads attention heads (divides width)
     * @param width model width D
     * @param dropout rate on embeddings, attention probabilities and residual branches
     * @param causal whether position t sees positions ≤ t only
     * @param padId the padding token id masked as a key in a bidirectional model, or -1 for none
     */
    public TokenTransformer(int vocabularySize, int context, int layers, int heads, int width, float dropout,
            boolean causal, int padId) {
        this(vocabularySize, context, layers, heads, width, dropout, causal, padId, true);
    }

    /**
     * As above, with or without biases in the linear layers and LayerNorms ({@code bias = false} is
     * nanoGPT's default).
     */
    public TokenTransformer(int vocabularySize, int context, int layers, int heads, int width, float dropout,
            boolean causal, int padId, boolean bias) {
        super(VERSION);
        this.vocabularySize = vocabularySize;
        this.context = context;
        this.width = width;
        this.dropout = dropout;
        this.causal = causal;
        this.padId = padId;
        tokenEmbedding = addParameter(Parameter.builder().setName("tokenEmbedding").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(vocabularySize, width)).optInitializer(new NormalInitializer(0.02f)).build());
        positions = addChildBlock("positions", new LearnedPositions(context, width));
        stack = addChildBlock("stack", new TransformerStack(layers, width, heads, 4, dropout, bias));
    }

    public int vocabularySize() {
        return vocabularySize;
    }

    public int context() {
        return context;
    }

    public int width() {
        return width;
    }

    public boolean causal() {
        return causal;
    }

    public int padId() {
        return padId;
    }

    public TransformerStack stack() {
        return stack;
    }

    /** The (V, D) token embedding as the store gives it: the array itself on its own device. */
    public NDArray tokenEmbedding(ParameterStore store, ai.djl.Device device, boolean training) {
        return store.getValue(tokenEmbedding, device, training);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray tokens = inputs.get(0);
        long t = tokens.getShape().get(1);
        if (t > context) {
            throw new IllegalArgumentException("a sequence of " + t + " tokens is longer than the context of "
                    + context);
        }
        NDManager m = tokens.getManager();
        NDArray e = tokens.getNDArrayInternal()
                .embedding(tokens, tokenEmbedding(store, tokens.getDevice(), training), SparseFormat.DENSE)
                .singletonOrThrow();
        NDArray x = positions.forward(store, new NDList(e), training).singletonOrThrow();
        x = PreNormBlock.dropout(x, dropout, training);
        NDArray bias = null;
        if (causal) {
            bias = AttentionMask.causal(m, (int) t);
        } else if (padId >= 0) {
            bias = AttentionMask.keyPadding(tokens, padId);
        }
        if (inputs.size() > 1) {
            bias = bias == null ? inputs.get(1) : bias.add(inputs.get(1));
        }
        return new NDList(stack.run(store, x, bias, training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), in.get(1), width)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        Shape emb = new Shape(in.get(0), in.get(1), width);
        positions.initialize(manager, dataType, emb);
        stack.initialize(manager, dataType, emb);
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        if (in.dimension() != 2) {
            throw new IllegalArgumentException("a token transformer takes token ids (B, T), got " + in);
        }
    }

    @Override
    public String toString() {
        return "TokenTransformer(vocabulary=" + vocabularySize + ", context=" + context + ", width=" + width
                + ", causal=" + causal + ", " + stack + ")";
    }
}
