package org.pretext.contrastive;

import java.util.Map;
import org.pretext.testkit.ObjectiveContract;
import org.pretext.testkit.ObjectiveFixture;

/** The objective contract (pretext-testkit) for {@code simsiam}. */
class SimSiamContractTest implements ObjectiveContract {
    @Override
    public ObjectiveFixture fixture() {
        return ObjectiveFixture.of(new SimSiamObjectiveProvider(), Map.of(
                "projection-hidden", 16, "projection-dim", 8, "predictor-hidden", 8,
                "vector-noise", 0.1))
                .withLearningRate(3e-2)
                .withGradientParameters("the stop-gradient on the target branch makes the encoder's and projector's"
                        + " gradient differ from the derivative of the loss by design (Chen and He 2021); the"
                        + " predictor sits on the online branch only", "heads/predictor/")
                .withoutInputGradients("each view feeds the stop-gradient target branch too");
    }
}
