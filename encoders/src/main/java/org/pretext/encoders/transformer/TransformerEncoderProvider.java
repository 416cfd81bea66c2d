package org.pretext.encoders.transformer;

import org.pretext.registry.ProviderBase;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.pretext.PretextException;
import org.pretext.Versions;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.EncoderProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;
import org.pretext.text.Tokenizer;

/**
 * {@code transformer}: a GPT-style causal (or BERT-style bidirectional) transformer over token ids:
 * token and learned position embeddings, pre-norm blocks (LayerNorm, multi-head self-attention,
 * LayerNorm, GELU MLP 4× wide), final LayerNorm, the output layer tied to the token embedding.
 * Defaults are nanoGPT's small CPU configuration for Tiny Shakespeare. Built for a text dataset's
 * tokenizer through {@link #createForTokens}, which sets the vocabulary.
 */
public final class TransformerEncoderProvider extends ProviderBase implements EncoderProvider {
    /** Blocks. */
    public static final Param<Integer> LAYERS = Param.ofInt("layers", 4, "number of transformer blocks").atLeast(1);
    /** Heads. */
    public static final Param<Integer> HEADS = Param.ofInt("heads", 4, "attention heads per block (divides width)")
            .atLeast(1);
    /** Width. */
    public static final Param<Integer> WIDTH = Param.ofInt("width", 128, "model width (embedding size)").atLeast(1);
    /** Context. */
    public static final Param<Integer> CONTEXT = Param.ofInt("context", 64,
            "sequence length in tokens (rows of the position table)").atLeast(1);
    /** Dropout. */
    public static final Param<Double> DROPOUT = Param.ofDouble("dropout", 0.0,
            "dropout rate on embeddings, attention probabilities and residual branches").atLeast(0).below(1);
    /** Causal. */
    public static final Param<Boolean> CAUSAL = Param.ofBoolean("causal", true,
            "causal attention (GPT, for next-token prediction); false for bidirectional (BERT, masked tokens)");
    /** Biases. */
    public static final Param<Boolean> BIAS = Param.ofBoolean("bias", true,
            "biases in linear layers and LayerNorm shifts (GPT-2, BERT, ViT: true; nanoGPT's default: false)");
    /** Vocabulary. */
    public static final Param<Integer> VOCABULARY = Param.ofInt("vocabulary", 0,
            "token ids the embedding covers; 0 takes it from the text dataset's tokenizer").atLeast(0);

    public TransformerEncoderProvider() {
        super(Versions.SPI_VERSION, "transformer", "Transformer over token ids (pre-norm, learned positions, tied output embedding), causal by default",
                List.of(LAYERS, HEADS, WIDTH, CONTEXT, DROPOUT, CAUSAL, BIAS, VOCABULARY));
    }

    @Override
    public Encoder create(ParamValues params, Shape inputShape) {
        int vocabulary = params.get(VOCABULARY);
        if (vocabulary == 0) {
            throw new PretextException("Encoder 'transformer' needs the vocabulary size: use a text dataset (its"
                    + " tokenizer sets it) or give the parameter 'vocabulary'");
        }
        check(params);
        int context = params.get(CONTEXT);
        if (inputShape.dimension() != 1 || inputShape.get(0) != context) {
            throw new PretextException("Encoder 'transformer' with context " + context + " takes token ids of shape ("
                    + context + "), but the data gives examples of shape " + inputShape);
        }
        boolean causal = params.get(CAUSAL);
        TokenTransformer t = new TokenTransformer(vocabulary, context, params.get(LAYERS), params.get(HEADS),
                params.get(WIDTH), params.get(DROPOUT).floatValue(), causal, -1, params.get(BIAS));
        return new TransformerEncoder(t, causal ? PooledSequenceBlock.Pooling.LAST : PooledSequenceBlock.Pooling.MEAN);
    }

    @Override
    public Encoder createForTokens(ParamValues params, Tokenizer tokenizer) {
        int vocabulary = params.get(VOCABULARY);
        if (vocabulary != 0 && vocabulary != tokenizer.vocabularySize()) {
            throw new PretextException("Encoder 'transformer' was given vocabulary " + vocabulary + " but the "
                    + tokenizer.describe() + " has " + tokenizer.vocabularySize() + " ids: leave 'vocabulary' at 0");
        }
        check(params);
        return TransformerEncoder.create(tokenizer, params.get(CONTEXT), params.get(LAYERS), params.get(HEADS),
                params.get(WIDTH), params.get(DROPOUT).floatValue(), params.get(CAUSAL), params.get(BIAS));
    }

    private static void check(ParamValues params) {
        params.require(params.get(WIDTH) % params.get(HEADS) == 0, "width",
                "a multiple of heads (" + params.get(HEADS) + ")");
    }
}
