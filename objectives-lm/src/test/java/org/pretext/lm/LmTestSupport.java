package org.pretext.lm;

import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.pretext.model.PretextModel;
import org.pretext.objective.StepContext;

/** A step context outside the training loop, for calling an objective's loss in tests. */
record LmTestSupport(PretextModel model, NDManager manager) implements StepContext {
    @Override
    public long step() {
        return 0;
    }

    @Override
    public long totalSteps() {
        return 1;
    }

    @Override
    public void metric(String name, double value) {}

    static Map<String, Double> none() {
        return Map.of();
    }
}
