package org.pretext.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.PretextException;
import org.pretext.checkpoint.CheckpointStore;
import org.pretext.checkpoint.Provenance;
import org.pretext.data.IndexedSplit;
import org.pretext.model.PretextModel;
import org.pretext.training.listener.MetricsJsonlListener;
import org.pretext.training.StepMetrics;
import org.pretext.training.TrainingListener;

class PretrainerTest {
    private static final Provenance PROVENANCE = new Provenance("toy", "1", Map.of(), "linear", Map.of(), "toy",
            Map.of(), 5, Map.of(), null);

    private static PretrainResult train(PretrainConfig config, long seed) {
        IndexedSplit data = ToyDenoising.data(1);
        try (PretextModel model = PretextModel.create(ToyDenoising.encoder(), new ToyDenoising(), data.exampleShape(),
                Device.cpu(), seed)) {
            return new Pretrainer(config).run(model, data, PROVENANCE);
        }
    }

    private static PretrainConfig.Builder base() {
        return PretrainConfig.builder().batchSize(64).steps(120).learningRate(0.02).warmupFraction(0.1).seed(5)
                .logEvery(10).prepareThreads(2);
    }

    @Test
    void lowersTheLoss() {
        PretrainResult r = train(base().build(), 5);
        float first = r.losses()[0];
        assertThat(r.steps()).isEqualTo(120);
        assertThat(r.finalLoss()).isLessThan(first * 0.3);
    }

    @Test
    void sameSeedGivesTheSameLossesAndAnotherSeedDoesNot() {
        PretrainResult a = train(base().build(), 5);
        PretrainResult b = train(base().build(), 5);
        PretrainResult c = train(base().seed(6).build(), 6);
        assertThat(b.losses()).containsExactly(a.losses());
        assertThat(c.losses()[0]).isNotEqualTo(a.losses()[0]);
    }

    @Test
    void resumedRunMatchesAnUninterruptedOne(@TempDir Path dir) throws IOException {
        PretrainResult whole = train(base().build(), 5);
        // a run with a checkpoint every 35 steps that crashes at step 80
        PretrainConfig firstPart = base().checkpointDir(dir).checkpointEvery(35).build();
        IndexedSplit data = ToyDenoising.data(1);
        try (PretextModel model = PretextModel.create(ToyDenoising.encoder(), new ToyDenoising(),
                data.exampleShape(), Device.cpu(), 5)) {
            Pretrainer p = new Pretrainer(firstPart);
            p.addListener(new TrainingListener() {
                @Override
                public void onStep(StepMetrics m) {
                    if (m.step() == 80) {
                        throw new IllegalStateException("simulated crash");
                    }
                }
            });
            assertThatThrownBy(() -> p.run(model, data, PROVENANCE)).hasMessage("simulated crash");
        }
        assertThat(new CheckpointStore(dir, 2).files()).extracting(CheckpointStore::stepOf).containsExactly(35L, 70L);
        // damage the newest checkpoint: resume must fall back to step 35
        Path newest = dir.resolve("step-00000070.ckpt");
        byte[] bytes = Files.readAllBytes(newest);
        Files.write(newest, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        PretrainResult resumed;
        try (PretextModel model = PretextModel.create(ToyDenoising.encoder(), new ToyDenoising(),
                data.exampleShape(), Device.cpu(), 99)) {
            resumed = new Pretrainer(base().checkpointDir(dir).resume(true).build()).run(model, data, PROVENANCE);
        }
        assertThat(resumed.startStep()).isEqualTo(35);
        assertThat(resumed.losses()).containsExactly(java.util.Arrays.copyOfRange(whole.losses(), 35, 120));
        assertThat(resumed.finalLoss()).isEqualTo(whole.finalLoss());
    }

    @Test
    void aRunCutWithStopAtCheckpointsThereAndResumesAsIfUninterrupted(@TempDir Path dir) {
        PretrainResult whole = train(base().build(), 5);
        IndexedSplit data = ToyDenoising.data(1);
        PretrainResult first;
        PretrainResult second;
        try (PretextModel model = PretextModel.create(ToyDenoising.encoder(), new ToyDenoising(),
                data.exampleShape(), Device.cpu(), 5)) {
            first = new Pretrainer(base().checkpointDir(dir).checkpointEvery(0).stopAt(50).build()).run(model, data,
                    PROVENANCE);
        }
        assertThat(first.steps()).isEqualTo(50);
        assertThat(new CheckpointStore(dir, 2).files()).extracting(CheckpointStore::stepOf).containsExactly(50L);
        try (PretextModel model = PretextModel.create(ToyDenoising.encoder(), new ToyDenoising(),
                data.exampleShape(), Device.cpu(), 99)) {
            second = new Pretrainer(base().checkpointDir(dir).resume(true).build()).run(model, data, PROVENANCE);
        }
        // the cut run took the whole run's learning-rate schedule, so the two halves are the whole run
        assertThat(first.losses()).containsExactly(java.util.Arrays.copyOfRange(whole.losses(), 0, 50));
        assertThat(second.losses()).containsExactly(java.util.Arrays.copyOfRange(whole.losses(), 50, 120));
    }

    @Test
    void resumeRefusesACheckpointOfAnotherObjective(@TempDir Path dir) {
        train(base().steps(20).checkpointDir(dir).build(), 5);
        IndexedSplit data = ToyDenoising.data(1);
        Provenance other = new Provenance("byol", "1", Map.of(), "linear", Map.of(), "toy", Map.of(), 5, Map.of(),
                null);
        try (PretextModel model = PretextModel.create(ToyDenoising.encoder(), new ToyDenoising(),
                data.exampleShape(), Device.cpu(), 5)) {
            assertThatThrownBy(() -> new Pretrainer(base().checkpointDir(dir).resume(true).build())
                    .run(model, data, other))
                    .hasMessageContaining("was written by objective 'toy'")
                    .hasMessageContaining("this run uses objective 'byol'");
        }
    }

    @Test
    void explodingLearningRateStopsWithTheStepAndTheLastCheckpoint(@TempDir Path dir) {
        PretrainConfig config = base().learningRate(1e6).warmupFraction(0).finalLearningRateFraction(1)
                .steps(500).checkpointDir(dir).checkpointEvery(1).build();
        assertThatThrownBy(() -> train(config, 5))
                .isInstanceOf(NonFiniteLossException.class)
                .hasMessageMatching("(?s)The loss became (NaN|infinite) at step \\d+ \\(learning rate 1\\.00e\\+06.*")
                .hasMessageContaining("the last good checkpoint is kept at " + dir.resolve("step-"));
        assertThat(new CheckpointStore(dir, 2).files()).isNotEmpty();
    }

    @Test
    void batchLargerThanTheDataIsRefused() {
        assertThatThrownBy(() -> train(base().batchSize(1000).build(), 5))
                .isInstanceOf(PretextException.class)
                .hasMessageContaining("Batch size 1000 is larger than the pretraining data (512 examples)");
    }

    @Test
    void metricsAreWrittenAsJsonLinesWithObjectiveTerms(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        IndexedSplit data = ToyDenoising.data(1);
        List<StepMetrics> seen = new ArrayList<>();
        try (PretextModel model = PretextModel.create(ToyDenoising.encoder(), new ToyDenoising(0.25),
                data.exampleShape(), Device.cpu(), 5)) {
            new Pretrainer(base().steps(30).build()).addListener(new MetricsJsonlListener(file))
                    .addListener(new TrainingListener() {
                        @Override
                        public void onStep(StepMetrics m) {
                            seen.add(m);
                        }
                    })
                    .addMonitor((m, epoch) -> Map.of("epochMarker", (double) epoch))
                    .run(model, data, PROVENANCE);
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(seen.size());
        assertThat(lines.get(0)).startsWith("{\"step\":8,").contains("\"toyTerm\":0.25").contains("\"epochMarker\":0.0");
        assertThat(seen.get(seen.size() - 1).step()).isEqualTo(30);
    }
}
