package org.pretext.encoder;

import org.apiguardian.api.API;
import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import java.util.Optional;
import org.pretext.text.Tokenizer;

/**
 * Capability of encoders over token sequences (B, T) of int ids: hidden states per position, so
 * language-modelling objectives can predict at every position and text probes can choose how
 * states become one vector.
 */
@API(status = API.Status.STABLE, since = "0.1")
public interface SequenceEncoder extends Encoder {
    /** Hidden states of shape (B, T, hiddenSize) for token ids of shape (B, T). */
    NDArray hiddenStates(ParameterStore store, NDArray tokens, boolean training);

    /** Width of the hidden states. */
    int hiddenSize();

    /** Size of the token vocabulary the embedding table covers. */
    int vocabularySize();

    /**
     * Whether position t attends to positions at most t only (a causal, GPT-style encoder), which
     * next-token prediction requires. False by default (bidirectional).
     */
    default boolean isCausal() {
        return false;
    }

    /**
     * The tokenizer whose ids this encoder embeds, when it was built for one (see
     * {@link EncoderProvider#createForTokens}); saved with checkpoints so a model is never paired
     * with another vocabulary. Empty by default.
     */
    default Optional<Tokenizer> tokenizer() {
        return Optional.empty();
    }
}
