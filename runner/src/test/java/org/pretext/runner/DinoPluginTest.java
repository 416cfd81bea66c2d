package org.pretext.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.probe.ProbeResult;
import org.pretext.runner.report.RunReport;
import org.pretext.testing.SharedData;

/**
 * examples/dino-plugin, DINO with an EMA teacher, built from its sources against the api alone as
 * PluginTest builds the align-uniform example: listed by {@code list --plugins DIR}, trained, killed
 * with SIGKILL mid-run and resumed to exactly the losses of an uninterrupted run (centre, teacher and
 * the frozen-then-free last layer included); and, where the public MNIST files are present, a short
 * run whose probed encoder (the teacher) beats the same encoder at random initialisation.
 */
class DinoPluginTest {
    private static final String[] RUN = {"--objective", "example-dino", "--steps", "40", "--seed", "3", "--threads", "1",
        "--set", "dataset.train-limit=2048", "--set", "dataset.test-limit=500", "--set", "training.batch-size=64",
        "--set", "training.checkpoint-every=10", "--set", "training.log-every=5", "--set", "probe.enabled=false",
        "--set", "objective.out-dim=256", "--set", "objective.hidden-dim=128",
        // the last layer is frozen for steps 0-11 and τ_t still rises after the resume: both depend on the step
        "--set", "objective.freeze-last-layer=0.3", "--set", "objective.teacher-temperature-warmup=1"};

    private static String[] run(Path plugins, String... extra) {
        List<String> a = new ArrayList<>(List.of("run", "--plugins", plugins.toString()));
        a.addAll(List.of(RUN));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    @Test
    void isListedTrainsAndResumesExactlyAfterSigkill(@TempDir Path work) throws Exception {
        Path jar = PluginTest.buildPlugin(work, "examples/dino-plugin", "dino-plugin.jar");
        Path plugins = jar.getParent();
        Processes.Result list = Processes.run(work, null, "list", "--plugins", plugins.toString());
        assertThat(list.exit()).as(list.output()).isZero();
        assertThat(list.output()).contains("example-dino — DINO (Caron et al. 2021)").contains("from " + jar)
                .contains("probe-encoder").contains("centre-momentum");

        Path whole = work.resolve("whole");
        Processes.Result a = Processes.run(work, null, run(plugins, "--out", whole.toString()));
        assertThat(a.exit()).as(a.output()).isZero();

        Path killed = work.resolve("killed");
        Processes.killAtCheckpoint(work, run(plugins, "--out", killed.toString()), killed, 10, 3);
        Processes.Result b = Processes.run(work, null, "run", "--resume", killed.toString(), "--plugins",
                plugins.toString());
        assertThat(b.exit()).as(b.output()).isZero();
        RunReport full = RunReport.read(whole.resolve("report.json"));
        RunReport resumed = RunReport.read(killed.resolve("report.json"));
        assertThat(resumed.objective()).isEqualTo("example-dino");
        assertThat(resumed.pretrain().resumedFromStep()).isGreaterThanOrEqualTo(10).isLessThan(40);
        assertThat(resumed.pretrain().steps()).isEqualTo(40);
        assertThat(resumed.pretrain().finalLoss()).isEqualTo(full.pretrain().finalLoss());
        // every logged step once, with the same loss, teacher temperature and momentum
        List<String> expected = logged(whole);
        assertThat(logged(killed)).isEqualTo(expected).hasSizeGreaterThanOrEqualTo(8);
        // τ_t rises over the whole run: 0.04 + 0.03·39/40 at the last step
        assertThat(expected.get(expected.size() - 1)).contains("\"teacherTemperature\":0.06925");
    }

    /** Step, loss, teacher temperature and momentum of each line of metrics.jsonl. */
    private static List<String> logged(Path run) throws IOException {
        Pattern fields = Pattern.compile("\"step\":\\d+|\"loss\":[^,}]+|\"teacherTemperature\":[^,}]+"
                + "|\"teacherMomentum\":[^,}]+");
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            Matcher m = fields.matcher(line);
            StringBuilder b = new StringBuilder();
            while (m.find()) {
                b.append(m.group()).append(' ');
            }
            assertThat(b.toString()).as(line).contains("\"teacherMomentum\"");
            out.add(b.toString());
        }
        return out;
    }

    @Test
    void aShortMnistRunBeatsTheRandomEncoder(@TempDir Path work) throws Exception {
        Path mnist = SharedData.require("mnist");
        Path jar = PluginTest.buildPlugin(work, "examples/dino-plugin", "dino-plugin.jar");
        Path out = work.resolve("mnist");
        Processes.Result r = Processes.run(work, null, "run", "--plugins", jar.getParent().toString(),
                "--objective", "example-dino", "--dataset", mnist.toString(), "--steps", "400", "--seed", "1", "--threads", "1",
                "--set", "dataset.train-limit=10000", "--set", "dataset.test-limit=2000", "--set", "objective.out-dim=256",
                "--set", "objective.teacher-temperature=0.01",
                // the training recipe the margins below were measured with (the defaults are SimCLR's since)
                "--set", "training.learning-rate=1e-3", "--set", "training.final-learning-rate-fraction=0.5",
                "--set", "objective.warmup-teacher-temperature=0.01", "--set", "probe.features=pretrained,random-encoder",
                "--set", "probe.labels-per-class=10", "--set", "probe.draws=3", "--out", out.toString());
        assertThat(r.exit()).as(r.output()).isZero();
        RunReport report = RunReport.read(out.resolve("report.json"));
        // paired: both probes fit the same labelled draws (measured by hand: 70.40/65.05, 59.90/57.85, 69.10/64.90 %)
        double[] pretrained = accuracies(report, "pretrained");
        double[] random = accuracies(report, "random-encoder");
        assertThat(pretrained).hasSize(3);
        double mean = 0;
        for (int i = 0; i < pretrained.length; i++) {
            assertThat(pretrained[i]).as("draw %d: the teacher's features against the random encoder's", i)
                    .isGreaterThan(random[i] + 0.01);
            mean += (pretrained[i] - random[i]) / pretrained.length;
        }
        assertThat(mean).as("mean margin over the draws").isGreaterThan(0.025);
    }

    private static double[] accuracies(RunReport report, String features) {
        return report.probe().stream().filter(p -> p.features().equals(features) && p.probe().equals("logistic"))
                .findFirst().orElseThrow().drawAccuracies();
    }
}
