package org.pretext.selfpredict;

import java.util.Map;
import org.pretext.encoders.vit.VisionTransformer;
import org.pretext.encoders.vit.VitEncoderProvider;
import org.pretext.testkit.FixtureData;
import org.pretext.testkit.ObjectiveContract;
import org.pretext.testkit.ObjectiveFixture;

/**
 * The objective contract (pretext-testkit) for {@code ijepa}: the kit's 8×8 images, a one-block ViT
 * with 2×2 patches (a 4×4 grid), the paper's block scales, min-keep 1.
 */
class IJepaContractTest implements ObjectiveContract {
    @Override
    public ObjectiveFixture fixture() {
        return ObjectiveFixture.of(new IJepaObjectiveProvider(), Map.of("min-keep", 1, "momentum-start", 0.9,
                        "predictor-width", 16, "predictor-depth", 1, "predictor-heads", 2))
                .withExamples(FixtureData.images())
                .withEncoder("vit-tiny", shape -> VitEncoderProvider.create(shape, 2, 16, 1, 2, 2, 0f, false,
                        VisionTransformer.Pooling.MEAN))
                .withFloat32Gradients("the EMA target encoder is float32 state outside the model's parameters")
                .withoutInputGradients("the image also feeds the EMA target encoder, whose output is a stop-gradient");
    }
}
