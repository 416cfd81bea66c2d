package org.pretext.contrastive;

import java.util.Map;
import org.pretext.testkit.ObjectiveContract;
import org.pretext.testkit.ObjectiveFixture;

/** The objective contract (pretext-testkit) for {@code adversarial(simclr)}. */
class AdversarialSimClrContractTest implements ObjectiveContract {
    @Override
    public ObjectiveFixture fixture() {
        return ObjectiveFixture.of(new AdversarialObjectiveProvider(), Map.of(
                "objective", "simclr", "objective-params", "projection-hidden=16,projection-dim=8", "steps", 2))
                .withFloat32Gradients("AdversarialObjective reads its clean and adversarial loss terms with"
                        + " NDArray.getFloat() for its metrics, which refuses a float64 loss");
    }
}
