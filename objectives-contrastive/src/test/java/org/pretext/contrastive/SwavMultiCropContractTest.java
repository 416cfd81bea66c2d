package org.pretext.contrastive;

import java.util.Map;
import org.pretext.encoders.vit.VisionTransformer;
import org.pretext.encoders.vit.VitEncoderProvider;
import org.pretext.testkit.FixtureData;
import org.pretext.testkit.Check;
import org.pretext.testkit.ObjectiveContract;
import org.pretext.testkit.ObjectiveFixture;

/** The objective contract for {@code swav} with multi-crop: 8×8 images, three 4×4 local views, a small ViT. */
class SwavMultiCropContractTest implements ObjectiveContract {
    @Override
    public ObjectiveFixture fixture() {
        return ObjectiveFixture.of(new SwavObjectiveProvider(), Map.of("projection-hidden", 16, "projection-dim", 8,
                "prototypes", 10, "local-crops", 3, "local-crop-size", 4, "local-crop-min-scale", 0.2))
                .withExamples(FixtureData.images())
                .withEncoder("vit-tiny", shape -> VitEncoderProvider.create(shape, 2, 16, 1, 2, 2, 0f, true,
                        VisionTransformer.Pooling.MEAN))
                .exempt(Check.GRADIENTS, "SwAV's codes are Sinkhorn-Knopp of the same prototype scores the loss"
                        + " differentiates, taken without gradient by design (the reference code's torch.no_grad), so the"
                        + " loss's derivative in any parameter is not what autograd computes; SwavLossTest checks the"
                        + " loss's gradient at fixed codes against finite differences")
                .withoutInputGradients("the codes are a stop-gradient function of the global views");
    }
}
