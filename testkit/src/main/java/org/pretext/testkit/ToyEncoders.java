package org.pretext.testkit;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import org.pretext.encoder.BlockEncoder;
import org.pretext.encoder.Encoder;

/**
 * Small encoders for contract tests. The default is a two-layer MLP with a smooth activation
 * (tanh), so central finite differences of a loss through it are meaningful: no ReLU kink lies
 * within a step of the difference quotient.
 */
public final class ToyEncoders {
    /** Hidden width of {@link #mlp(Shape)}. */
    public static final int HIDDEN = 32;
    /** Feature width of {@link #mlp(Shape)}. */
    public static final int FEATURES = 16;

    private ToyEncoders() {}

    /** flatten → Linear(32) → tanh → Linear(16), for examples of any shape (vectors, images). */
    public static Encoder mlp(Shape inputShape) {
        return mlp(inputShape, HIDDEN, FEATURES);
    }

    /** flatten → Linear(hidden) → tanh → Linear(features). */
    public static Encoder mlp(Shape inputShape, int hidden, int features) {
        SequentialBlock block = new SequentialBlock()
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(hidden).build())
                .add(Activation::tanh)
                .add(Linear.builder().setUnits(features).build());
        return new BlockEncoder(block, inputShape, features);
    }
}
