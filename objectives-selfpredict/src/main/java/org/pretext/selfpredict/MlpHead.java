package org.pretext.selfpredict;

import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;

/**
 * A head on the encoder's features: h = W₂·ReLU(W₁f) with one hidden layer, or the affine map
 * h = Wf + b when the hidden width is 0. The decoder of the denoising and part-prediction
 * objectives and the rotation classifier.
 */
public final class MlpHead {
    private MlpHead() {}

    /** The head block: hidden width (0 for none) then output width. */
    public static Block create(int hidden, int out) {
        SequentialBlock b = new SequentialBlock();
        if (hidden > 0) {
            b.add(Linear.builder().setUnits(hidden).build());
            b.add(Activation::relu);
        }
        b.add(Linear.builder().setUnits(out).build());
        return b;
    }
}
