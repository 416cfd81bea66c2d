package org.pretext.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code probe.robust-epsilon}: the all-labels probe attacked end to end, in report.json, the table and the page. */
class RobustProbeTest {
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    @Test
    @SuppressWarnings("unchecked")
    void runReportsCleanAndRobustAccuracyThroughTheObjectivesEncoderInput(@TempDir Path dir) throws Exception {
        // part-prediction trains the encoder on the top half of each digit: features, the random
        // encoder and the attack all go through that view (the whole image would not fit the encoder)
        Path run = dir.resolve("run");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream stdout = System.out; // the run prints its table on standard output
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.execute(new String[] {"run", "--objective", "part-prediction", "--dataset", "mnist",
                "--steps", "10", "--out", run.toString(), "--set", "dataset.train-limit=1000", "--set",
                "dataset.test-limit=200", "--set", "training.batch-size=64", "--set", "probe.labels-per-class=5", "--set",
                "probe.draws=1", "--set", "probe.features=[pretrained, random-encoder]", "--set",
                "probe.monitor-every=0", "--set", "probe.robust-epsilon=0.1"}, QUIET, System.err);
        } finally {
            System.setOut(stdout);
        }
        assertThat(code).isZero();
        Map<String, Object> r = new Gson().fromJson(Files.readString(run.resolve("report.json")), Map.class);
        Map<String, Object> robust = (Map<String, Object>) r.get("robust");
        assertThat(robust).containsEntry("features", "pretrained").containsEntry("probe", "logistic")
                .containsEntry("labelsPerClass", null).containsEntry("epsilon", 0.1).containsEntry("stepSize", 0.025)
                .containsEntry("steps", 20.0).containsEntry("randomStart", true).containsEntry("min", 0.0)
                .containsEntry("max", 1.0).containsEntry("examples", 200.0);
        double clean = (Double) robust.get("clean");
        assertThat(clean).isGreaterThan(0.5);
        assertThat((Double) robust.get("robust")).isBetween(0.0, clean);
        assertThat((Double) robust.get("maxPerturbation")).isLessThanOrEqualTo(0.1 + 1e-6);
        String table = printed.toString(StandardCharsets.UTF_8);
        assertThat(table).contains("under attack (%)").contains("pretrained / logistic, all labels")
                .contains("L∞ PGD, ε = 0.1000, 20 steps of α = 0.02500, random start");
        assertThat(Files.readString(run.resolve("report.html"))).contains("<h2>Adversarial robustness</h2>");

        // `probe --run` attacks a finished run's probe at another ε, or not at all
        Path other = dir.resolve("again");
        assertThat(Main.execute(new String[] {"probe", "--run", run.toString(), "--labels-per-class", "all",
            "--robust-epsilon", "0.05", "--out", other.toString()}, QUIET, System.err)).isZero();
        Map<String, Object> again = new Gson().fromJson(Files.readString(other.resolve("report.json")), Map.class);
        assertThat((Map<String, Object>) again.get("robust")).containsEntry("epsilon", 0.05)
                .containsEntry("clean", clean);
        assertThat(Main.execute(new String[] {"probe", "--run", run.toString(), "--labels-per-class", "all",
            "--robust-epsilon", "0", "--out", other.toString()}, QUIET, System.err)).isZero();
        again = new Gson().fromJson(Files.readString(other.resolve("report.json")), Map.class);
        assertThat(again.get("robust")).isNull();
    }

    @Test
    void tokenIdsAndAnEmptyRangeAreRefusedBeforeTraining(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("tiny.txt");
        Files.writeString(text, "the quick brown fox jumps over the lazy dog\n".repeat(50));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.execute(new String[] {"run", "--objective", "causal-lm", "--encoder", "transformer", "--dataset",
            "text", "--set", "dataset.path=" + text, "--set", "encoder.layers=1", "--set", "encoder.width=16",
            "--set", "encoder.context=8", "--steps", "1", "--set", "probe.robust-epsilon=0.1", "--out",
            dir.resolve("run").toString()}, QUIET, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("probe.robust-epsilon is for continuous inputs");
        assertThat(dir.resolve("run").resolve("checkpoints")).doesNotExist();

        err.reset();
        code = Main.execute(new String[] {"run", "--steps", "1", "--set", "probe.robust-epsilon=0.1", "--set",
            "probe.robust-min=1", "--set", "probe.robust-max=0", "--out", dir.resolve("run2").toString()}, QUIET,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("probe.robust-max");
    }
}
