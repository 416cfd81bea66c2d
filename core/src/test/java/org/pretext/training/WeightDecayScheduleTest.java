package org.pretext.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.PretextException;
import org.pretext.checkpoint.Provenance;
import org.pretext.data.IndexedSplit;
import org.pretext.model.PretextModel;
import org.pretext.param.ParamException;
import org.pretext.param.ParamValues;
import org.pretext.training.optimizer.AdamW;
import org.pretext.training.optimizer.LearningRateSchedule;
import org.pretext.training.optimizer.Optimizer;
import org.pretext.training.optimizer.Sgd;

/** {@code training.weight-decay-end}: a cosine weight-decay schedule over the run. */
class WeightDecayScheduleTest {
    private static final Provenance PROVENANCE = new Provenance("toy", "1", Map.of(), "linear", Map.of(), "toy",
            Map.of(), 5, Map.of(), null);

    @Test
    void cosineFromStartToEndByHand() {
        // I-JEPA's and DINO's schedule: 0.04 -> 0.4 over 1,000 steps
        LearningRateSchedule s = LearningRateSchedule.cosine(0.04, 0.4, 1000);
        assertThat(s.at(0)).isCloseTo(0.04, within(1e-15));
        // a quarter of the way: 0.4 − 0.36·½(1 + cos(π/4)) = 0.4 − 0.18·1.7071067812 = 0.0927207794
        assertThat(s.at(250)).isCloseTo(0.0927207794, within(1e-10));
        assertThat(s.at(500)).isCloseTo(0.22, within(1e-15)); // half-way: the mean of the two ends
        assertThat(s.at(750)).isCloseTo(0.3472792206, within(1e-10));
        assertThat(s.at(1000)).isCloseTo(0.4, within(1e-15));
        assertThat(s.at(5000)).isCloseTo(0.4, within(1e-15)); // stays at the end after the run
        // falling works the same way
        LearningRateSchedule down = LearningRateSchedule.cosine(1.0, 0.0, 4);
        assertThat(down.at(1)).isCloseTo(0.8535533906, within(1e-10)); // ½(1 + cos(π/4))
        assertThat(down.at(2)).isCloseTo(0.5, within(1e-15));
        // a length below 1 is taken as 1: the end from the first step after the start
        assertThat(LearningRateSchedule.cosine(1.0, 3.0, 0).at(1)).isEqualTo(3.0);
    }

    @Test
    void theWarmupCosineLearningRateIsTheCosineAfterTheWarmup() {
        LearningRateSchedule lr = LearningRateSchedule.warmupCosine(2.0, 10, 110, 0.25);
        LearningRateSchedule tail = LearningRateSchedule.cosine(2.0, 0.5, 100);
        for (long t = 10; t <= 120; t++) {
            assertThat(lr.at(t)).isEqualTo(tail.at(t - 10));
        }
        assertThat(lr.at(60)).isCloseTo(1.25, within(1e-15));
    }

    @Test
    void setWeightDecayChangesTheDecayOfTheNextUpdates() {
        // a zero gradient leaves the decay alone: w ← w·(1 − η·λ)
        try (NDManager manager = NDManager.newBaseManager(); AdamW adam = new AdamW(0.9, 0.999, 1e-8, 0.0);
                Sgd sgd = new Sgd(0.0, true)) {
            Parameter a = weight(manager, "a");
            Parameter b = weight(manager, "b");
            adam.attach(Map.of("a", a), manager);
            sgd.attach(Map.of("b", b), manager);
            for (Optimizer opt : List.<Optimizer>of(adam, sgd)) {
                Parameter p = opt == adam ? a : b;
                zeroGradient(p);
                opt.step(0.1, 1);
                assertThat(p.getArray().toFloatArray()).containsExactly(2f, -4f); // λ = 0: unchanged
                opt.setWeightDecay(0.5);
                zeroGradient(p);
                opt.step(0.1, 1);
                assertThat(p.getArray().toFloatArray()).containsExactly(1.9f, -3.8f); // × (1 − 0.1·0.5)
                opt.setWeightDecay(2.5);
                zeroGradient(p);
                opt.step(0.1, 1);
                assertThat(p.getArray().toFloatArray()[0]).isCloseTo(1.425f, within(1e-6f)); // × 0.75
                assertThatThrownBy(() -> opt.setWeightDecay(-0.1)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("weight decay -0.1: expected a finite number >= 0");
                assertThatThrownBy(() -> opt.setWeightDecay(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
            }
        }
    }

    @Test
    void aScheduledRunFollowsTheScheduleAndResumesAsIfUninterrupted(@TempDir Path dir) {
        PretrainConfig.Builder scheduled = base().weightDecay(0.5).weightDecayEnd(4.0);
        List<Double> decays = new ArrayList<>();
        PretrainResult whole = train(scheduled.build(), decays);
        // each logged step carries its weight decay: λ(t) at the step t = 9, 19, ... that was logged
        LearningRateSchedule expected = LearningRateSchedule.cosine(0.5, 4.0, 120);
        assertThat(decays).hasSize(12);
        assertThat(decays.get(0)).isEqualTo(expected.at(9));
        assertThat(decays.get(5)).isEqualTo(expected.at(59));
        assertThat(decays.get(5)).isCloseTo(2.204190, within(1e-6)); // 4 − 3.5·½(1 + cos(59π/120))
        assertThat(decays.get(11)).isCloseTo(3.999400, within(1e-6)); // 4 − 3.5·½(1 + cos(119π/120))
        // the schedule matters: a constant 0.5 gives other losses after the first updates
        PretrainResult constant = train(base().weightDecay(0.5).build(), new ArrayList<>());
        assertThat(constant.losses()[0]).isEqualTo(whole.losses()[0]);
        assertThat(constant.losses()[119]).isNotEqualTo(whole.losses()[119]);
        // cut at step 50, then resumed in a fresh model: the two halves are the whole run, bit for bit
        IndexedSplit data = ToyDenoising.data(1);
        PretrainResult first;
        PretrainResult second;
        try (PretextModel model = PretextModel.create(ToyDenoising.encoder(), new ToyDenoising(),
                data.exampleShape(), Device.cpu(), 5)) {
            first = new Pretrainer(scheduled.checkpointDir(dir).checkpointEvery(0).stopAt(50).build()).run(model, data,
                    PROVENANCE);
        }
        try (PretextModel model = PretextModel.create(ToyDenoising.encoder(), new ToyDenoising(),
                data.exampleShape(), Device.cpu(), 99)) {
            second = new Pretrainer(scheduled.stopAt(0).resume(true).build()).run(model, data, PROVENANCE);
        }
        assertThat(first.losses()).containsExactly(java.util.Arrays.copyOfRange(whole.losses(), 0, 50));
        assertThat(second.startStep()).isEqualTo(50);
        assertThat(second.losses()).containsExactly(java.util.Arrays.copyOfRange(whole.losses(), 50, 120));
    }

    @Test
    void theSettingIsOffByDefaultAndABadValueIsRefusedByName() {
        ParamValues defaults = ParamValues.defaults("training", TrainingSettings.ALL);
        PretrainConfig off = TrainingSettings.toBuilder(defaults).build();
        assertThat(off.weightDecayScheduled()).isFalse();
        assertThat(off.weightDecayEnd()).isEqualTo(-1.0);
        PretrainConfig on = TrainingSettings.toBuilder(ParamValues.resolve("training", TrainingSettings.ALL,
                Map.of("weight-decay", "0.04", "weight-decay-end", "0.4"))).build();
        assertThat(on.weightDecayScheduled()).isTrue();
        assertThat(on.weightDecayEnd()).isEqualTo(0.4);
        assertThat(TrainingSettings.toBuilder(ParamValues.resolve("training", TrainingSettings.ALL,
                Map.of("weight-decay-end", 0))).build().weightDecayScheduled()).isTrue(); // 0: decay to none
        ParamValues between = ParamValues.resolve("config section 'training'", TrainingSettings.ALL,
                Map.of("weight-decay-end", "-0.5"));
        assertThatThrownBy(() -> TrainingSettings.validate(between)).isInstanceOf(ParamException.class)
                .hasMessage("Invalid value '-0.5' for parameter 'weight-decay-end' of config section 'training':"
                        + " expected a number >= 0 (the weight decay at the last step), or -1 for a constant weight"
                        + " decay");
        assertThatThrownBy(() -> ParamValues.resolve("training", TrainingSettings.ALL,
                Map.of("weight-decay-end", "-2"))).isInstanceOf(ParamException.class)
                .hasMessageContaining("'weight-decay-end'");
        assertThatThrownBy(() -> PretrainConfig.builder().weightDecayEnd(-0.5)).isInstanceOf(PretextException.class)
                .hasMessage("Invalid value -0.5 for training.weight-decay-end: expected a number >= 0, or -1 for a"
                        + " constant weight decay");
    }

    private static PretrainConfig.Builder base() {
        return PretrainConfig.builder().batchSize(64).steps(120).learningRate(0.02).warmupFraction(0.1).seed(5)
                .logEvery(10).prepareThreads(2);
    }

    private static PretrainResult train(PretrainConfig config, List<Double> decays) {
        IndexedSplit data = ToyDenoising.data(1);
        try (PretextModel model = PretextModel.create(ToyDenoising.encoder(), new ToyDenoising(), data.exampleShape(),
                Device.cpu(), 5)) {
            Pretrainer p = new Pretrainer(config);
            p.addListener(new TrainingListener() {
                @Override
                public void onStep(StepMetrics m) {
                    if (m.extra().containsKey("weight-decay")) {
                        decays.add(m.extra().get("weight-decay"));
                    }
                }
            });
            return p.run(model, data, PROVENANCE);
        }
    }

    private static Parameter weight(NDManager manager, String name) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        p.setShape(new Shape(1, 2));
        p.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32);
        p.getArray().set(new float[] {2f, -4f});
        return p;
    }

    private static void zeroGradient(Parameter p) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(p.getArray().mul(0).sum());
        }
    }
}
