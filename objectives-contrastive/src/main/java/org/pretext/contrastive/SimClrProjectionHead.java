package org.pretext.contrastive;

import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;

/** SimCLR's projection head g(h) = W₂·ReLU(W₁h), or a single linear map when hidden is 0. */
public final class SimClrProjectionHead {
    private SimClrProjectionHead() {}

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
