package org.pretext.encoders;

import org.pretext.registry.ProviderBase;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import java.util.List;
import org.pretext.PretextException;
import org.pretext.Versions;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.EncoderProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;

/**
 * {@code cnn-small}: three 3×3 convolution stages (widths w, 2w, 4w; default 32-64-128) with batch
 * norm and ReLU, 2×2 max-pooling after the first two, then global average pooling: features of
 * width 4w for images of shape (C, H, W), and for smaller images of the same channels (multi-crop's
 * local views; at least 4×4).
 */
public final class CnnEncoderProvider extends ProviderBase implements EncoderProvider {
    /** Channels of the first stage; the next stages double it. */
    public static final Param<Integer> WIDTH = Param.ofInt("width", 32,
            "channels of the first convolution stage; the second and third have 2x and 4x").atLeast(1);

    public CnnEncoderProvider() {
        super(Versions.SPI_VERSION, "cnn-small", "Small convolutional network (32-64-128, global average pool) for images (C, H, W)",
                List.of(WIDTH));
    }

    @Override
    public Encoder create(ParamValues params, Shape inputShape) {
        return create(inputShape, params.get(WIDTH));
    }

    /** A small CNN encoder from code. */
    public static Encoder create(Shape inputShape, int width) {
        if (inputShape.dimension() != 3 || inputShape.get(1) < 4 || inputShape.get(2) < 4) {
            throw new PretextException("Encoder 'cnn-small' takes images of shape (channels, height, width) of at "
                    + "least 4x4, but the data has examples of shape " + inputShape
                    + "; use encoder 'mlp' for vectors");
        }
        SequentialBlock b = new SequentialBlock();
        int[] widths = {width, 2 * width, 4 * width};
        for (int i = 0; i < 3; i++) {
            b.add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1))
                    .setFilters(widths[i]).build());
            b.add(BatchNorm.builder().build());
            b.add(Activation.reluBlock());
            if (i < 2) {
                b.add(Pool2d.max(new Shape(2, 2), new Shape(2, 2)));
            }
        }
        b.add(Pool2d.globalAverage());
        return new ConvEncoder(b, inputShape, 4 * width, 4);
    }
}
