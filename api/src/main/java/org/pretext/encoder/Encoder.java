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

    /**
     * Whether the encoder's block also takes examples of {@code shape} (without the batch axis),
     * e.g. the smaller local crops of multi-crop ({@link org.pretext.transform.MultiCrop}): a
     * convolutional network with global pooling takes any image large enough, a vision transformer
     * any image whose sides are multiples of its patch size (its position embeddings interpolated
     * to the smaller grid). By default only {@link #inputShape()} itself, so an encoder of fixed
     * input width (an MLP) refuses smaller views at set-up instead of failing inside its block.
     *
     * @since 0.4
     */
    @API(status = API.Status.EXPERIMENTAL, since = "0.4")
    default boolean acceptsInputShape(Shape shape) {
        return shape.equals(inputShape());
    }
}
