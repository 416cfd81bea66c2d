package org.pretext.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pretext.data.IndexedSplit;
import org.pretext.runtime.EngineSetup;
import org.pretext.model.PretextModel;
import org.pretext.training.StepMetrics;
import org.pretext.training.TrainingListener;

class MonitorEveryTest {
    @Test
    void monitorsRunEveryNStepsAndAtEpochEndsAndJoinTheMetrics() {
        IndexedSplit data = ToyDenoising.data(1); // 512 examples: 8 steps per epoch at batch 64
        List<Long> measured = new ArrayList<>();
        List<Long> logged = new ArrayList<>();
        try (PretextModel model = PretextModel.create(ToyDenoising.encoder(), new ToyDenoising(), data.exampleShape(),
                EngineSetup.engine().defaultDevice(), 3)) {
            PretrainConfig config = PretrainConfig.builder().batchSize(64).steps(20).logEvery(100).monitorEvery(3)
                    .seed(3).build();
            new Pretrainer(config).addListener(new TrainingListener() {
                @Override
                public void onStep(StepMetrics m) {
                    if (m.extra().containsKey("calls")) {
                        logged.add(m.step());
                    }
                }
            }).addMonitor((m, epoch) -> {
                measured.add(epoch);
                return Map.of("calls", (double) measured.size());
            }).run(model, data, null);
        }
        // every 3 steps (3, 6, 9, 12, 15, 18) and at the ends of epochs (8, 16) and of the run (20)
        assertThat(logged).containsExactly(3L, 6L, 8L, 9L, 12L, 15L, 16L, 18L, 20L);
        assertThat(measured).containsExactly(0L, 0L, 0L, 1L, 1L, 1L, 1L, 2L, 2L);
    }
}
