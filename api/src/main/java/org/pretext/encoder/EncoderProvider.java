package org.pretext.encoder;

import org.apiguardian.api.API;
import ai.djl.ndarray.types.Shape;
import org.pretext.PretextException;
import org.pretext.param.ParamValues;
import org.pretext.registry.NamedProvider;
import org.pretext.text.Tokenizer;

/** A named kind of encoder, found by {@link java.util.ServiceLoader}. */
@API(status = API.Status.STABLE, since = "0.1")
public interface EncoderProvider extends NamedProvider {
    /**
     * Builds an encoder for examples of the given shape.
     *
     * @param params validated parameters
     * @param inputShape shape of one example the encoder will see
     * @throws org.pretext.PretextException when the shape does not suit this encoder, naming both
     */
    Encoder create(ParamValues params, Shape inputShape);

    /**
     * Builds an encoder of token sequences for a tokenizer's vocabulary: how the vocabulary size
     * (and the tokenizer, saved with checkpoints) reaches an encoder of text. Sequence encoders
     * override this; the sequence length comes from the provider's own parameters and is the
     * encoder's {@link Encoder#inputShape()}.
     *
     * @throws org.pretext.PretextException when this encoder does not take token sequences
     */
    default Encoder createForTokens(ParamValues params, Tokenizer tokenizer) {
        throw new PretextException("Encoder '" + name() + "' does not take token sequences (text from a "
                + tokenizer.describe() + "); use a sequence encoder such as 'transformer'");
    }
}
