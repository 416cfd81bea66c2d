package org.pretext.selfpredict;

import java.util.Map;
import org.pretext.testkit.ObjectiveContract;
import org.pretext.testkit.ObjectiveFixture;

/** The objective contract (pretext-testkit) for {@code denoising}, on the kit's toy MLP. */
class DenoisingContractTest implements ObjectiveContract {
    @Override
    public ObjectiveFixture fixture() {
        return ObjectiveFixture.of(new DenoisingObjectiveProvider(), Map.of());
    }
}
