package org.pretext.encoders;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import org.pretext.encoder.Encoder;

/**
 * A convolutional encoder ending in global average pooling ({@code cnn-small}): it takes images of
 * its channel count at any size its pooling stages can reduce, so it also takes multi-crop's smaller
 * local views.
 *
 * @param block maps (B, C, H, W) to (B, featureSize)
 * @param inputShape the data's example shape (C, H, W)
 * @param featureSize width of the output
 * @param minSide smallest height and width the block takes
 */
public record ConvEncoder(Block block, Shape inputShape, int featureSize, int minSide) implements Encoder {
    /** Images (C, H', W') with the same C and both sides at least {@code minSide}. */
    @Override
    public boolean acceptsInputShape(Shape shape) {
        return shape.dimension() == 3 && shape.get(0) == inputShape.get(0) && shape.get(1) >= minSide
                && shape.get(2) >= minSide;
    }
}
