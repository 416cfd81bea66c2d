package org.pretext.encoder;

import ai.djl.ndarray.types.Shape;
import org.pretext.param.ParamValues;
import org.pretext.registry.NamedProvider;

/** A named kind of encoder, found by {@link java.util.ServiceLoader}. */
public interface EncoderProvider extends NamedProvider {
    /**
     * Builds an encoder for examples of the given shape.
     *
     * @param params validated parameters
     * @param inputShape shape of one example the encoder will see
     * @throws org.pretext.PretextException when the shape does not suit this encoder, naming both
     */
    Encoder create(ParamValues params, Shape inputShape);
}
