package org.pretext.blocks;

import org.apiguardian.api.API;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import java.util.List;

/**
 * MLP heads on the encoder's features. The projector and predictor MLPs of the joint-embedding methods: {@code Linear → [BatchNorm] →
 * ReLU} for every hidden width, then a final {@code Linear}, optionally followed by a BatchNorm
 * (SimSiam's projector ends with one; Barlow Twins and VICReg standardise in the loss instead).
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.2")
public final class MlpHead {
    private MlpHead() {}

    /**
     * A head with one hidden layer, h = W₂·ReLU(W₁f + b₁) + b₂, or the affine map h = Wf + b when
     * {@code hidden} is 0: the decoder of the denoising and part-prediction objectives, the
     * rotation classifier.
     */
    public static Block create(int hidden, int out) {
        return create(hidden > 0 ? List.of(hidden) : List.of(), out, false, false);
    }

    /**
     * @param hidden hidden widths, possibly none (a single linear map)
     * @param out output width
     * @param batchNorm BatchNorm after every hidden linear layer
     * @param outputBatchNorm BatchNorm after the output layer
     */
    public static Block create(List<Integer> hidden, int out, boolean batchNorm, boolean outputBatchNorm) {
        SequentialBlock b = new SequentialBlock();
        for (int h : hidden) {
            b.add(Linear.builder().setUnits(h).optBias(!batchNorm).build());
            if (batchNorm) {
                b.add(BatchNorm.builder().build());
            }
            b.add(Activation::relu);
        }
        b.add(Linear.builder().setUnits(out).optBias(!outputBatchNorm).build());
        if (outputBatchNorm) {
            b.add(BatchNorm.builder().build());
        }
        return b;
    }
}
