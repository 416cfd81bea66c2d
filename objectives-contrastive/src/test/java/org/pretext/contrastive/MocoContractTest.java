package org.pretext.contrastive;

import java.util.Map;
import org.pretext.testkit.ObjectiveContract;
import org.pretext.testkit.ObjectiveFixture;

/** The objective contract (pretext-testkit) for {@code moco}. */
class MocoContractTest implements ObjectiveContract {
    @Override
    public ObjectiveFixture fixture() {
        return ObjectiveFixture.of(new MocoObjectiveProvider(), Map.of(
                "queue-size", 32, "momentum", 0.9, "projection-hidden", 16, "projection-dim", 8,
                "vector-noise", 0.1))
                .withSteps(32) // the first loss is low (the queue starts as random keys); it falls after it fills
                .withFloat32Gradients("the key encoder and the queue are float32 state outside the model's parameters,"
                        + " which the loss multiplies with the float64 queries")
                .withoutInputGradients("the second view reaches the loss only through the key encoder, whose"
                        + " output is a stop-gradient");
    }
}
