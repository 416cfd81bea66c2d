package org.pretext.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pretext.runner.report.RunReport;

/**
 * Kills a run with SIGKILL mid-way, resumes it, and compares with an uninterrupted run: the default
 * MLP with SimCLR, and {@code cnn-small} with BYOL, whose convolution weights, AdamW moments and EMA
 * target are laid out channels-last ({@code ChannelsLast}) and come back from the checkpoint into that layout;
 * a copy of that killed run also resumes row-major.
 */
class ResumeTest {
    private static final String[] RUN = {"--seed", "3", "--threads", "2",
        "--set", "dataset.train-limit=2048", "--set", "dataset.test-limit=500", "--set", "training.batch-size=64",
        "--set", "training.log-every=5", "--set", "probe.enabled=false", "--set", "probe.monitor-every=0"};

    /** A run of {@code steps} steps with a checkpoint every sixth of it, the case's settings and {@code extra}. */
    private static String[] args(String setup, int steps, String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("run", "--steps", Integer.toString(steps),
                "--set", "training.checkpoint-every=" + steps / 6));
        a.addAll(List.of(RUN));
        if (!setup.isEmpty()) {
            a.addAll(List.of(setup.split(" ")));
        }
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    /**
     * The MLP, 120 steps of 64 images from 2,048; the CNN, whose steps take ~10x as long, 60 steps of 32
     * from 1,024. Both cross the epoch end at step 32, where the label-free diagnostics are logged.
     */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource({"'', 120", "'--encoder cnn-small --objective byol --set dataset.train-limit=1024"
        + " --set training.batch-size=32', 60"})
    void killedRunResumesToTheSameFinalLoss(String setup, int steps, @TempDir Path work) throws Exception {
        Path whole = work.resolve("whole");
        Processes.Result a = Processes.run(work, null, args(setup, steps, "--out", whole.toString()));
        assertThat(a.exit()).as(a.output()).isZero();

        Path killed = work.resolve("killed");
        Processes.killAtCheckpoint(work, args(setup, steps, "--out", killed.toString()), killed, steps / 2, 5);
        Path copy = work.resolve("killed-copy");
        copyFolder(killed, copy);

        Processes.Result b = Processes.run(work, null, "run", "--resume", killed.toString());
        assertThat(b.exit()).as(b.output()).isZero();
        RunReport full = RunReport.read(whole.resolve("report.json"));
        RunReport resumed = RunReport.read(killed.resolve("report.json"));
        assertThat(resumed.pretrain().resumedFromStep()).isGreaterThanOrEqualTo(steps / 2).isLessThan(steps);
        assertThat(resumed.pretrain().steps()).isEqualTo(steps);
        // the logged losses first: when they differ, the message shows the first step where the runs part
        assertThat(logged(killed, "loss")).as("step=loss, logged every 5th step").isEqualTo(logged(whole, "loss"));
        assertThat(resumed.pretrain().finalLoss()).isEqualTo(full.pretrain().finalLoss());
        // metrics.jsonl reads as one run: every logged step once, as in the uninterrupted run (every 5th step
        // and the epoch ends, where the label-free diagnostics are measured)
        assertThat(loggedSteps(killed)).isEqualTo(loggedSteps(whole)).hasSizeGreaterThanOrEqualTo(steps / 5);
        if (setup.contains("cnn-small")) {
            resumesUnderTheOtherMemoryFormat(work, whole, copy, resumed.pretrain().resumedFromStep());
        }
    }

    /**
     * The same killed run, saved channels-last (the default), resumed row-major
     * ({@code -Dpretext.channelsLast=false}): the checkpoint holds values by index, so the convolution
     * weights, AdamW moments and BYOL's EMA target come back into whichever layout the resuming JVM uses.
     * Until the kill it is the uninterrupted run, bit for bit; after it it follows that run to float32
     * rounding of the other kernels: within 5 steps of the resume to 1e-4 relative (measured: 3e-7), where
     * moments paired with the wrong weights or a target read in the wrong layout would part from it at once
     * (moments laid out unlike their weights, the layout check bypassed: 3.2e-3 here, 1.4e-3 and 2.1e-3 in
     * whole-run versions of this check, either way);
     * later to 3e-2, as far as two whole runs of the two settings drift apart from the same start in 120
     * steps (measured: up to 1.5e-2; the resumed runs 1.6e-3 and 2.7e-3). (The other way, saved row-major
     * and resumed channels-last, gave the same margins.) Those figures are from 120-step runs resumed from
     * step 60; the runs are 60 steps of 32 images now, resumed from step 30 (measured: 1.8e-5 at step 35,
     * the first logged step after the resume, and 7.5e-4 later; with moments laid out unlike their
     * weights and the layout check bypassed, 6.9e-4 at step 35: the test failed, as it should).
     */
    private static void resumesUnderTheOtherMemoryFormat(Path work, Path whole, Path killed, long from)
            throws Exception {
        Processes.Result b = Processes.runWith(work, List.of("-Dpretext.channelsLast=false"), "run", "--resume",
                killed.toString());
        assertThat(b.exit()).as(b.output()).isZero();
        assertThat(b.output()).doesNotContain("laid out differently");
        RunReport resumed = RunReport.read(killed.resolve("report.json"));
        assertThat(resumed.pretrain().resumedFromStep()).isEqualTo(from);
        List<String> w = logged(whole, "loss");
        List<String> k = logged(killed, "loss");
        assertThat(k).hasSameSizeAs(w);
        double first = 0; // the logged steps within 5 of the resume
        double later = 0;
        for (int i = 0; i < w.size(); i++) {
            String[] ws = w.get(i).split("=");
            String[] ks = k.get(i).split("=");
            assertThat(ks[0]).isEqualTo(ws[0]);
            long step = Long.parseLong(ws[0]);
            if (step <= from) {
                assertThat(ks[1]).as("step %s, before the kill", ws[0]).isEqualTo(ws[1]);
                continue;
            }
            double x = Double.parseDouble(ws[1]);
            double d = Math.abs(Double.parseDouble(ks[1]) - x) / Math.abs(x);
            if (step <= from + 5) {
                first = Math.max(first, d);
            } else {
                later = Math.max(later, d);
            }
        }
        System.err.printf("resumed row-major from step %d: relative difference %.2e within 5 steps, %.2e later%n",
                from, first, later);
        assertThat(first).as("relative difference within 5 steps of the resume").isLessThan(1e-4);
        assertThat(later).as("relative difference later").isLessThan(3e-2);
        assertThat(Files.readString(killed.resolve("report.json"))).contains("\"memory-format\": \"contiguous");
    }

    private static void copyFolder(Path from, Path to) throws java.io.IOException {
        try (java.util.stream.Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
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
