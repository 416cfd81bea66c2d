package org.pretext.contrastive;

import java.util.Map;
import org.pretext.testkit.ObjectiveContract;
import org.pretext.testkit.ObjectiveFixture;

/** The objective contract (pretext-testkit) for {@code mmcr}, with three views per example. */
class MmcrContractTest implements ObjectiveContract {
    @Override
    public ObjectiveFixture fixture() {
        return ObjectiveFixture.of(new MmcrObjectiveProvider(), Map.of(
                "projection-hidden", 16, "projection-dim", 8, "views", 3, "lambda", 0.005));
    }
}
