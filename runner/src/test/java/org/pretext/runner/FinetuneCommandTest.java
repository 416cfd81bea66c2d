package org.pretext.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.runner.report.FinetuneReport;
import org.pretext.runner.report.RunReport;

/** {@code finetune --run DIR} on a real (short) MNIST run, and its errors. */
class FinetuneCommandTest {
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    private static int run(ByteArrayOutputStream err, String... args) {
        return Main.execute(args, QUIET, new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void finetuneOfARunWritesItsTableAndTheSameSeedGivesTheSameNumbers(@TempDir Path dir) throws Exception {
        Path r = dir.resolve("run");
        assertThat(Main.execute(new String[] {"pretrain", "--steps", "10", "--set", "dataset.train-limit=300",
            "--set", "dataset.test-limit=200", "--set", "training.batch-size=64", "--out", r.toString()}, QUIET,
                System.err)).isZero();
        String[] args = {"finetune", "--run", r.toString(), "--set", "finetune.budgets=[5, 0.1]", "--set",
            "finetune.draws=2", "--set", "finetune.epochs=3", "--set", "finetune.batch-size=25"};
        assertThat(run(new ByteArrayOutputStream(), args)).isZero();
        FinetuneReport f = RunReport.read(r.resolve("report.json")).finetune();
        assertThat(f.entries()).extracting(FinetuneReport.Entry::method).containsExactly(FinetuneReport.PRETRAINED,
                FinetuneReport.RANDOM, FinetuneReport.LINEAR_PROBE, FinetuneReport.PRETRAINED, FinetuneReport.RANDOM,
                FinetuneReport.LINEAR_PROBE);
        int tenth = 0; // 10% of each class of the 300 training images, rounded
        int[] counts = new int[10];
        for (int y : org.pretext.datasets.MnistDatasetProvider.open(300, 200).train().orElseThrow().labels()) {
            counts[y]++;
        }
        for (int c : counts) {
            tenth += (int) Math.round(0.1 * c);
        }
        assertThat(f.entries()).extracting(FinetuneReport.Entry::labelled).containsExactly(50, 50, 50, tenth, tenth,
                tenth);
        for (FinetuneReport.Entry e : f.entries()) {
            assertThat(e.accuracies()).hasSize(2);
            assertThat(e.accuracy()).as(e.method() + " at " + e.label()).isGreaterThan(0.1);
        }
        assertThat(Files.readString(r.resolve("report.html"))).contains("<h2>Fine-tuning</h2>");
        assertThat(r.resolve("plots/label-efficiency-finetune.png")).exists();
        assertThat(r.resolve("finetune/draws.json")).exists();
        try (var files = Files.walk(r.resolve("finetune"))) { // a draw's checkpoints go once it is recorded
            assertThat(files.filter(p -> p.toString().endsWith(".ckpt")).toList()).isEmpty();
        }

        Path other = dir.resolve("again");
        String[] again = java.util.Arrays.copyOf(args, args.length + 2);
        again[args.length] = "--out";
        again[args.length + 1] = other.toString();
        assertThat(run(new ByteArrayOutputStream(), again)).isZero();
        FinetuneReport g = RunReport.read(other.resolve("report.json")).finetune();
        for (int i = 0; i < f.entries().size(); i++) {
            assertThat(g.entries().get(i).accuracies()).isEqualTo(f.entries().get(i).accuracies());
            assertThat(g.entries().get(i).seeds()).isEqualTo(f.entries().get(i).seeds());
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream before = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThat(run(err, again)).isZero();
        } finally {
            System.setErr(before);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("resuming; 8 draws already done");
        assertThat(RunReport.read(other.resolve("report.json")).finetune().entries().get(0).accuracies())
                .isEqualTo(f.entries().get(0).accuracies());
    }

    /** An export in Pretext's format and the same encoder as safetensors (PyTorch's names) fine-tune alike. */
    @Test
    void finetuneStartsFromAnExportFileOrASafetensorsFolderWithTheSameNumbers(@TempDir Path dir) throws Exception {
        Path r = dir.resolve("run");
        assertThat(Main.execute(new String[] {"pretrain", "--steps", "5", "--set", "dataset.train-limit=300",
            "--set", "dataset.test-limit=200", "--set", "training.batch-size=64", "--out", r.toString()}, QUIET,
                System.err)).isZero();
        Path file = dir.resolve("enc.encoder");
        Path folder = dir.resolve("enc-torch");
        assertThat(run(new ByteArrayOutputStream(), "export", "--run", r.toString(), "--out", file.toString())).isZero();
        assertThat(run(new ByteArrayOutputStream(), "export", "--run", r.toString(), "--format", "safetensors",
                "--out", folder.toString())).isZero();
        List<List<Double>> accuracies = new java.util.ArrayList<>();
        for (Path encoder : List.of(file, folder)) {
            Path out = dir.resolve("ft-" + encoder.getFileName());
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertThat(run(err, "finetune", "--encoder", encoder.toString(), "--dataset", "mnist", "--set",
                    "dataset.train-limit=300", "--set", "dataset.test-limit=200", "--set", "finetune.budgets=[5]",
                    "--set", "finetune.draws=1", "--set", "finetune.epochs=2", "--set", "finetune.batch-size=25",
                    "--out", out.toString())).as(err.toString(StandardCharsets.UTF_8)).isZero();
            FinetuneReport f = RunReport.read(out.resolve("report.json")).finetune();
            List<Double> a = new java.util.ArrayList<>();
            for (FinetuneReport.Entry e : f.entries()) {
                for (double v : e.accuracies()) {
                    a.add(v);
                }
            }
            accuracies.add(a);
        }
        assertThat(accuracies.get(0)).hasSize(3);
        assertThat(accuracies.get(1)).isEqualTo(accuracies.get(0));
    }

    @Test
    void badFinetuneSettingsExitWithCode2NamingTheKey(@TempDir Path dir) {
        for (List<String> c : List.of(
                List.of("layer-decay", "--set", "finetune.layer-decay=2"),
                List.of("finetune.budgets", "--set", "finetune.budgets=[0.1, 10%]"),
                List.of("finetune.budgets", "--set", "finetune.budgets=1.5"),
                List.of("head", "--set", "finetune.head=conv"),
                List.of("finetune.baselines", "--set", "finetune.baselines=knn"),
                List.of("draws", "--set", "finetune.draws=0"),
                List.of("finetune.noise", "--set", "finetune.noise=gaussian"),
                List.of("finetune.noise", "--set", "finetune.noise=[pats, pats]"),
                List.of("pats-beta", "--set", "finetune.pats-beta=1"),
                List.of("precision", "--set", "finetune.precision=fp16"))) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            String[] args = new String[c.size() + 3];
            args[0] = "finetune";
            args[1] = "--encoder";
            args[2] = dir.resolve("missing.encoder").toString();
            for (int i = 1; i < c.size(); i++) {
                args[i + 2] = c.get(i);
            }
            args[args.length - 1] = c.get(c.size() - 1);
            String[] full = java.util.Arrays.copyOf(args, args.length + 2);
            full[args.length] = "--out";
            full[args.length + 1] = dir.resolve("out").toString();
            assertThat(run(err, full)).as(String.join(" ", c)).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).as(String.join(" ", c)).contains(c.get(0));
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(err, "finetune")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--run DIR or --encoder FILE");
        err.reset();
        assertThat(run(err, "run", "--steps", "1", "--set", "finetune.patience=0", "--out",
                dir.resolve("r").toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("patience");
    }

    @Test
    void runFineTunesWhenTheConfigHasAFinetuneSection(@TempDir Path dir) throws Exception {
        Path r = dir.resolve("run");
        assertThat(Main.execute(new String[] {"run", "--steps", "5", "--set", "dataset.train-limit=300", "--set",
            "dataset.test-limit=100", "--set", "training.batch-size=64", "--set", "probe.labels-per-class=[5]", "--set",
            "probe.features=[pretrained]", "--set", "probe.draws=1", "--set", "finetune.budgets=[5]", "--set",
            "finetune.draws=1", "--set", "finetune.epochs=3", "--set", "finetune.baselines=none", "--set",
            "finetune.augment=true", "--set", "finetune.early-stopping=0.2", "--set", "finetune.patience=1", "--set",
            "finetune.precision=bf16", "--out", r.toString()}, QUIET, System.err)).isZero();
        RunReport report = RunReport.read(r.resolve("report.json"));
        assertThat(report.probe()).isNotEmpty();
        assertThat(report.finetune().entries()).singleElement().satisfies(e -> {
            assertThat(e.method()).isEqualTo(FinetuneReport.PRETRAINED);
            assertThat(e.labelled()).isEqualTo(50);
            assertThat(e.epochs()[0]).isBetween(2, 3); // patience 1: stops after the first epoch that is no better
            assertThat(e.bestEpochs()[0]).isBetween(1, e.epochs()[0]);
        });
        assertThat(report.invocation().phaseSeconds()).containsKey("fine-tuning");
        assertThat(report.finetune().settings()).containsEntry("precision", "bf16");
        assertThat(Files.readString(r.resolve("report.html"))).contains("encoder in bf16 mixed precision");
    }

    @Test
    void sentencesFineTuneWithEveryNoiseAndTheReportShowsTheSensitivities(@TempDir Path dir) throws Exception {
        StringBuilder train = new StringBuilder("sentence\tlabel\n");
        String[] good = {"a good film", "good fun", "really good acting", "fun and good"};
        String[] bad = {"bad acting", "a bad film", "really bad", "dull and bad"};
        for (int i = 0; i < 40; i++) {
            train.append(good[i % 4]).append('\t').append(1).append('\n');
            train.append(bad[i % 4]).append('\t').append(0).append('\n');
        }
        Files.writeString(dir.resolve("train.tsv"), train);
        StringBuilder dev = new StringBuilder("sentence\tlabel\n");
        for (int i = 0; i < 10; i++) {
            dev.append(good[(i + 1) % 4]).append('\t').append(1).append('\n');
            dev.append(bad[(i + 2) % 4]).append('\t').append(0).append('\n');
        }
        Files.writeString(dir.resolve("dev.tsv"), dev);
        String[] args = {"run", "--set", "dataset=sentences", "--set", "dataset.path=" + dir, "--set",
            "dataset.tokenizer=char", "--set", "encoder=transformer", "--set", "encoder.layers=1", "--set",
            "encoder.heads=2", "--set", "encoder.width=16", "--set", "encoder.context=8", "--set",
            "objective=causal-lm", "--steps", "20", "--set", "training.batch-size=8", "--set",
            "probe.labels-per-class=[all]", "--set", "probe.draws=1", "--set", "finetune.budgets=[10]", "--set",
            "finetune.draws=2", "--set", "finetune.epochs=4", "--set", "finetune.batch-size=8", "--set",
            "finetune.learning-rate=3e-3", "--set", "finetune.encoder-learning-rate=1e-3", "--set",
            "finetune.noise=[none, uniform, pats]", "--set", "finetune.pats-lambda=0.05"};
        Path first = dir.resolve("first");
        String[] a = java.util.Arrays.copyOf(args, args.length + 2);
        a[args.length] = "--out";
        a[args.length + 1] = first.toString();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(err, a)).as(err.toString(StandardCharsets.UTF_8)).isZero();
        FinetuneReport f = RunReport.read(first.resolve("report.json")).finetune();
        assertThat(f.entries()).extracting(FinetuneReport.Entry::method).containsExactly(FinetuneReport.PRETRAINED,
                FinetuneReport.PRETRAINED_UNIFORM, FinetuneReport.PRETRAINED_PATS, FinetuneReport.RANDOM,
                FinetuneReport.LINEAR_PROBE);
        for (FinetuneReport.Entry e : f.entries()) {
            assertThat(e.labelled()).isEqualTo(20);
            assertThat(e.accuracies()).hasSize(2);
            assertThat(e.accuracy()).as(e.method()).isBetween(0.0, 1.0);
        }
        // the noise changes the run: the same draws and seeds give other weights, so (almost surely) other losses
        assertThat(f.sensitivities()).extracting(FinetuneReport.SensitivityEntry::method).containsExactly(
                FinetuneReport.PRETRAINED, FinetuneReport.PRETRAINED_UNIFORM, FinetuneReport.PRETRAINED_PATS,
                FinetuneReport.RANDOM);
        for (FinetuneReport.SensitivityEntry e : f.sensitivities()) {
            assertThat(e.cv()).hasSize(2);
            assertThat(java.util.Arrays.stream(e.cv()).min().orElseThrow()).isPositive();
            assertThat(java.util.Arrays.stream(e.fractions()).sum() + e.zeroFraction()).isCloseTo(1.0,
                    org.assertj.core.api.Assertions.within(1e-9));
        }
        assertThat(f.sensitivities().get(2).cv()).isNotEqualTo(f.sensitivities().get(0).cv());
        assertThat(first.resolve("plots/sensitivities-finetune.png")).exists();
        assertThat(Files.readString(first.resolve("report.html"))).contains("fine-tuned (pretrained, PATS)")
                .contains("sentences-finetune.png".replace("sentences", "sensitivities"));
        // the same seed gives the same table, noise included
        Path second = dir.resolve("second");
        a[args.length + 1] = second.toString();
        assertThat(run(new ByteArrayOutputStream(), a)).isZero();
        FinetuneReport g = RunReport.read(second.resolve("report.json")).finetune();
        for (int i = 0; i < f.entries().size(); i++) {
            assertThat(g.entries().get(i).accuracies()).as(f.entries().get(i).method())
                    .isEqualTo(f.entries().get(i).accuracies());
        }
        for (int i = 0; i < f.sensitivities().size(); i++) {
            assertThat(g.sensitivities().get(i).cv()).isEqualTo(f.sensitivities().get(i).cv());
        }
    }
}
