package org.pretext.encoders.transformer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.Optional;
import org.pretext.PretextException;
import org.pretext.encoder.SequenceEncoder;
import org.pretext.encoder.TokenEmbeddings;
import org.pretext.text.Tokenizer;

/**
 * A transformer encoder over token ids of length {@code context}: a {@link TokenTransformer}
 * (causal for GPT-style language models, bidirectional for BERT-style ones) whose {@link #block()}
 * pools the hidden states into (B, D) features, and whose token embedding is the tied output layer.
 */
public final class TransformerEncoder implements SequenceEncoder, TokenEmbeddings {
    private final TokenTransformer transformer;
    private final PooledSequenceBlock block;
    private final Tokenizer tokenizer;

    public TransformerEncoder(TokenTransformer transformer, PooledSequenceBlock.Pooling pooling) {
        this(transformer, pooling, null);
    }

    /**
     * @param tokenizer the tokenizer whose ids the encoder embeds (its vocabulary size must match), or null
     */
    public TransformerEncoder(TokenTransformer transformer, PooledSequenceBlock.Pooling pooling, Tokenizer tokenizer) {
        if (tokenizer != null && tokenizer.vocabularySize() != transformer.vocabularySize()) {
            throw new PretextException("The transformer embeds " + transformer.vocabularySize() + " token ids but the "
                    + tokenizer.describe() + " has " + tokenizer.vocabularySize());
        }
        this.transformer = transformer;
        this.block = new PooledSequenceBlock(transformer, pooling);
        this.tokenizer = tokenizer;
    }

    /**
     * A transformer encoder for a tokenizer's vocabulary (its pad id is the padding), from code.
     *
     * @param causal GPT-style (last-token pooling) or bidirectional BERT-style (mean pooling)
     */
    public static TransformerEncoder create(Tokenizer tokenizer, int context, int layers, int heads, int width,
            float dropout, boolean causal) {
        return create(tokenizer, context, layers, heads, width, dropout, causal, true);
    }

    /** As above, with or without biases ({@code bias = false}: nanoGPT's default). */
    public static TransformerEncoder create(Tokenizer tokenizer, int context, int layers, int heads, int width,
            float dropout, boolean causal, boolean bias) {
        TokenTransformer t = new TokenTransformer(tokenizer.vocabularySize(), context, layers, heads, width, dropout,
                causal, tokenizer.padId(), bias);
        return new TransformerEncoder(t, causal ? PooledSequenceBlock.Pooling.LAST : PooledSequenceBlock.Pooling.MEAN,
                tokenizer);
    }

    /**
     * A transformer encoder from code.
     *
     * @param vocabularySize V
     * @param context sequence length T (position table rows)
     * @param layers blocks
     * @param heads attention heads (divides width)
     * @param width model width D
     * @param dropout dropout rate
     * @param causal GPT-style causal attention (pooling the last token) or bidirectional (mean pooling)
     * @param padId padding id (masked as a key when bidirectional, skipped when pooling), -1 for none
     */
    public static TransformerEncoder create(int vocabularySize, int context, int layers, int heads, int width,
            float dropout, boolean causal, int padId) {
        TokenTransformer t = new TokenTransformer(vocabularySize, context, layers, heads, width, dropout, causal,
                padId);
        return new TransformerEncoder(t, causal ? PooledSequenceBlock.Pooling.LAST : PooledSequenceBlock.Pooling.MEAN);
    }

    public TokenTransformer transformer() {
        return transformer;
    }

    @Override
    public Block block() {
        return block;
    }

    @Override
    public Shape inputShape() {
        return new Shape(transformer.context());
    }

    @Override
    public int featureSize() {
        return transformer.width();
    }

    @Override
    public NDArray hiddenStates(ParameterStore store, NDArray tokens, boolean training) {
        return transformer.forward(store, new NDList(tokens), training).singletonOrThrow();
    }

    @Override
    public int hiddenSize() {
        return transformer.width();
    }

    @Override
    public int vocabularySize() {
        return transformer.vocabularySize();
    }

    @Override
    public boolean isCausal() {
        return transformer.causal();
    }

    @Override
    public Optional<Tokenizer> tokenizer() {
        return Optional.ofNullable(tokenizer);
    }

    @Override
    public NDArray tokenEmbeddings(ParameterStore store, Device device, boolean training) {
        return transformer.tokenEmbedding(store, device, training);
    }

    @Override
    public String toString() {
        return "TransformerEncoder(" + transformer + ")";
    }
}
