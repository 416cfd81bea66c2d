package org.pretext.selfpredict;

import java.util.Map;
import org.pretext.encoders.vit.VisionTransformer;
import org.pretext.encoders.vit.VitEncoderProvider;
import org.pretext.testkit.FixtureData;
import org.pretext.testkit.ObjectiveContract;
import org.pretext.testkit.ObjectiveFixture;

/** The objective contract (pretext-testkit) for {@code simmim}: the kit's 8×8 images, a one-block ViT with 2×2 patches. */
class SimMimContractTest implements ObjectiveContract {
    @Override
    public ObjectiveFixture fixture() {
        return ObjectiveFixture.of(new SimMimObjectiveProvider(), Map.of("mask-ratio", 0.5))
                .withExamples(FixtureData.images())
                .withEncoder("vit-tiny", shape -> VitEncoderProvider.create(shape, 2, 16, 1, 2, 2, 0f, false,
                        VisionTransformer.Pooling.MEAN));
    }
}
