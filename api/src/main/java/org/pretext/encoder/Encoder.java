package org.pretext.encoder;

import org.apiguardian.api.API;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;

/**
 * The network whose features a representation is judged by: it maps a batch of examples of
 * {@link #inputShape()} to features of shape (B, {@link #featureSize()}). Objectives put their
 * heads on top of it; probes see its frozen output.
 *
 * <p>Encoders with more to offer implement capability interfaces such as {@link SequenceEncoder};
 * an objective that needs one checks for it and names the encoder when it is missing.
 */
@API(status = API.Status.STABLE, since = "0.1")
public interface Encoder {
    /** The DJL block; uninitialised until the model that owns it initialises it. */
    Block block();

    /** Shape of one input example, without the batch axis. */
    Shape inputShape();

    /** Size of the feature vector per example. */
    int featureSize();
}
