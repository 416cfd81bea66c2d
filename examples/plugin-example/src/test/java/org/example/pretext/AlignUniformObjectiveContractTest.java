package org.example.pretext;

import java.util.Map;
import org.pretext.testkit.ObjectiveContract;
import org.pretext.testkit.ObjectiveFixture;

/**
 * The objective contract of pretext-testkit: on the kit's toy encoder and latent-class vectors,
 * the loss is finite and falls, its gradients agree with finite differences in float64, the same
 * seed gives the same losses, a resumed run continues exactly, a step leaves no arrays behind and
 * bad parameters are refused by name. For an objective that genuinely cannot pass a check, declare
 * it with a reason: {@code .exempt(Check.GRADIENTS, "why")}.
 */
class AlignUniformObjectiveContractTest implements ObjectiveContract {
    @Override
    public ObjectiveFixture fixture() {
        return ObjectiveFixture.of(new AlignUniformObjectiveProvider(), Map.of("t", 2.0, "lambda", 1.0));
    }
}
