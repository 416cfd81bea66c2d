package org.pretext.contrastive;

import java.util.Map;
import org.pretext.encoders.vit.VisionTransformer;
import org.pretext.encoders.vit.VitEncoderProvider;
import org.pretext.testkit.FixtureData;
import org.pretext.testkit.ObjectiveContract;
import org.pretext.testkit.ObjectiveFixture;

/**
 * The objective contract for {@code msn}: the kit's 8×8 bar images through a small ViT (2×2
 * patches, a 4×4 grid), a quarter of the anchor's 16 patches dropped, two focal views of 4×4 (a 2×2
 * grid with interpolated positions), 16 prototypes. Every check of the kit runs: gradients against
 * finite differences in float64 for the encoder and the projection head, through the kept patches
 * and the focal views (the prototypes also score the target, without gradient by design, so finite
 * differences in them move the targets too and measure another function: 1.23 against autograd's
 * 1.68 along the gradient; their gradient is checked with the targets held fixed by
 * {@link MsnLossTest} and against lightly by {@link LightlyFixtureTest}), exact
 * resume (the EMA target restored), no arrays left, and one step on 2 and 3 replicas (declared
 * {@code GATHERED}: Sinkhorn-Knopp and the mean-entropy term span the batch), each shard's kept
 * patches through its replica.
 */
class MsnContractTest implements ObjectiveContract {
    @Override
    public ObjectiveFixture fixture() {
        return ObjectiveFixture.of(new MsnObjectiveProvider(), Map.of("projection-hidden", 16, "projection-dim", 8,
                "prototypes", 16, "mask-ratio", 0.25, "base-momentum", 0.9, "local-crops", 2, "local-crop-size", 4,
                "local-crop-min-scale", 0.2))
                .withExamples(FixtureData.images())
                .withEncoder("vit-tiny", shape -> VitEncoderProvider.create(shape, 2, 16, 1, 2, 2, 0f, true,
                        VisionTransformer.Pooling.MEAN))
                .withGradientParameters("the prototypes also score the target view under a stop-gradient",
                        "encoder/", "heads/projection/")
                .withoutInputGradients("the image's target view feeds the EMA target, whose output is a stop-gradient;"
                        + " the anchor's positions are integers");
    }
}
