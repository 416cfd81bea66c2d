package org.pretext.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.runner.report.RunReport;
import org.pretext.testing.SharedData;

/** The text path through the runner: tokenizer, transformer, causal-lm with a validation loss, feature-map probes. */
class TextRunTest {
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    @Test
    void labelledSentencesPretrainAndProbeEveryFeatureMap(@TempDir Path dir) throws Exception {
        StringBuilder train = new StringBuilder("sentence\tlabel\n");
        String[] good = {"a good film", "good fun", "really good acting", "fun and good"};
        String[] bad = {"bad acting", "a bad film", "really bad", "dull and bad"};
        for (int i = 0; i < 30; i++) {
            train.append(good[i % 4]).append('\t').append(1).append('\n');
            train.append(bad[i % 4]).append('\t').append(0).append('\n');
        }
        Files.writeString(dir.resolve("train.tsv"), train);
        Files.writeString(dir.resolve("dev.tsv"), "sentence\tlabel\ngood film\t1\nbad film\t0\nreally good\t1\n"
                + "really dull\t0\n");
        Path run = dir.resolve("run");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(console, true, java.nio.charset.StandardCharsets.UTF_8)); // the run prints there
        int code;
        try {
            code = Main.execute(new String[] {"run", "--out", run.toString(), "--set", "dataset=sentences",
                "--set", "dataset.path=" + dir, "--set", "dataset.tokenizer=char", "--set", "encoder=transformer",
                "--set", "encoder.layers=1", "--set", "encoder.heads=2", "--set", "encoder.width=16",
                "--set", "encoder.context=16", "--set", "objective=causal-lm", "--steps", "30",
                "--set", "training.batch-size=8", "--set", "probe.labels-per-class=[2, all]", "--set", "probe.draws=2"},
                    QUIET, System.err);
        } finally {
            System.setOut(stdout);
        }
        assertThat(code).isZero();
        // the console table's columns line up although the row names are longer than the default first column
        java.util.List<String> table = console.toString(java.nio.charset.StandardCharsets.UTF_8).lines()
                .dropWhile(l -> !l.startsWith("test accuracy (%)")).takeWhile(l -> !l.startsWith("report:")
                        && !l.startsWith("Pretraining") && !l.startsWith("No clear")).toList();
        assertThat(table).hasSize(1 + 7).anySatisfy(l -> assertThat(l).startsWith("random-encoder/conditional-mean"));
        assertThat(table).extracting(String::length).containsOnly(table.get(0).length());
        RunReport r = RunReport.read(run.resolve("report.json"));
        assertThat(r.pretrain().validationLoss()).isPositive().isLessThan(Math.log(40));
        assertThat(r.pretrain().tokensPerSecond()).isPositive();
        assertThat(r.probe()).extracting(p -> p.features()).contains("pretrained/last-token", "pretrained/mean",
                "pretrained/conditional-mean", "random-encoder/mean", "bag-of-words");
        // 'good' and 'bad' are in every sentence: a bag of characters separates the dev set
        assertThat(r.probe()).filteredOn(p -> p.features().equals("bag-of-words") && p.labelsPerClass() == null)
                .singleElement().satisfies(p -> assertThat(p.accuracy()).isGreaterThanOrEqualTo(0.75));

        // probing the run folder again goes through the same text probes and gives the same numbers (it used to
        // take the image path and stop with an internal error on sentences longer than the context)
        Path again = dir.resolve("probed-again");
        assertThat(Main.execute(new String[] {"probe", "--run", run.toString(), "--out", again.toString()}, QUIET,
                System.err)).isZero();
        RunReport p = RunReport.read(again.resolve("report.json"));
        assertThat(p.probe()).extracting(e -> e.features() + " " + e.labelsPerClass() + " " + e.accuracy())
                .containsExactlyElementsOf(r.probe().stream()
                        .map(e -> e.features() + " " + e.labelsPerClass() + " " + e.accuracy()).toList());

        // the PGD attack perturbs pixels: asked of a text run, it is refused naming the setting
        ByteArrayOutputStream refused = new ByteArrayOutputStream();
        assertThat(Main.execute(new String[] {"probe", "--run", run.toString(), "--robust-epsilon", "0.1", "--out",
            dir.resolve("attacked").toString()}, QUIET, new PrintStream(refused, true,
                java.nio.charset.StandardCharsets.UTF_8))).isEqualTo(2);
        assertThat(refused.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("probe.robust-epsilon applies"
                + " to image encoders").contains("' holds sentences");

        // embed writes each feature map's sentence features; probing those files gives the run's own number
        Path emb = dir.resolve("embedded");
        assertThat(Main.execute(new String[] {"embed", "--run", run.toString(), "--out", emb.toString()}, QUIET,
                System.err)).isZero();
        for (String map : new String[] {"last-token", "mean", "conditional-mean"}) {
            assertThat(emb.resolve("train_" + map + "_features.npy")).exists();
            assertThat(emb.resolve("test_" + map + "_features.npy")).exists();
        }
        Path fromFiles = dir.resolve("probed-from-files");
        assertThat(Main.execute(new String[] {"probe", "--features", emb.resolve("train_mean_features.npy").toString(),
            "--labels", emb.resolve("train_labels.npy").toString(), "--test-features",
            emb.resolve("test_mean_features.npy").toString(), "--test-labels", emb.resolve("test_labels.npy").toString(),
            "--labels-per-class", "all", "--seed", Long.toString(r.seed()), "--out", fromFiles.toString()}, QUIET,
                System.err)).isZero();
        double expected = r.probe().stream().filter(e -> e.features().equals("pretrained/mean")
                && e.labelsPerClass() == null).findFirst().orElseThrow().accuracy();
        assertThat(RunReport.read(fromFiles.resolve("report.json")).probe()).singleElement()
                .satisfies(e -> assertThat(e.accuracy()).isEqualTo(expected));
    }

    @Test
    void shakespeareConfigRunsThroughTheRunner(@TempDir Path dir) throws Exception {
        Path text = SharedData.require("tinyshakespeare").resolve("input.txt");
        Path config = SharedData.projectRoot().resolve("examples/configs/shakespeare-char.yaml");
        Path run = dir.resolve("run");
        int code = Main.execute(new String[] {"run", "--config", config.toString(), "--out", run.toString(),
            "--set", "dataset.path=" + text, "--steps", "20", "--set", "training.monitor-every=10",
            "--set", "encoder.layers=1", "--set", "encoder.width=32", "--set", "encoder.heads=2"}, QUIET, System.err);
        assertThat(code).isZero();
        RunReport r = RunReport.read(run.resolve("report.json"));
        // 65 characters: an untrained model is near ln 65 = 4.17 nats; 20 steps already help
        assertThat(r.pretrain().validationLoss()).isLessThan(Math.log(65));
        assertThat(r.pretrain().tokensPerSecond()).isPositive();
        assertThat(r.probe()).isEmpty(); // plain text has no labels

        // `sample` continues a prompt from the run folder; the same seed gives the same text
        String[] sample = {"sample", run.toString(), "--prompt", "ROMEO:", "--tokens", "40", "--seed", "3"};
        String first = sampleOutput(sample);
        assertThat(first).isEqualTo(sampleOutput(sample)).hasSizeGreaterThan(20);
        assertThat(sampleOutput("sample", run.resolve("checkpoints").toString())).as("not a run folder")
                .startsWith("exit 2: error: ").contains("is neither a checkpoint file nor a run folder");
    }

    /** Standard output of a command, or its exit code and error line when it fails. */
    private static String sampleOutput(String... args) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = Main.execute(args, new java.io.PrintStream(out, true), new java.io.PrintStream(err, true));
        return code == 0 ? out.toString() : "exit " + code + ": " + err.toString().strip();
    }
}
