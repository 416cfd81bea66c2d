package org.pretext.contrastive;

import java.util.Map;
import org.pretext.testkit.ObjectiveContract;
import org.pretext.testkit.ObjectiveFixture;

/** The objective contract (pretext-testkit) for {@code tico}; exact resume covers the running covariance. */
class TicoContractTest implements ObjectiveContract {
    @Override
    public ObjectiveFixture fixture() {
        return ObjectiveFixture.of(new TicoObjectiveProvider(), Map.of(
                "beta", 0.5, "base-momentum", 0.9, "projection-hidden", 16, "projection-dim", 8))
                // C starts at zero, so the contrast term and the loss rise while C fills (as MoCo's while its queue
                // does): β = 0.5 fills it within a few of the 32 steps
                .withSteps(32)
                .withFloat32Gradients("the momentum network and the running covariance are float32 state outside the"
                        + " model's parameters")
                .withoutInputGradients("the second view reaches the loss only through the momentum network, whose output"
                        + " is a stop-gradient");
    }
}
