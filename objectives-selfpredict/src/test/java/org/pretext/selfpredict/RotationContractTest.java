package org.pretext.selfpredict;

import java.util.Map;
import org.pretext.testkit.FixtureData;
import org.pretext.testkit.ObjectiveContract;
import org.pretext.testkit.ObjectiveFixture;

/** The objective contract (pretext-testkit) for {@code rotation}, on the kit's toy MLP. */
class RotationContractTest implements ObjectiveContract {
    @Override
    public ObjectiveFixture fixture() {
        return ObjectiveFixture.of(new RotationObjectiveProvider(), Map.of())
                .withExamples(FixtureData.images());
    }
}
