package org.pretext.contrastive;

import java.util.Map;
import org.pretext.testkit.ObjectiveContract;
import org.pretext.testkit.ObjectiveFixture;

/** The objective contract (pretext-testkit) for {@code nnclr}. */
class NnclrContractTest implements ObjectiveContract {
    @Override
    public ObjectiveFixture fixture() {
        return ObjectiveFixture.of(new NnclrObjectiveProvider(), Map.of(
                "queue-size", 32, "projection-hidden", 16, "projection-dim", 8, "predictor-hidden", 16,
                "vector-noise", 0.1))
                .withSteps(32) // the support set starts as random vectors; the loss falls once it holds projections
                .withFloat32Gradients("the support set is float32 state outside the model's parameters")
                .withoutInputGradients("the nearest neighbour is piecewise constant in the input: a step of h along the"
                        + " input's gradient changes which support vector is nearest and the loss jumps");
    }
}
