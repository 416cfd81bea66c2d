package org.pretext.contrastive;

import java.util.Map;
import org.pretext.testkit.Check;
import org.pretext.testkit.ObjectiveContract;
import org.pretext.testkit.ObjectiveFixture;

/** The objective contract (pretext-testkit) for {@code swav} on vectors: two global views, a queue of 32 per view used from step 4. */
class SwavContractTest implements ObjectiveContract {
    @Override
    public ObjectiveFixture fixture() {
        return ObjectiveFixture.of(new SwavObjectiveProvider(), Map.of("projection-hidden", 16, "projection-dim", 8,
                "prototypes", 10, "queue-size", 32, "queue-start", 0.25))
                .exempt(Check.GRADIENTS, "SwAV's codes are Sinkhorn-Knopp of the same prototype scores the loss"
                        + " differentiates, taken without gradient by design (the reference code's torch.no_grad), so the"
                        + " loss's derivative in any parameter is not what autograd computes; SwavLossTest checks the"
                        + " loss's gradient at fixed codes against finite differences")
                .withoutInputGradients("the codes are a stop-gradient function of the same views");
    }
}
