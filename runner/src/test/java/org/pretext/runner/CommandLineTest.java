package org.pretext.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.registry.ProviderRegistry;
import org.pretext.runner.wiring.Registries;

class CommandLineTest {
    /** Exit code and standard error of one in-process invocation. */
    private record Outcome(int exit, String err) {}

    private static Outcome run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Main.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, err.toString(StandardCharsets.UTF_8));
    }

    /** {@link #run} with the process's standard error too (progress and the "model:" line are printed there). */
    private static Outcome runWithProgress(String... args) {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        PrintStream before = System.err;
        System.setErr(new PrintStream(progress, true, StandardCharsets.UTF_8));
        try {
            Outcome o = run(args);
            return new Outcome(o.exit(), o.err() + progress.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(before);
        }
    }

    @Test
    void serviceLoaderFindsSimclrFromTheRunnersClassPath() {
        ProviderRegistry<ObjectiveProvider> r = Registries.load(getClass().getClassLoader()).objectives();
        assertThat(r.get("simclr").description()).contains("NT-Xent");
        assertThat(r.problems()).isEmpty();
    }

    @Test
    void helpNamesEveryCommandAndShowsEachOnesOptions() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        assertThat(Main.execute(new String[] {"help"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                System.err)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("run", "pretrain", "probe", "export", "sample", "list",
                "report", "help");
        out.reset();
        assertThat(Main.execute(new String[] {"help", "sample"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                System.err)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: pretext sample").contains("--temperature");
        Outcome unknown = run("help", "sampel");
        assertThat(unknown.exit()).isEqualTo(2);
    }

    @Test
    void unknownObjectiveListsTheAvailableOnes(@TempDir Path dir) {
        Outcome o = run("run", "--objective", "simclear", "--out", dir.resolve("r").toString());
        assertThat(o.exit()).isEqualTo(2);
        assertThat(o.err()).contains("error: Unknown objective 'simclear'. Available objectives: ").contains("simclr")
                .contains(". Did you mean 'simclr'?");
        Outcome cnn = run("run", "--encoder", "cnn", "--steps", "1", "--out", dir.resolve("c").toString());
        assertThat(cnn.exit()).isEqualTo(2);
        assertThat(cnn.err()).contains("Unknown encoder 'cnn'").contains(". Did you mean 'cnn-small'?");
        assertThat(dir.resolve("r")).doesNotExist();
    }

    @Test
    void badParameterNamesKeyValueAndExpectation(@TempDir Path dir) {
        Outcome o = run("run", "--set", "objective.temperature=0", "--out", dir.resolve("r").toString());
        assertThat(o.exit()).isEqualTo(2);
        assertThat(o.err()).contains("error: Invalid value '0' for parameter 'temperature' of objective 'simclr':"
                + " expected a number > 0");
        Outcome p = run("run", "--set", "objective.temprature=0.2", "--out", dir.resolve("r").toString());
        assertThat(p.err()).contains("Unknown parameter 'temprature' for objective 'simclr'");
    }

    @Test
    void encoderThatCannotTakeTheDataIsRefusedBeforeTraining(@TempDir Path dir) {
        Outcome o = run("run", "--encoder", "cnn-small", "--dataset", "synthetic", "--out", dir.resolve("r").toString());
        assertThat(o.exit()).isEqualTo(2);
        assertThat(o.err()).contains("Encoder 'cnn-small' takes images").contains("(64)");
    }

    @Test
    void missingDatasetFolderIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-data");
        Outcome o = run("run", "--dataset", missing.toString(), "--out", dir.resolve("r").toString());
        assertThat(o.exit()).isEqualTo(2);
        assertThat(o.err()).contains("Dataset path " + missing + " does not exist");
    }

    @Test
    void finishedRunIsNotOverwrittenWithoutForce(@TempDir Path dir) throws IOException {
        Path run = dir.resolve("r");
        Files.createDirectories(run);
        Files.writeString(run.resolve("report.json"), "{}");
        Outcome o = run("run", "--steps", "1", "--out", run.toString());
        assertThat(o.exit()).isEqualTo(2);
        assertThat(o.err()).contains("already holds a finished run").contains("--force");
        assertThat(Files.readString(run.resolve("report.json"))).isEqualTo("{}");
    }

    @Test
    void pretrainOnTwoCpuReplicasRecordsThemAndBadDevicesAreNamed(@TempDir Path dir) throws IOException {
        Path run = dir.resolve("r");
        Outcome o = runWithProgress("pretrain", "--steps", "3", "--device", "cpu", "--devices", "2", "--set",
                "training.batch-size=32", "--out", run.toString());
        assertThat(o.exit()).as(o.err()).isEqualTo(0);
        assertThat(recorded(run)).contains("2 [cpu, cpu]");
        assertThat(o.err()).contains("model: encoder mlp").doesNotContain("mixed precision");
        // batch norm is synchronised, and MAE reaches its ViT through Model.encodeWith: both run on 2 replicas,
        // MAE's with the replicas' encoder shards in bf16 mixed precision
        for (String[] setup : new String[][] {{"--encoder", "cnn-small"}, {"--objective", "mae", "--encoder", "vit-tiny",
                "--set", "training.precision=bf16"}}) {
            Path r = dir.resolve(String.join("-", setup).replace("--", ""));
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("pretrain", "--steps", "2",
                    "--device", "cpu", "--devices", "2", "--set", "training.batch-size=16", "--set",
                    "dataset.train-limit=256", "--out", r.toString()));
            args.addAll(java.util.List.of(setup));
            Outcome replicated = runWithProgress(args.toArray(String[]::new));
            assertThat(replicated.exit()).as(replicated.err()).isEqualTo(0);
            assertThat(recorded(r)).as("devices recorded for %s", r).contains("2 [cpu, cpu]");
            if (args.contains("training.precision=bf16")) {
                assertThat(replicated.err()).contains(", 2 replicas [cpu, cpu], encoder steps in bf16 mixed precision");
                assertThat(recorded(r)).contains("precision: bf16");
            }
        }
        Outcome ids = run("pretrain", "--steps", "1", "--device", "cpu", "--devices", "0,1", "--out",
                dir.resolve("ids").toString());
        assertThat(ids.exit()).isEqualTo(2);
        assertThat(ids.err()).contains("--devices 0,1 names GPUs by id, but training runs on cpu");
        Outcome bad = run("pretrain", "--steps", "1", "--devices", "x", "--out", dir.resolve("bad").toString());
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("Invalid devices 'x'");
    }

    /** Every JSON and YAML file of a run folder, concatenated. */
    private static String recorded(Path run) throws IOException {
        try (var files = Files.walk(run)) {
            return files.filter(p -> p.toString().endsWith(".json") || p.toString().endsWith(".yaml")).map(p -> {
                try {
                    return Files.readString(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).reduce("", String::concat);
        }
    }
}
