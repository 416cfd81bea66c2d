package org.pretext.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.checkpoint.HostileZip;
import org.pretext.checkpoint.HostileZip.Content;
import org.pretext.runner.report.PretrainSummary;
import org.pretext.runner.report.RunReport;

/**
 * The run folder under hostile files and bad luck, with real processes: a bombed newest checkpoint,
 * a run killed after its last checkpoint, every checkpoint damaged, a second process on a folder in
 * use, a killed holder of the lock, and a disk that fills before the first checkpoint.
 */
class RunFolderSafetyTest {
    private static final String[] RUN = {"--seed", "3", "--threads", "1", "--set", "dataset.train-limit=1024",
        "--set", "dataset.test-limit=256", "--set", "training.batchSize=64", "--set", "training.logEvery=10",
        "--set", "probe.enabled=false", "--set", "probe.monitorEvery=0"};

    private static String[] args(String... first) {
        List<String> a = new ArrayList<>(List.of(first));
        a.addAll(List.of(RUN));
        return a.toArray(String[]::new);
    }

    /** Parses with no leniency at all: NaN, Infinity, comments, trailing text are errors. */
    static JsonElement strict(String json) throws IOException {
        JsonReader r = new JsonReader(new StringReader(json));
        r.setStrictness(Strictness.STRICT);
        JsonElement e = JsonParser.parseReader(r);
        assertThat(r.peek()).isEqualTo(JsonToken.END_DOCUMENT);
        return e;
    }

    private static double finalLoss(Path run) throws IOException {
        JsonElement e = strict(Files.readString(run.resolve("report.json")));
        return e.getAsJsonObject().getAsJsonObject("pretrain").get("finalLoss").getAsDouble();
    }

    @Test
    void reportJsonHoldsNullWhereAValueIsNotFinite(@TempDir Path dir) throws IOException {
        RunReport r = new RunReport("simclr", "mnist", "mlp", 1, "cpu", PretrainSummary.of(60, 1.5, Double.NaN,
                Double.POSITIVE_INFINITY, 60, Map.of("validationLoss", Double.NaN), Map.of("data", 0.1, "forward", 1.0)),
                List.of(), null);
        Path f = dir.resolve("report.json");
        r.write(f);
        JsonElement e = strict(Files.readString(f));
        assertThat(e.getAsJsonObject().getAsJsonObject("pretrain").get("finalLoss").isJsonNull()).isTrue();
        assertThat(e.getAsJsonObject().getAsJsonObject("pretrain").get("samplesPerSecond").isJsonNull()).isTrue();
        assertThat(RunReport.read(f).pretrain().finalLoss()).isNaN();
    }

    @Test
    void damagedCheckpointsAreNamedAndAResumedRunReportsTheUninterruptedFinalLoss(@TempDir Path work)
            throws Exception {
        Path run = work.resolve("run");
        Processes.Result a = Processes.run(work, null, args("run", "--steps", "60", "--set",
                "training.checkpointEvery=20", "--out", run.toString()));
        assertThat(a.exit()).as(a.output()).isZero();
        double uninterrupted = finalLoss(run);
        Path s40 = run.resolve("checkpoints/step-00000040.ckpt");
        Path s60 = run.resolve("checkpoints/step-00000060.ckpt");

        // killed while probing, and its newest checkpoint is a ZIP bomb: objective.bin inflates to 64 MiB
        Files.delete(run.resolve("report.json"));
        Map<String, Content> e = HostileZip.entries(s60);
        e.put("objective.bin", Content.zeros(64L << 20));
        HostileZip.write(s60, e);
        Processes.Result b = Processes.run(work, null, "run", "--resume", run.toString());
        assertThat(b.exit()).as(b.output()).isZero();
        assertThat(b.output()).contains("warning: skipped damaged checkpoint: Checkpoint " + s60 + " is damaged: entry"
                + " 'objective.bin' holds more than the 0 bytes its meta.json declares")
                .contains("moved the damaged checkpoint aside: " + run.resolve("checkpoints/damaged/step-00000060.ckpt"));
        assertThat(RunReport.read(run.resolve("report.json")).pretrain().resumedFromStep()).isEqualTo(40);
        // bit-exact: the reported mean over the window of losses kept across the resume, and every step after it
        assertThat(finalLoss(run)).isEqualTo(uninterrupted);

        // killed after its last checkpoint again: the resume runs no step and still reports the final loss
        Files.delete(run.resolve("report.json"));
        Processes.Result c = Processes.run(work, null, "run", "--resume", run.toString());
        assertThat(c.exit()).as(c.output()).isZero();
        assertThat(RunReport.read(run.resolve("report.json")).pretrain().resumedFromStep()).isEqualTo(60);
        assertThat(finalLoss(run)).isEqualTo(uninterrupted);

        // every checkpoint damaged: one cut short with valid checksums, one cut in half
        Files.delete(run.resolve("report.json"));
        e = HostileZip.entries(s40);
        byte[] p = e.get("parameters.bin").bytes();
        e.put("parameters.bin", Content.of(java.util.Arrays.copyOf(p, p.length - 1000)));
        HostileZip.write(s40, e);
        byte[] whole = Files.readAllBytes(s60);
        Files.write(s60, java.util.Arrays.copyOf(whole, whole.length / 2));
        Processes.Result d = Processes.run(work, null, "run", "--resume", run.toString());
        assertThat(d.exit()).as(d.output()).isEqualTo(2);
        assertThat(d.output()).contains("error: Cannot resume from " + run.resolve("checkpoints") + ": every"
                + " checkpoint there is damaged (Checkpoint " + s60 + " is damaged or not a Pretext checkpoint")
                .contains(String.format("Checkpoint %s is damaged: entry 'parameters.bin' holds %,d bytes but its"
                        + " meta.json declares %,d (truncated)", s40, p.length - 1000, p.length))
                .contains("start a new run (the command line's --force does it in the same folder, deleting them)");
        assertThat(run.resolve("report.json")).doesNotExist();
        assertThat(s40).exists();
        assertThat(s60).exists();
    }

    @Test
    void aSecondProcessIsRefusedNamingTheHolderAndAKilledHoldersLockIsTakenOver(@TempDir Path work)
            throws Exception {
        Path run = work.resolve("run");
        Process first = Processes.runner(work, null, args("pretrain", "--steps", "100000", "--set",
                "training.checkpointEvery=20", "--out", run.toString()))
                .redirectOutput(work.resolve("first.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            Path lock = run.resolve(".lock");
            while (first.isAlive() && System.nanoTime() < deadline && !(Files.exists(lock)
                    && Files.readString(lock).startsWith("pid " + first.pid() + "\n")
                    && Files.exists(run.resolve("checkpoints/step-00000020.ckpt")))) {
                Thread.sleep(50);
            }
            assertThat(first.isAlive()).as(Files.readString(work.resolve("first.log"))).isTrue();
            String refused = "is in use by process " + first.pid() + " (pretext pretrain, since ";
            Processes.Result resume = Processes.run(work, null, "run", "--resume", run.toString());
            assertThat(resume.exit()).as(resume.output()).isEqualTo(2);
            assertThat(resume.output()).contains("error: Run folder " + run + " " + refused)
                    .contains("two runs in one folder would destroy each other's checkpoints");
            Processes.Result force = Processes.run(work, null, args("run", "--force", "--steps", "5", "--out",
                    run.toString()));
            assertThat(force.exit()).as(force.output()).isEqualTo(2);
            assertThat(force.output()).contains(refused);
            assertThat(first.isAlive()).isTrue(); // and its folder untouched: no report, its own checkpoints
            assertThat(run.resolve("report.json")).doesNotExist();
            assertThat(new org.pretext.checkpoint.CheckpointStore(run.resolve("checkpoints"), 2).files()).isNotEmpty();
        } finally {
            first.destroyForcibly(); // SIGKILL: the lock file stays, the operating system's lock does not
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        Processes.Result after = Processes.run(work, null, args("run", "--force", "--steps", "5", "--out",
                run.toString()));
        assertThat(after.exit()).as(after.output()).isZero();
        assertThat(after.output()).contains("note: took over the lock of " + run + " from process " + first.pid()
                + ", which ended without releasing it");
    }

    @Test
    void aDiskThatFillsBeforeTheFirstCheckpointIsReportedTruthfully(@TempDir Path work) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs bash for ulimit");
        Path run = work.resolve("run");
        List<String> java = Processes.runner(work, null, args("pretrain", "--steps", "10", "--set",
                "training.checkpointEvery=10", "--out", run.toString())).command();
        // files may grow to 512 KiB: config and metrics fit, the 6 MB checkpoint does not (EFBIG, as ENOSPC would)
        List<String> cmd = new ArrayList<>(List.of("/bin/bash", "-c", "ulimit -f 512 && exec \"$@\"", "bash"));
        cmd.addAll(java);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true);
        pb.environment().put("DJL_OFFLINE", "true");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isEqualTo(1);
        assertThat(out).contains("Writing the checkpoint of step 10 to " + run.resolve("checkpoints") + " failed: ")
                .contains("No checkpoint had been written yet, so this run cannot be resumed: free some space (or"
                        + " choose another folder) and start it again")
                .doesNotContain("intact");
        assertThat(run.resolve("checkpoints")).isEmptyDirectory();
    }
}
