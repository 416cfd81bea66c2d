package org.example.dino;

import java.util.Map;
import org.pretext.testkit.ObjectiveContract;
import org.pretext.testkit.ObjectiveFixture;

/**
 * The objective contract of pretext-testkit on a small DINO (16 prototypes, the last layer frozen
 * for the first quarter of the run): the loss is finite and falls, its gradients agree with
 * finite differences in float64, the same seed gives the same losses, a resumed run continues
 * exactly (centre and teacher included), a step leaves no arrays behind and bad parameters are
 * refused by name. Input gradients are left out: each view also feeds the teacher, whose output is
 * a stop-gradient, so the loss's derivative in an input is not what autograd computes by design.
 */
class DinoObjectiveContractTest implements ObjectiveContract {
    @Override
    public ObjectiveFixture fixture() {
        return ObjectiveFixture.of(new DinoObjectiveProvider(), Map.of("hidden-dim", 16, "bottleneck-dim", 8,
                "out-dim", 16, "base-momentum", 0.9, "freeze-last-layer", 0.25))
                .withoutInputGradients("each view also feeds the teacher, whose output is a stop-gradient");
    }
}
