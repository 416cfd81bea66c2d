package org.pretext.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pretext.runner.report.RunReport;

/**
 * Kills a run with SIGKILL mid-way, resumes it, and compares with an uninterrupted run: the default
 * MLP with SimCLR, and {@code cnn-small} with BYOL, whose convolution weights, AdamW moments and EMA
 * target are laid out channels-last ({@code ChannelsLast}) and come back from the checkpoint into that layout.
 */
class ResumeTest {
    private static final String[] RUN = {"--steps", "120", "--seed", "3", "--threads", "2",
        "--set", "dataset.train-limit=2048", "--set", "dataset.test-limit=500", "--set", "training.batch-size=64",
        "--set", "training.checkpoint-every=20", "--set", "training.log-every=5", "--set", "probe.enabled=false", "--set", "probe.monitor-every=0"};

    private static String[] args(String setup, String... extra) {
        String[] s = setup.isEmpty() ? new String[0] : setup.split(" ");
        String[] a = new String[1 + RUN.length + s.length + extra.length];
        a[0] = "run";
        System.arraycopy(RUN, 0, a, 1, RUN.length);
        System.arraycopy(s, 0, a, 1 + RUN.length, s.length);
        System.arraycopy(extra, 0, a, 1 + RUN.length + s.length, extra.length);
        return a;
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"", "--encoder cnn-small --objective byol"})
    void killedRunResumesToTheSameFinalLoss(String setup, @TempDir Path work) throws Exception {
        Path whole = work.resolve("whole");
        Processes.Result a = Processes.run(work, null, args(setup, "--out", whole.toString()));
        assertThat(a.exit()).as(a.output()).isZero();

        Path killed = work.resolve("killed");
        Process p = Processes.runner(work, null, args(setup, "--out", killed.toString()))
                .redirectOutput(work.resolve("killed.log").toFile()).start();
        Path ckpt = killed.resolve("checkpoints/step-00000060.ckpt");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!Files.exists(ckpt) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(p.isAlive()).as("the run was still going when its step-60 checkpoint appeared").isTrue();
        p.destroyForcibly(); // SIGKILL on Unix
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(killed.resolve("report.json")).doesNotExist();

        Processes.Result b = Processes.run(work, null, "run", "--resume", killed.toString());
        assertThat(b.exit()).as(b.output()).isZero();
        RunReport full = RunReport.read(whole.resolve("report.json"));
        RunReport resumed = RunReport.read(killed.resolve("report.json"));
        assertThat(resumed.pretrain().resumedFromStep()).isGreaterThanOrEqualTo(60).isLessThan(120);
        assertThat(resumed.pretrain().steps()).isEqualTo(120);
        // the logged losses first: when they differ, the message shows the first step where the runs part
        assertThat(logged(killed, "loss")).as("step=loss, logged every 5th step").isEqualTo(logged(whole, "loss"));
        assertThat(resumed.pretrain().finalLoss()).isEqualTo(full.pretrain().finalLoss());
        // metrics.jsonl reads as one run: every logged step once, as in the uninterrupted run (every 5th step
        // and the epoch ends, where the label-free diagnostics are measured)
        assertThat(loggedSteps(killed)).isEqualTo(loggedSteps(whole)).hasSizeGreaterThanOrEqualTo(24);
    }

    /** "step=value" of a metric in every line of a run's metrics.jsonl, with the value's digits as written. */
    private static java.util.List<String> logged(Path run, String metric) throws java.io.IOException {
        java.util.List<String> out = new java.util.ArrayList<>();
        java.util.regex.Pattern p = java.util.regex.Pattern.compile("\"step\":(\\d+).*\"" + metric + "\":([^,}]+)");
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            java.util.regex.Matcher m = p.matcher(line);
            assertThat(m.find()).as(line).isTrue();
            out.add(m.group(1) + "=" + m.group(2));
        }
        return out;
    }

    private static java.util.List<Long> loggedSteps(Path run) throws java.io.IOException {
        java.util.List<Long> steps = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"step\":(\\d+)").matcher(line);
            assertThat(m.find()).as(line).isTrue();
            steps.add(Long.parseLong(m.group(1)));
        }
        return steps;
    }
}
