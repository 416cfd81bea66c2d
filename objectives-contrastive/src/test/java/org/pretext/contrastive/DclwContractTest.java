package org.pretext.contrastive;

import java.util.Map;
import org.pretext.testkit.ObjectiveContract;
import org.pretext.testkit.ObjectiveFixture;

/** The objective contract (pretext-testkit) for {@code dclw}. */
class DclwContractTest implements ObjectiveContract {
    @Override
    public ObjectiveFixture fixture() {
        return ObjectiveFixture.of(new DclwObjectiveProvider(), Map.of("projection-hidden", 16, "projection-dim", 8));
    }
}
