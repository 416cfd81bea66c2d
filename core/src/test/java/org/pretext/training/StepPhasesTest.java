package org.pretext.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pretext.data.IndexedSplit;
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
}
