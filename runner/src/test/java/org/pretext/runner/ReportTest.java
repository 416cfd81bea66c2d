package org.pretext.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.datasets.npy.NpyWriter;
import org.pretext.runner.report.HtmlReport;
import org.pretext.runner.report.PretrainSummary;
import org.pretext.runner.report.RunReport;

/** The run folder a user gets: report.json in the documented schema, report.html with its plots, metrics. */
class ReportTest {
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    @Test
    @SuppressWarnings("unchecked")
    void runWritesTheDocumentedReportAndPlots(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        int code = Main.execute(new String[] {"run", "--dataset", "synthetic", "--steps", "60", "--out", run.toString(),
            "--set", "dataset.train-size=800", "--set", "dataset.test-size=400", "--set", "training.batch-size=64",
            "--set", "probe.labels-per-class=[5, all]", "--set", "probe.draws=2", "--set", "probe.probes=[logistic, knn]",
            "--set", "probe.monitor-every=1"}, QUIET, System.err);
        assertThat(code).isZero();
        Map<String, Object> r = new Gson().fromJson(Files.readString(run.resolve("report.json")), Map.class);
        assertThat(r).containsEntry("objective", "simclr").containsEntry("dataset", "synthetic")
                .containsEntry("encoder", "mlp").containsEntry("seed", 42.0).containsEntry("device", "cpu");
        Map<String, Object> pretrain = (Map<String, Object>) r.get("pretrain");
        assertThat(pretrain).containsKeys("steps", "seconds", "finalLoss").containsEntry("steps", 60.0);
        // where the steps' time went, phase by phase: it adds up to the pretraining time
        Map<String, Double> phases = (Map<String, Double>) pretrain.get("stepPhaseSeconds");
        assertThat(phases).containsKeys("data", "forward", "backward", "update");
        assertThat(phases.values().stream().mapToDouble(Double::doubleValue).sum())
                .isCloseTo((Double) pretrain.get("seconds"), org.assertj.core.data.Offset.offset(
                        0.1 * (Double) pretrain.get("seconds") + 0.05));
        List<Map<String, Object>> probe = (List<Map<String, Object>>) r.get("probe");
        // 3 feature sets x 2 budgets x 2 probes
        assertThat(probe).hasSize(12);
        assertThat(probe).extracting(p -> p.get("features")).containsOnly("pretrained", "random-encoder", "raw-input");
        assertThat(probe).extracting(p -> p.get("labelsPerClass")).containsOnly(5.0, null);
        assertThat(probe).allSatisfy(p -> assertThat((Double) p.get("accuracy")).isBetween(0.0, 1.0));
        // the synthetic classes are well separated: raw inputs with all labels are far above chance (10%)
        assertThat(probe).filteredOn(p -> p.get("features").equals("raw-input") && p.get("labelsPerClass") == null
                && p.get("probe").equals("logistic")).singleElement()
                .satisfies(p -> assertThat((Double) p.get("accuracy")).isGreaterThan(0.8));
        assertThat(((Map<String, Object>) r.get("provenance")).get("versions").toString()).contains("djl");

        String html = Files.readString(run.resolve("report.html"));
        for (String png : List.of("plots/loss.png", "plots/label-efficiency-logistic.png",
                "plots/label-efficiency-knn.png", "plots/projection.png")) {
            assertThat(html).contains("src=\"" + png + "\"");
            assertThat(ImageIO.read(run.resolve(png).toFile()).getWidth()).isGreaterThan(500);
        }
        assertThat(Files.readAllLines(run.resolve("metrics.jsonl"))).anySatisfy(l -> assertThat(l).contains("knnAccuracy"));
        // label-free diagnostics of the projector-naming objective, logged and plotted
        assertThat(Files.readAllLines(run.resolve("metrics.jsonl"))).anySatisfy(l -> assertThat(l)
                .contains("\"alignment\"").contains("\"uniformity\"").contains("\"effectiveRank\"").contains("\"embeddingRank\""));
        assertThat(html).contains("src=\"plots/uniformity.png\"").contains("src=\"plots/effectiveRank.png\"");
        // every logged curve is plotted: the kNN monitor and the optimisation's health too
        assertThat(html).contains("src=\"plots/knnAccuracy.png\"").contains("src=\"plots/gradientNorm.png\"")
                .contains("src=\"plots/learningRate.png\"").doesNotContain("plots/epoch.png");
        assertThat(run.resolve("config.yaml")).exists();
        // the page answers "did pretraining help?" first, and says when, how and how long
        assertThat(html).containsPattern("(Pretraining helped|Pretraining hurt|No clear difference from pretraining):"
                + " pretrained features against the same encoder untrained, logistic probe at 5 labels per class")
                .contains("<code>pretext run --dataset synthetic --steps 60").contains("Where the time went")
                .contains("pretraining (set-up, steps, checkpoints)").contains("features: raw-input").contains("probes")
                .contains("paired t").contains("<p>Step time: waiting for data ");
        assertThat(((Map<String, Object>) r.get("invocation")).get("created").toString()).matches("20\\d\\d-.*Z");

        // `report` rebuilds the page from the folder
        Files.delete(run.resolve("report.html"));
        assertThat(Main.execute(new String[] {"report", "--run", run.toString()}, QUIET, System.err)).isZero();
        assertThat(Files.readString(run.resolve("report.html"))).isEqualTo(html);

        // `probe --run` probes the newest checkpoint again with other settings
        assertThat(Main.execute(new String[] {"probe", "--run", run.toString(), "--labels-per-class", "all",
            "--probes", "mean"}, QUIET, System.err)).isZero();
        Map<String, Object> again = new Gson().fromJson(Files.readString(run.resolve("probe-report.json")), Map.class);
        assertThat((List<?>) again.get("probe")).hasSize(3);
    }

    @Test
    void metricsAnObjectiveRecordsArePlottedUnderItsCaptions(@TempDir Path run) throws Exception {
        new org.pretext.runner.report.RunReport("my-objective", "d", "mlp", 1, "cpu", null, List.of(), null, null,
                Map.of("fooTerm", "The foo term of my objective")).write(run.resolve("report.json"));
        StringBuilder lines = new StringBuilder();
        for (int step = 10; step <= 50; step += 10) {
            lines.append("{\"step\":").append(step).append(",\"epoch\":0,\"meanLoss\":").append(5.0 / step)
                    .append(",\"fooTerm\":").append(step * 0.5).append(",\"barTerm\":").append(step % 3).append("}\n");
        }
        Files.writeString(run.resolve("metrics.jsonl"), lines);
        String html = Files.readString(org.pretext.runner.report.ReportRenderer.render(run));
        assertThat(html).contains("src=\"plots/fooTerm.png\"").contains("The foo term of my objective (recorded by"
                + " objective my-objective)");
        assertThat(html).as("a metric without a caption is plotted under its name").contains("src=\"plots/barTerm.png\"")
                .contains("Metric 'barTerm' recorded during pretraining");
        assertThat(html).contains("src=\"plots/loss.png\"").doesNotContain("plots/epoch.png");
        assertThat(ImageIO.read(run.resolve("plots/fooTerm.png").toFile()).getWidth()).isGreaterThan(500);
    }

    @Test
    void thePageSaysWhenTheStepWaitedForData(@TempDir Path dir) throws Exception {
        for (double data : new double[] {0.5, 0.05}) { // 50 % and 5 % of the steps' time
            Map<String, Double> phases = new java.util.LinkedHashMap<>(); // in step order, as a run gives them
            phases.put("data", data);
            phases.put("forward", 1.0 - data);
            PretrainSummary p = PretrainSummary.of(60, 1.5, 1.0, 100, 0, Map.of(), phases);
            Path page = dir.resolve("report-" + data + ".html");
            HtmlReport.write(new RunReport("simclr", "mnist", "mlp", 1, "cpu", p, List.of(), null), Map.of(), page);
            String html = Files.readString(page);
            assertThat(html).contains("<p>Step time: waiting for data " + (data == 0.5 ? "0.5 s (50 %)" : "0.1 s (5 %)"));
            if (data == 0.5) {
                assertThat(html).contains("<b>The step waited for data</b>").contains("training.prepare-threads");
            } else {
                assertThat(html).doesNotContain("The step waited for data");
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aMaeRunShowsItsReconstructionsInTheReport(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("mae");
        int code = Main.execute(new String[] {"run", "--objective", "mae", "--encoder", "vit-tiny", "--steps", "5",
            "--set", "dataset.train-limit=256", "--set", "training.batch-size=64", "--set", "probe.enabled=false",
            "--out", run.toString()}, QUIET, System.err);
        assertThat(code).isZero();
        Path png = run.resolve("artifacts/mae-reconstructions.png");
        assertThat(ImageIO.read(png.toFile()).getWidth()).isGreaterThan(50);
        assertThat(Files.readString(run.resolve("report.html"))).contains("src=\"artifacts/mae-reconstructions.png\"");
    }

    @Test
    void probeJudgesFeaturesFromAnyTool(@TempDir Path dir) throws Exception {
        java.util.Random rnd = new java.util.Random(4);
        int n = 300;
        int m = 200;
        int d = 6;
        float[] x = new float[n * d];
        int[] y = new int[n];
        float[] tx = new float[m * d];
        int[] ty = new int[m];
        for (int i = 0; i < n + m; i++) {
            int c = i % 3;
            for (int j = 0; j < d; j++) {
                float v = (float) (rnd.nextGaussian() + (j == c ? 3 : 0));
                if (i < n) {
                    x[i * d + j] = v;
                } else {
                    tx[(i - n) * d + j] = v;
                }
            }
            if (i < n) {
                y[i] = c;
            } else {
                ty[i - n] = c;
            }
        }
        NpyWriter.writeFloats(dir.resolve("train.npy"), x, n, d);
        NpyWriter.writeInts(dir.resolve("train_labels.npy"), y, n);
        NpyWriter.writeFloats(dir.resolve("test.npy"), tx, m, d);
        NpyWriter.writeInts(dir.resolve("test_labels.npy"), ty, m);
        Path out = dir.resolve("out");
        int code = Main.execute(new String[] {"probe", "--features", dir.resolve("train.npy").toString(), "--labels",
            dir.resolve("train_labels.npy").toString(), "--test-features", dir.resolve("test.npy").toString(),
            "--test-labels", dir.resolve("test_labels.npy").toString(), "--labels-per-class", "10,all", "--out",
            out.toString()}, QUIET, System.err);
        assertThat(code).isZero();
        Map<String, Object> r = new Gson().fromJson(Files.readString(out.resolve("report.json")), Map.class);
        List<Map<String, Object>> probe = (List<Map<String, Object>>) r.get("probe");
        assertThat(probe).hasSize(2).allSatisfy(p -> assertThat(p.get("features")).isEqualTo("file"));
        // Bayes accuracy of this mixture is about 95%; a linear probe on all labels gets close
        assertThat((Double) probe.get(1).get("accuracy")).isGreaterThan(0.85);

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        code = Main.execute(new String[] {"probe", "--features", dir.resolve("train.npy").toString(), "--labels",
            dir.resolve("test_labels.npy").toString(), "--test-features", dir.resolve("test.npy").toString(),
            "--test-labels", dir.resolve("test_labels.npy").toString()}, QUIET, new PrintStream(err, true));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("test_labels.npy").contains("200").contains("300");
    }
}
