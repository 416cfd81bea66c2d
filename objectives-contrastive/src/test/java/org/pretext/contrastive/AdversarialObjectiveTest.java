package org.pretext.contrastive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pretext.data.BatchPlan;
import org.pretext.data.Split;
import org.pretext.datasets.MnistDatasetProvider;
import org.pretext.encoders.MlpEncoderProvider;
import org.pretext.engine.Engines;
import org.pretext.model.PretextModel;
import org.pretext.objective.Objective;
import org.pretext.objective.PreparedBatch;
import org.pretext.objective.StepContext;

/**
 * The adversarial wrapper, step by step on a small SimCLR: the attack stays within ε of the views
 * and inside [0, 1], raises the inner loss, and the loss it trains on is w·L(clean) + (1−w)·L(adv).
 */
class AdversarialObjectiveTest {

    @Test
    void perturbsWithinTheBallRaisesTheInnerLossAndMixesTheCleanOne() {
        Split data = MnistDatasetProvider.open(64, 10).pretrain();
        Shape shape = data.exampleShape();
        Objective objective = TestRuns.objective("adversarial", Map.of("objective", "simclr", "epsilon", 0.05,
                "step-size", 0.02, "steps", 4, "clean-weight", 0.25));
        AdversarialObjective adv = (AdversarialObjective) objective;
        try (PretextModel model = PretextModel.create(() -> MlpEncoderProvider.create(shape, List.of(32), 16, false),
                objective, shape, Device.cpu(), 1)) {
            PreparedBatch batch = objective.prepare(data.batches(BatchPlan.sequential(64)).next(),
                    new SplittableRandom(2));
            try (NDManager step = model.manager().newSubManager()) {
                Map<String, Double> metrics = new HashMap<>();
                StepContext ctx = new StepContext() {
                    public PretextModel model() { return model; }
                    public NDManager manager() { return step; }
                    public long step() { return 0; }
                    public long totalSteps() { return 1; }
                    public void metric(String name, double value) { metrics.put(name, value); }
                };
                Engines.engine().setRandomSeed(4);
                NDList clean = batch.toNDList(step);
                NDList perturbed = objective.perturb(ctx, clean);
                for (int i = 0; i < 2; i++) {
                    float[] x = clean.get(i).toFloatArray();
                    float[] p = perturbed.get(i).toFloatArray();
                    double maxShift = 0;
                    for (int k = 0; k < x.length; k++) {
                        // the ε-ball, then the valid range [0, 1] (augmentation noise can leave a pixel outside)
                        float lo = Math.min(1f, Math.max(0f, x[k] - 0.05f));
                        float hi = Math.max(0f, Math.min(1f, x[k] + 0.05f));
                        assertThat(p[k]).isBetween(lo - 1e-6f, hi + 1e-6f);
                        maxShift = Math.max(maxShift, Math.abs(p[k] - x[k]));
                    }
                    assertThat(maxShift).as("view %d moved", i).isGreaterThan(0.04);
                }
                assertThat(metrics.get("attackLossLast")).isGreaterThan(metrics.get("attackLossFirst"));
                float cleanLoss = adv.inner().loss(ctx, clean).getFloat();
                float advLoss = adv.inner().loss(ctx, perturbed).getFloat();
                assertThat(advLoss).isGreaterThan(cleanLoss);
                float mixed = objective.loss(ctx, perturbed).getFloat();
                assertThat((double) mixed).isCloseTo(0.25 * cleanLoss + 0.75 * advLoss, within(1e-4));
                assertThat(metrics).containsKeys("cleanLoss", "adversarialLoss");
                // a list that was not the attack's result is passed to the inner loss unchanged
                assertThat((double) objective.loss(ctx, clean).getFloat()).isCloseTo(cleanLoss, within(1e-5));
            }
        }
    }
}
