package org.pretext.encoders;

import org.pretext.registry.ProviderBase;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import java.util.ArrayList;
import java.util.List;
import org.pretext.PretextException;
import org.pretext.Versions;
import org.pretext.encoder.BlockEncoder;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.EncoderProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;

/**
 * {@code mlp}: flattens the input, then hidden layers with ReLU, then a linear layer to the
 * feature size (the features are pre-activation, as in SimCLR's encoder output).
 */
public final class MlpEncoderProvider extends ProviderBase implements EncoderProvider {
    /** Widths of the hidden layers, comma-separated. */
    public static final Param<String> HIDDEN = Param.ofString("hidden", "512",
            "widths of the hidden layers, comma-separated (e.g. 1024,512)");
    /** Width of the output features. */
    public static final Param<Integer> FEATURES = Param.ofInt("features", 128, "width of the output features")
            .atLeast(1);
    /** Batch normalisation after each hidden layer. */
    public static final Param<Boolean> BATCH_NORM = Param.ofBoolean("batch-norm", false,
            "batch normalisation after each hidden linear layer");

    public MlpEncoderProvider() {
        super(Versions.SPI_VERSION, "mlp", "Multilayer perceptron on the flattened input (any shape)",
                List.of(HIDDEN, FEATURES, BATCH_NORM));
    }

    @Override
    public Encoder create(ParamValues params, Shape inputShape) {
        List<Integer> hidden = parseWidths(params.owner(), params.get(HIDDEN));
        int features = params.get(FEATURES);
        return create(inputShape, hidden, features, params.get(BATCH_NORM));
    }

    /** An MLP encoder from code. */
    public static Encoder create(Shape inputShape, List<Integer> hidden, int features, boolean batchNorm) {
        SequentialBlock b = new SequentialBlock();
        b.add(Blocks.batchFlattenBlock(inputShape.size()));
        for (int h : hidden) {
            b.add(Linear.builder().setUnits(h).build());
            if (batchNorm) {
                b.add(BatchNorm.builder().build());
            }
            b.add(Activation.reluBlock());
        }
        b.add(Linear.builder().setUnits(features).build());
        return new BlockEncoder(b, inputShape, features);
    }

    static List<Integer> parseWidths(String owner, String text) {
        List<Integer> out = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String part : text.split(",")) {
            try {
                int v = Integer.parseInt(part.trim());
                if (v <= 0) {
                    throw new NumberFormatException();
                }
                out.add(v);
            } catch (NumberFormatException e) {
                throw new PretextException("Invalid value '" + text + "' for parameter 'hidden' of " + owner
                        + ": expected positive integers separated by commas, e.g. 1024,512");
            }
        }
        return out;
    }
}
