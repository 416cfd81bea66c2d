package org.pretext.encoders.transformer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * N {@link PreNormBlock}s and a final LayerNorm over embeddings of shape (B, T, D): the trunk of a
 * GPT, BERT or ViT, whatever the embeddings came from (tokens, image patches, a decoder's mask
 * tokens). Inputs {@code (x)} or {@code (x, bias)}, the additive attention-mask bias shared by all
 * blocks (see {@link AttentionMask}); output the hidden states (B, T, D).
 */
public final class TransformerStack extends AbstractBlock {
    private static final byte VERSION = 1;
    private final int width;
    private final List<PreNormBlock> blocks;
    private final Parameter normGamma;
    private final Parameter normBeta;

    /**
     * @param layers number of blocks
     * @param width model width D
     * @param heads attention heads per block (divides D)
     * @param mlpRatio MLP hidden width as a multiple of D (4 in GPT-2, BERT and ViT)
     * @param dropout dropout rate on attention probabilities and residual branches
     */
    public TransformerStack(int layers, int width, int heads, int mlpRatio, float dropout) {
        this(layers, width, heads, mlpRatio, dropout, true);
    }

    /**
     * @param bias whether linear layers have biases and LayerNorms a trainable shift
     */
    public TransformerStack(int layers, int width, int heads, int mlpRatio, float dropout, boolean bias) {
        super(VERSION);
        if (layers < 1) {
            throw new IllegalArgumentException("a transformer needs at least one layer, got " + layers);
        }
        this.width = width;
        List<PreNormBlock> list = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            list.add(addChildBlock("block" + i, new PreNormBlock(width, heads, mlpRatio, dropout, layers, bias)));
        }
        this.blocks = Collections.unmodifiableList(list);
        normGamma = addParameter(PreNormBlock.gamma("normGamma", width));
        normBeta = addParameter(PreNormBlock.beta("normBeta", width, bias));
    }

    public int width() {
        return width;
    }

    public List<PreNormBlock> blocks() {
        return blocks;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        return new NDList(run(store, inputs.get(0), inputs.size() > 1 ? inputs.get(1) : null, training));
    }

    /** The hidden states (B, T, D) of embeddings x under an optional mask bias. */
    public NDArray run(ParameterStore store, NDArray x, NDArray bias, boolean training) {
        NDArray h = x;
        for (PreNormBlock b : blocks) {
            NDList in = bias == null ? new NDList(h) : new NDList(h, bias);
            h = b.forward(store, in, training).singletonOrThrow();
        }
        Device d = h.getDevice();
        return PreNormBlock.layerNorm(h, store.getValue(normGamma, d, training), store.getValue(normBeta, d, training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (PreNormBlock b : blocks) {
            b.initialize(manager, dataType, inputShapes);
        }
    }

    @Override
    public String toString() {
        return "TransformerStack(layers=" + blocks.size() + ", width=" + width + ")";
    }
}
