package org.pretext.selfpredict;

import java.util.Map;
import org.pretext.testkit.FixtureData;
import org.pretext.testkit.ObjectiveContract;
import org.pretext.testkit.ObjectiveFixture;

/** The objective contract (pretext-testkit) for {@code part-prediction}, on the kit's toy MLP. */
class PartPredictionContractTest implements ObjectiveContract {
    @Override
    public ObjectiveFixture fixture() {
        return ObjectiveFixture.of(new PartPredictionObjectiveProvider(), Map.of())
                .withExamples(FixtureData.images());
    }
}
