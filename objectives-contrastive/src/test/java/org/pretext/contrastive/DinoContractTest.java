package org.pretext.contrastive;

import java.util.Map;
import org.pretext.testkit.ObjectiveContract;
import org.pretext.testkit.ObjectiveFixture;

/**
 * The objective contract (pretext-testkit) for {@code dino} on the kit's vectors and toy MLP: two
 * global views, no local ones (16 prototypes, the last layer frozen for the first quarter of the
 * run). Input gradients are left out: each view also feeds the teacher, whose output is a
 * stop-gradient, so the loss's derivative in an input is not what autograd computes by design.
 */
class DinoContractTest implements ObjectiveContract {
    @Override
    public ObjectiveFixture fixture() {
        return ObjectiveFixture.of(new DinoObjectiveProvider(), Map.of("hidden-dim", 16, "bottleneck-dim", 8,
                "out-dim", 16, "base-momentum", 0.9, "freeze-last-layer", 0.25))
                .withoutInputGradients("each view also feeds the teacher, whose output is a stop-gradient");
    }
}
