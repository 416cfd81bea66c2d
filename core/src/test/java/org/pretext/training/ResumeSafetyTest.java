package org.pretext.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.CheckpointException;
import org.pretext.checkpoint.CheckpointFile;
import org.pretext.checkpoint.CheckpointStore;
import org.pretext.DamagedCheckpointException;
import org.pretext.checkpoint.HostileZip;
import org.pretext.checkpoint.HostileZip.Content;
import org.pretext.checkpoint.Provenance;
import org.pretext.data.IndexedSplit;
import org.pretext.model.PretextModel;

/**
 * Resuming tells the truth: a hostile or damaged newest checkpoint gives way to the previous one
 * and is moved aside, no checkpoint at all that verifies stops the resume, and the final loss of a
 * resumed run is the uninterrupted run's.
 */
class ResumeSafetyTest {
    private static final Provenance PROVENANCE = new Provenance("toy", "1", Map.of(), "linear", Map.of(), "toy",
            Map.of(), 5, Map.of(), null);
    private static final IndexedSplit DATA = ToyDenoising.data(1);

    private static PretrainConfig.Builder base() {
        return PretrainConfig.builder().batchSize(64).steps(120).learningRate(0.02).warmupFraction(0.1).seed(5)
                .logEvery(10).prepareThreads(2);
    }

    private static PretrainResult train(PretrainConfig config) {
        try (PretextModel model = PretextModel.create(ToyDenoising.encoder(), new ToyDenoising(), DATA.exampleShape(),
                Device.cpu(), 5)) {
            return new Pretrainer(config).run(model, DATA, PROVENANCE);
        }
    }

    /** Trains with checkpoints until a simulated crash after {@code crashAt} steps. */
    private static void crashAt(PretrainConfig config, long crashAt) {
        try (PretextModel model = PretextModel.create(ToyDenoising.encoder(), new ToyDenoising(), DATA.exampleShape(),
                Device.cpu(), 5)) {
            Pretrainer p = new Pretrainer(config).addListener(new TrainingListener() {
                @Override
                public void onStep(StepMetrics m) {
                    if (m.step() == crashAt) {
                        throw new IllegalStateException("simulated crash");
                    }
                }
            });
            assertThatThrownBy(() -> p.run(model, DATA, PROVENANCE)).hasMessage("simulated crash");
        }
    }

    private static PretrainResult resume(Path dir) {
        try (PretextModel model = PretextModel.create(ToyDenoising.encoder(), new ToyDenoising(), DATA.exampleShape(),
                Device.cpu(), 99)) {
            return new Pretrainer(base().checkpointDir(dir).keepCheckpoints(3).checkpointEvery(35).resume(true)
                    .build()).run(model, DATA, PROVENANCE);
        }
    }

    @Test
    void zipBombsInTheNewestCheckpointsGiveWayToThePreviousOneAndAreMovedAside(@TempDir Path dir) throws IOException {
        PretrainResult whole = train(base().build());
        crashAt(base().checkpointDir(dir).checkpointEvery(35).keepCheckpoints(3).build(), 110);
        Path s70 = dir.resolve("step-00000070.ckpt");
        Path s105 = dir.resolve("step-00000105.ckpt");
        // step 70: objective.bin inflates to 64 MiB where its meta.json declares 0 bytes
        Map<String, Content> e = HostileZip.entries(s70);
        e.put("objective.bin", Content.zeros(64L << 20));
        HostileZip.write(s70, e);
        // step 105: meta.json declares three entries of 1.5 GiB (the zeros behind them are never inflated)
        e = HostileZip.entries(s105);
        Map<String, Long> sizes = new LinkedHashMap<>();
        Map<String, Content> hostile = new LinkedHashMap<>();
        hostile.put(CheckpointFile.META, null);
        for (Map.Entry<String, Content> en : e.entrySet()) {
            if (!en.getKey().equals(CheckpointFile.META)) {
                sizes.put(en.getKey(), (long) en.getValue().bytes().length);
                hostile.put(en.getKey(), en.getValue());
            }
        }
        for (String n : new String[] {"a.bin", "b.bin", "c.bin"}) {
            sizes.put(n, 3L << 29);
            hostile.put(n, Content.zeros(1 << 20));
        }
        hostile.put(CheckpointFile.META, HostileZip.declaring(e.get(CheckpointFile.META), sizes));
        HostileZip.write(s105, hostile);
        assertThat(Files.size(s70) + Files.size(s105)).isLessThan(1 << 20);

        PretrainResult resumed = resume(dir);
        assertThat(resumed.startStep()).isEqualTo(35);
        assertThat(resumed.losses()).containsExactly(java.util.Arrays.copyOfRange(whole.losses(), 35, 120));
        assertThat(resumed.finalLoss()).isEqualTo(whole.finalLoss());
        // moved aside, never counted again: the three kept are the newest valid ones
        assertThat(dir.resolve("damaged/step-00000070.ckpt")).exists();
        assertThat(dir.resolve("damaged/step-00000105.ckpt")).exists();
        assertThat(new CheckpointStore(dir, 3).files()).extracting(CheckpointStore::stepOf)
                .containsExactly(70L, 105L, 120L);
    }

    @Test
    void theMessagesNameTheBombsAndATruncatedOlderCheckpoint(@TempDir Path dir) throws IOException {
        crashAt(base().checkpointDir(dir).checkpointEvery(35).keepCheckpoints(3).build(), 110);
        Path s70 = dir.resolve("step-00000070.ckpt");
        Path s105 = dir.resolve("step-00000105.ckpt");
        Map<String, Content> e = HostileZip.entries(s105);
        e.put("objective.bin", Content.zeros(64L << 20));
        HostileZip.write(s105, e);
        // step 70 as an older Pretext wrote it (no sizes declared), parameters.bin cut short, checksums valid
        e = HostileZip.entries(s70);
        e.put(CheckpointFile.META, HostileZip.undeclared(e.get(CheckpointFile.META)));
        byte[] params = e.get("parameters.bin").bytes();
        e.put("parameters.bin", Content.of(java.util.Arrays.copyOf(params, params.length - 10)));
        HostileZip.write(s70, e);
        try (PretextModel model = PretextModel.create(ToyDenoising.encoder(), new ToyDenoising(), DATA.exampleShape(),
                Device.cpu(), 5)) {
            CheckpointStore store = new CheckpointStore(dir, 3);
            assertThat(store.restoreModel(model, PROVENANCE)).contains(35L);
            assertThat(store.skipped()).containsExactly(
                    "Checkpoint " + s105 + " is damaged: entry 'objective.bin' holds more than the 0 bytes its"
                            + " meta.json declares (reading stopped after 1: a ZIP bomb or a corrupt file)",
                    s70 + ": the parameter data ends inside the values of parameter 'heads/decoder/bias' (shape"
                            + " (8)); the model's parameters take " + (params.length) + " bytes (the file is"
                            + " truncated)");
        }
    }

    @Test
    void resumeWithEveryCheckpointDamagedStopsNamingThemAndChangesNothing(@TempDir Path dir) throws IOException {
        crashAt(base().checkpointDir(dir).checkpointEvery(35).build(), 80);
        Path s35 = dir.resolve("step-00000035.ckpt");
        Path s70 = dir.resolve("step-00000070.ckpt");
        for (Path f : new Path[] {s35, s70}) {
            byte[] b = Files.readAllBytes(f);
            Files.write(f, java.util.Arrays.copyOf(b, b.length / 2));
        }
        assertThatThrownBy(() -> resume(dir)).isInstanceOf(CheckpointException.class)
                .isNotInstanceOf(DamagedCheckpointException.class)
                .hasMessageStartingWith("Cannot resume from " + dir + ": every checkpoint there is damaged (Checkpoint "
                        + s70 + " is damaged or not a Pretext checkpoint")
                .hasMessageContaining("; Checkpoint " + s35 + " is damaged or not a Pretext checkpoint")
                .hasMessageEndingWith("They are left as they are. Starting again from step 0 is not a resume: start a"
                        + " new run (the command line's --force does it in the same folder, deleting them)");
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("step-00000035.ckpt",
                    "step-00000070.ckpt");
        }
    }

    @Test
    void theFinalLossOfAResumedRunIsTheUninterruptedRunsEvenWhenItsWindowSpansTheResume(@TempDir Path dir) {
        PretrainResult whole = train(base().build());
        crashAt(base().checkpointDir(dir).checkpointEvery(20).build(), 110);
        PretrainResult resumed;
        try (PretextModel model = PretextModel.create(ToyDenoising.encoder(), new ToyDenoising(), DATA.exampleShape(),
                Device.cpu(), 99)) {
            resumed = new Pretrainer(base().checkpointDir(dir).checkpointEvery(20).resume(true).build())
                    .run(model, DATA, PROVENANCE);
        }
        assertThat(resumed.startStep()).isEqualTo(100); // 20 steps run; the final loss is over the last 50
        assertThat(resumed.finalLoss()).isEqualTo(whole.finalLoss());
        // a run killed after its last checkpoint (e.g. while probing) and resumed runs no step at all
        PretrainResult again;
        try (PretextModel model = PretextModel.create(ToyDenoising.encoder(), new ToyDenoising(), DATA.exampleShape(),
                Device.cpu(), 99)) {
            again = new Pretrainer(base().checkpointDir(dir).checkpointEvery(20).resume(true).build())
                    .run(model, DATA, PROVENANCE);
        }
        assertThat(again.startStep()).isEqualTo(120);
        assertThat(again.losses()).isEmpty();
        assertThat(again.finalLoss()).isEqualTo(whole.finalLoss());
    }

    @Test
    void aCheckpointOfAnOlderPretextStillResumesExactly(@TempDir Path dir) throws IOException {
        PretrainResult whole = train(base().build());
        crashAt(base().checkpointDir(dir).checkpointEvery(35).build(), 40);
        Path s35 = dir.resolve("step-00000035.ckpt");
        Map<String, Content> e = HostileZip.entries(s35); // as written before sizes, shapes and losses were kept
        e.put(CheckpointFile.META, HostileZip.undeclared(e.get(CheckpointFile.META)));
        e.remove("losses.bin");
        HostileZip.write(s35, e);
        PretrainResult resumed = resume(dir);
        assertThat(resumed.startStep()).isEqualTo(35);
        assertThat(resumed.losses()).containsExactly(java.util.Arrays.copyOfRange(whole.losses(), 35, 120));
    }

    @Test
    void aFailedCheckpointWriteNamesThePreviousCheckpointOnlyWhenThereIsOne(@TempDir Path dir) {
        // the second checkpoint cannot be renamed into place: a folder of its name is in the way
        PretrainConfig config = base().checkpointDir(dir).checkpointEvery(35).build();
        try (PretextModel model = PretextModel.create(ToyDenoising.encoder(), new ToyDenoising(), DATA.exampleShape(),
                Device.cpu(), 5)) {
            Pretrainer p = new Pretrainer(config).addListener(new TrainingListener() {
                @Override
                public void onCheckpoint(Path file, long step) {
                    try {
                        Files.createDirectories(dir.resolve("step-00000070.ckpt/in-the-way"));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
            assertThatThrownBy(() -> p.run(model, DATA, PROVENANCE)).isInstanceOf(java.io.UncheckedIOException.class)
                    .hasMessageStartingWith("Writing the checkpoint of step 70 to " + dir + " failed: ")
                    .hasMessageEndingWith(". The previous checkpoint, " + dir.resolve("step-00000035.ckpt")
                            + " (step 35), is intact")
                    .hasMessageNotContaining("space");
        }
    }

    @Test
    void aNewRunRefusesAFolderThatHoldsAnotherRunsCheckpoints(@TempDir Path dir) {
        train(base().steps(20).checkpointDir(dir).build());
        assertThatThrownBy(() -> train(base().steps(20).checkpointDir(dir).build()))
                .hasMessage("Checkpoint folder " + dir + " already holds checkpoints of another run (newest:"
                        + " step-00000020.ckpt): resume from them, or start in an empty folder");
    }
}
