package org.pretext.runner.mining;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.runner.Main;
import org.pretext.runner.report.RunReport;

/** The run's mining section: mined labels replace the training labels; judged on the real test split. */
class MiningRunTest {
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    private static final String PATTERNS = """
            classes:
              negative:
                label: "0"
                verbalizers: [bad]
                patterns: ['\\bwas bad\\b']
              positive:
                label: "1"
                verbalizers: [good]
                patterns: ['\\bwas good\\b']
            """;

    private static int run(Path dir, Path run, ByteArrayOutputStream err, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("run", "--out", run.toString(), "--set",
                "dataset=sentences", "--set", "dataset.path=" + dir, "--set", "dataset.tokenizer=char", "--set",
                "encoder=transformer", "--set", "encoder.layers=1", "--set", "encoder.heads=2", "--set",
                "encoder.width=16", "--set", "encoder.context=32", "--set", "objective=causal-lm", "--steps", "5",
                "--set", "training.batch-size=8", "--set", "probe.labels-per-class=[all]", "--set",
                "probe.features=[pretrained, raw-input]"));
        args.addAll(List.of(more));
        PrintStream stdout = System.out;
        System.setOut(QUIET);
        try {
            return Main.execute(args.toArray(String[]::new), QUIET, new PrintStream(err, true, StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
        }
    }

    @Test
    void minedLabelsTrainTheProbesTheTestSplitJudgesThemAndThePromptBaselineIsARow(@TempDir Path dir)
            throws Exception {
        StringBuilder train = new StringBuilder("sentence\tlabel\n");
        for (int i = 0; i < 12; i++) {
            // gold labels the miner never sees; one in twelve positives is labelled 0 (a wrong mined label)
            train.append("soup ").append(i).append(" was good, tasty\t").append(i == 0 ? 0 : 1).append('\n');
            train.append("stew ").append(i).append(" was bad, cold\t0\n");
            train.append("an unrelated line ").append(i).append("\t").append(i % 2).append('\n');
        }
        train.append("the soup was good, tasty\t1\n"); // one more positive: balancing keeps 12 of 13
        Files.writeString(dir.resolve("train.tsv"), train);
        Files.writeString(dir.resolve("dev.tsv"), "sentence\tlabel\ntasty tasty\t1\ncold cold\t0\nso tasty\t1\n"
                + "so cold\t0\n");
        Path patterns = dir.resolve("p.yaml");
        Files.writeString(patterns, PATTERNS);
        Path run = dir.resolve("run");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = run(dir, run, err, "--set", "mining.patterns=" + patterns, "--set", "mining.prompt=it");
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();

        JsonObject m = JsonParser.parseString(Files.readString(run.resolve("mining.json"))).getAsJsonObject();
        assertThat(m.get("rows").getAsInt()).isEqualTo(37);
        assertThat(m.getAsJsonObject("matchedPerClass").get("1").getAsInt()).isEqualTo(13);
        assertThat(m.getAsJsonObject("keptPerClass").get("1").getAsInt()).isEqualTo(12);
        assertThat(m.getAsJsonObject("keptPerClass").get("0").getAsInt()).isEqualTo(12);
        // the gold label column of the dataset's training file measures the precision: 24 of 25 mined are right
        assertThat(m.getAsJsonObject("precisionMined").get("overall").getAsDouble()).isEqualTo(24.0 / 25);
        assertThat(Files.readAllLines(run.resolve("mined.tsv"))).hasSize(25).contains("stew 3, cold\t0");

        RunReport r = RunReport.read(run.resolve("report.json"));
        // the probes learnt from the 24 mined sentences, not the 37 labelled ones
        assertThat(r.probe()).filteredOn(p -> p.features().equals("bag-of-words")).singleElement().satisfies(p -> {
            assertThat(p.trainExamples()).isEqualTo(24);
            assertThat(p.testExamples()).isEqualTo(4);
            // 'tasty' and 'cold' survive the masking: a bag of characters trained on mined labels gets dev right
            assertThat(p.accuracy()).isEqualTo(1.0);
        });
        assertThat(r.probe()).filteredOn(p -> p.features().equals("pretrained/prompt")).singleElement().satisfies(p -> {
            assertThat(p.probe()).isEqualTo("verbalizers");
            assertThat(p.trainExamples()).isZero();
            assertThat(p.testExamples()).isEqualTo(4);
            assertThat(p.accuracy() * 4).isIn(0.0, 1.0, 2.0, 3.0, 4.0);
            assertThat(p.settings()).containsEntry("prompt", " it").containsEntry("calibration", "none");
        });
        assertThat(r.probe()).filteredOn(p -> p.features().equals("pretrained/prompt-calibrated")).singleElement()
                .satisfies(p -> {
                    assertThat(p.testExamples()).isEqualTo(4);
                    assertThat(p.accuracy() * 4).isIn(0.0, 1.0, 2.0, 3.0, 4.0);
                    assertThat(p.settings()).containsEntry("calibration",
                            "each class's mean score over the test sentences subtracted");
                });
    }

    @Test
    void theZeroShotFilterKeepsTheMinedSentencesThePromptingClassifierAgreesWith(@TempDir Path dir) throws Exception {
        StringBuilder train = new StringBuilder("sentence\tlabel\n");
        for (int i = 0; i < 12; i++) {
            train.append("soup ").append(i).append(" was good, tasty\t1\n");
            train.append("stew ").append(i).append(" was bad, cold\t0\n");
        }
        Files.writeString(dir.resolve("train.tsv"), train);
        Files.writeString(dir.resolve("dev.tsv"), "sentence\tlabel\ntasty tasty\t1\ncold cold\t0\n");
        Path patterns = dir.resolve("p.yaml");
        Files.writeString(patterns, PATTERNS);
        Path run = dir.resolve("run");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = run(dir, run, err, "--set", "mining.patterns=" + patterns, "--set", "mining.prompt=it", "--set",
                "mining.filter=zero-shot", "--set", "mining.prompt-baseline=false");
        String log = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as(log).isZero();

        JsonObject filter = JsonParser.parseString(Files.readString(run.resolve("mining.json"))).getAsJsonObject()
                .getAsJsonObject("filter");
        int kept = filter.get("kept").getAsInt();
        assertThat(filter.get("before").getAsInt()).isEqualTo(24);
        assertThat(filter.get("by").getAsString()).contains("zero-shot");
        int[] perClass = new com.google.gson.Gson().fromJson(filter.get("keptPerClass"), int[].class);
        assertThat(perClass[0] + perClass[1]).isEqualTo(kept);
        // calibration centres the scores over the mined sentences, so both classes keep some unless the model
        // scores every sentence alike
        assertThat(kept).isBetween(1, 24);
        assertThat(Files.readAllLines(run.resolve("mined.tsv"))).hasSize(kept + 1);
        RunReport r = RunReport.read(run.resolve("report.json"));
        assertThat(r.probe()).filteredOn(p -> p.features().equals("bag-of-words")).singleElement()
                .satisfies(p -> assertThat(p.trainExamples()).isEqualTo(kept));
        assertThat(r.probe()).noneMatch(p -> p.features().startsWith("pretrained/prompt"));
    }

    @Test
    void aBadMiningSectionStopsBeforeAnythingIsWritten(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("train.tsv"), "sentence\tlabel\nit was good\t1\nit was bad\t0\n");
        Files.writeString(dir.resolve("dev.tsv"), "sentence\tlabel\ngood\t1\nbad\t0\n");
        Path run = dir.resolve("run");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(dir, run, err, "--set", "mining.paterns=x.yaml")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("mining").contains("paterns");
        Path wrongLabel = dir.resolve("w.yaml");
        Files.writeString(wrongLabel, PATTERNS.replace("label: \"1\"", "label: \"pos\""));
        ByteArrayOutputStream err2 = new ByteArrayOutputStream();
        assertThat(run(dir, run, err2, "--set", "mining.patterns=" + wrongLabel)).isEqualTo(2);
        assertThat(err2.toString(StandardCharsets.UTF_8)).contains(wrongLabel + ": class 'positive' has the label"
                + " 'pos', which the test split of dataset 'sentences:").contains("' does not have: expected one of [0, 1]");
        assertThat(run).doesNotExist();
    }
}
