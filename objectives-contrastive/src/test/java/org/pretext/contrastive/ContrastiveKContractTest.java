package org.pretext.contrastive;

import java.util.Map;
import org.pretext.testkit.ObjectiveContract;
import org.pretext.testkit.ObjectiveFixture;

/** The objective contract (pretext-testkit) for {@code contrastive-k}. */
class ContrastiveKContractTest implements ObjectiveContract {
    @Override
    public ObjectiveFixture fixture() {
        return ObjectiveFixture.of(new ContrastiveKObjectiveProvider(), Map.of(
                "negatives", 4, "projection-hidden", 16, "projection-dim", 8));
    }
}
