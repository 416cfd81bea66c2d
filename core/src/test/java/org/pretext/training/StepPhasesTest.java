package org.pretext.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import java.util.Arrays;
import java.util.Map;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pretext.data.Batch;
import org.pretext.data.IndexedSplit;
import org.pretext.objective.PreparedBatch;
import org.pretext.objective.ForwardingObjective;
import org.pretext.model.PretextModel;
import org.pretext.training.StepPhases.Phase;

class StepPhasesTest {
    @Test
    void aLapIsChargedToItsPhaseOnly() throws InterruptedException {
        StepPhases phases = new StepPhases();
        phases.start();
        Thread.sleep(30);
        phases.lap(Phase.BACKWARD);
        phases.lap(Phase.UPDATE); // nothing happened since the previous lap
        Map<String, Double> s = phases.seconds();
        assertThat(s.keySet()).containsExactly(Arrays.stream(Phase.values()).map(Phase::key).toArray(String[]::new));
        assertThat(s.get("backward")).isGreaterThanOrEqualTo(0.03).isLessThan(1.0);
        assertThat(s.get("update")).isLessThan(0.005);
        assertThat(s.get("forward")).isZero();
    }

    @Test
    void aRunsPhasesAddUpToItsTimeAndTheStepsWorkIsInForwardBackwardAndUpdate() {
        IndexedSplit data = ToyDenoising.data(1);
        PretrainResult r;
        try (PretextModel model = PretextModel.create(ToyDenoising.encoder(), new ToyDenoising(), data.exampleShape(),
                Device.cpu(), 3)) {
            r = new Pretrainer(PretrainConfig.builder().batchSize(64).steps(60).seed(3).logEvery(10).build())
                    .run(model, data, null);
        }
        Map<String, Double> s = r.phaseSeconds();
        double sum = s.values().stream().mapToDouble(Double::doubleValue).sum();
        // the laps cover the loop; the run's clock also counts starting and closing the batch pipeline
        assertThat(sum).isCloseTo(r.seconds(), within(0.1 * r.seconds() + 0.05));
        assertThat(s.values()).allSatisfy(v -> assertThat(v).isGreaterThanOrEqualTo(0));
        assertThat(s.get("forward")).isPositive();
        assertThat(s.get("backward")).isPositive();
        assertThat(s.get("update")).isPositive();
        assertThat(s.get("monitor")).isZero(); // no monitors added
    }

    @Test
    void aStepThatWaitsForItsBatchesIsReportedWithItsShare() {
        IndexedSplit data = ToyDenoising.data(1);
        PretrainResult r;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream before = System.err;
        // preparing a batch takes 15 ms on the one preparation thread; the toy step takes about 1
        ForwardingObjective slow = new ForwardingObjective(new ToyDenoising()) {
            @Override
            public PreparedBatch prepare(Batch batch, SplittableRandom random) {
                try {
                    Thread.sleep(15);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.prepare(batch, random);
            }
        };
        try (PretextModel model = PretextModel.create(ToyDenoising.encoder(), slow, data.exampleShape(),
                Device.cpu(), 3)) {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            r = new Pretrainer(PretrainConfig.builder().batchSize(64).steps(40).seed(3).logEvery(10).build())
                    .run(model, data, null);
        } finally {
            System.setErr(before);
        }
        double share = StepPhases.dataWaitShare(r.phaseSeconds());
        // waiting for the worker, or preparing on the step's thread a batch the worker had not started: the two
        // prepare side by side, so at least 40 × 15 ms / 2, less what prefetch hid (measured: 0.28 s)
        assertThat(r.phaseSeconds().get("data") + r.phaseSeconds().get("prepare")).isGreaterThan(0.2);
        assertThat(r.phaseSeconds().get("prepare")).as("the step prepared batches itself").isGreaterThan(0.1);
        assertThat(share).isGreaterThan(0.5);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(String.format(java.util.Locale.ROOT,
                "warning: the step waited for (or prepared) its next batch %.0f %% of the time: 1 preparation"
                + " thread (training.prepare-threads) did not keep up", 100 * share));
    }

    @Test
    void theDescriptionShowsTheDataWaitAndEveryPhaseAboveOnePercent() {
        Map<String, Double> s = new LinkedHashMap<>();
        s.put("data", 0.05);
        s.put("transfer", 0.05);
        s.put("forward", 4.0);
        s.put("backward", 5.0);
        s.put("update", 0.9);
        s.put("other", 0.0);
        assertThat(StepPhases.describe(s)).isEqualTo("waiting for data 0.1 s (1 %), forward 4.0 s (40 %),"
                + " backward 5.0 s (50 %), update 0.9 s (9 %)");
        assertThat(StepPhases.dataWaitShare(s)).isCloseTo(0.005, within(1e-12));
        assertThat(StepPhases.dataWaitShare(Map.of())).isZero();
    }

    @Test
    void preparingOnTheStepsThreadCountsAsGettingTheBatch() {
        Map<String, Double> s = new LinkedHashMap<>();
        s.put("data", 0.2);
        s.put("prepare", 0.9);
        s.put("forward", 4.0);
        s.put("backward", 4.9);
        assertThat(StepPhases.describe(s)).isEqualTo("waiting for data 0.2 s (2 %), preparing batches 0.9 s (9 %),"
                + " forward 4.0 s (40 %), backward 4.9 s (49 %)");
        assertThat(StepPhases.dataWaitShare(s)).isCloseTo(0.11, within(1e-12));
        assertThat(StepPhases.waitedForData(s)).isTrue();
        StepPhases phases = new StepPhases();
        phases.start();
        phases.lap(Phase.DATA);
        double waited = phases.seconds().get("data");
        phases.move(Phase.DATA, Phase.PREPARE, 5_000_000_000L); // no more than the data wait had
        assertThat(phases.seconds().get("prepare")).isEqualTo(waited);
        assertThat(phases.seconds().get("data")).isZero();
    }
}
