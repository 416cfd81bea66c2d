package org.pretext.contrastive;

import java.util.Map;
import org.pretext.testkit.ObjectiveContract;
import org.pretext.testkit.ObjectiveFixture;

/** The objective contract (pretext-testkit) for {@code lejepa}. */
class LeJepaContractTest implements ObjectiveContract {
    @Override
    public ObjectiveFixture fixture() {
        return ObjectiveFixture.of(new LeJepaObjectiveProvider(), Map.of(
                "projection-hidden", 16, "projection-dim", 8, "slices", 16));
    }
}
