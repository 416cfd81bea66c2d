package org.pretext.contrastive;

import java.util.Map;
import org.pretext.testkit.ObjectiveContract;
import org.pretext.testkit.ObjectiveFixture;

/** The objective contract (pretext-testkit) for {@code moco-v3}. */
class MocoV3ContractTest implements ObjectiveContract {
    @Override
    public ObjectiveFixture fixture() {
        return ObjectiveFixture.of(new MocoV3ObjectiveProvider(), Map.of(
                "base-momentum", 0.9, "projection-hidden", 16, "projection-dim", 8, "predictor-hidden", 16))
                .withFloat32Gradients("the momentum encoder is float32 state outside the model's parameters")
                .withoutInputGradients("each view also feeds the momentum encoder, whose output is a stop-gradient");
    }
}
