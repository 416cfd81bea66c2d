package org.pretext.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.CheckpointException;
import org.pretext.checkpoint.ExportedEncoder;
import org.pretext.data.Dataset;
import org.pretext.datasets.MnistDatasetProvider;
import org.pretext.encoder.Features;
import org.pretext.runner.report.RunReport;

class ExportTest {
    @Test
    void exportedEncoderLoadsWithOneCallAndCarriesItsProvenance(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        assertThat(Main.execute(new String[] {"run", "--steps", "20", "--set", "dataset.train-limit=512",
            "--set", "dataset.test-limit=256", "--set", "training.batch-size=64", "--set", "probe.enabled=false",
            "--out", run.toString()}, quiet, System.err)).isZero();
        Path file = dir.resolve("mnist-simclr.encoder");
        assertThat(Main.execute(new String[] {"export", "--run", run.toString(), "--out", file.toString()}, quiet,
                System.err)).isZero();

        Dataset data = MnistDatasetProvider.open(512, 256);
        try (ExportedEncoder enc = ExportedEncoder.load(file)) {
            assertThat(enc.provenance().objective()).isEqualTo("simclr");
            assertThat(enc.provenance().encoder()).isEqualTo("mlp");
            assertThat(enc.provenance().seed()).isEqualTo(42);
            assertThat(enc.provenance().datasetInfo()).containsKey("train-images-idx3-ubyte.gz");
            assertThat(enc.provenance().versions()).containsKeys("pretext", "djl", "pytorch");
            assertThat(enc.provenance()).isEqualTo(RunReport.read(run.resolve("report.json")).provenance());
            Features.Matrix f = enc.features(data.test().orElseThrow(), 128);
            assertThat(f.rows()).isEqualTo(256);
            assertThat(f.cols()).isEqualTo(128);
            float[][] one = enc.features(new float[][] {java.util.Arrays.copyOf(
                    ((org.pretext.data.IndexedSplit) data.test().orElseThrow()).floatData(), 784)});
            assertThat(one[0][5]).isCloseTo(f.get(0, 5), org.assertj.core.api.Assertions.within(1e-5f)); // batch of 1 vs 128: other GEMM path
        }
        // a checkpoint is not an exported encoder
        Path ckpt;
        try (var s = Files.list(run.resolve("checkpoints"))) {
            ckpt = s.findFirst().orElseThrow();
        }
        assertThatThrownBy(() -> ExportedEncoder.load(ckpt)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("is a checkpoint file, not an exported encoder");
    }

    @Test
    void embedWritesWhatProbeAndNumpyRead(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        assertThat(Main.execute(new String[] {"run", "--steps", "10", "--set", "dataset.train-limit=300",
            "--set", "dataset.test-limit=200", "--set", "training.batch-size=64", "--set", "probe.enabled=false",
            "--out", run.toString()}, quiet, System.err)).isZero();
        Path file = dir.resolve("enc.encoder");
        assertThat(Main.execute(new String[] {"export", "--run", run.toString(), "--out", file.toString()}, quiet,
                System.err)).isZero();

        // from the run, on its own dataset: the features of the run's probed encoder, batch after batch
        Path fromRun = dir.resolve("from-run");
        assertThat(Main.execute(new String[] {"embed", "--run", run.toString(), "--out", fromRun.toString(),
            "--batch-size", "64"}, quiet, System.err)).isZero();
        Dataset data = MnistDatasetProvider.open(300, 200);
        try (ExportedEncoder enc = ExportedEncoder.load(file)) {
            Features.Matrix expected = enc.features(data.test().orElseThrow(), 64);
            Features.Matrix written = org.pretext.probe.FeatureFiles.readFeatures(fromRun.resolve("test_features.npy"));
            assertThat(written.rows()).isEqualTo(200);
            assertThat(written.cols()).isEqualTo(128);
            assertThat(written.values()).containsExactly(expected.values());
            assertThat(org.pretext.probe.FeatureFiles.readLabels(fromRun.resolve("test_labels.npy")))
                    .containsExactly(data.test().orElseThrow().labels());
        }
        assertThat(Files.readString(fromRun.resolve("embed.json"))).contains("\"train_features.npy\"")
                .contains("\"classNames\"").contains("\"objective\": \"simclr\"");

        // from an exported encoder, on a dataset named on the command line; probe reads the files
        Path fromFile = dir.resolve("from-file");
        assertThat(Main.execute(new String[] {"embed", "--encoder", file.toString(), "--dataset", "mnist", "--set",
            "dataset.train-limit=300", "--set", "dataset.test-limit=200", "--batch-size", "64", "--out",
            fromFile.toString()}, quiet,
                System.err)).isZero();
        assertThat(Files.readAllBytes(fromFile.resolve("test_features.npy")))
                .isEqualTo(Files.readAllBytes(fromRun.resolve("test_features.npy")));
        assertThat(Main.execute(new String[] {"probe", "--features", fromFile.resolve("train_features.npy").toString(),
            "--labels", fromFile.resolve("train_labels.npy").toString(), "--test-features",
            fromFile.resolve("test_features.npy").toString(), "--test-labels",
            fromFile.resolve("test_labels.npy").toString(), "--labels-per-class", "all", "--out",
            dir.resolve("p").toString()}, quiet, System.err)).isZero();
        double fromFiles = RunReport.read(dir.resolve("p/report.json")).probe().get(0).accuracy();
        assertThat(fromFiles).isGreaterThan(0.5);

        // probe straight from the exported encoder: the same features, so the same accuracy to the last digit
        assertThat(Main.execute(new String[] {"probe", "--encoder", file.toString(), "--dataset", "mnist", "--set",
            "dataset.train-limit=300", "--set", "dataset.test-limit=200", "--labels-per-class", "all", "--out",
            dir.resolve("pe").toString()}, quiet, System.err)).isZero();
        var direct = RunReport.read(dir.resolve("pe/report.json")).probe().get(0);
        assertThat(direct.features()).isEqualTo("encoder enc.encoder");
        assertThat(direct.accuracy()).isCloseTo(fromFiles, org.assertj.core.data.Offset.offset(0.02));
        try (ExportedEncoder enc = ExportedEncoder.load(file)) { // its features are the encoder's, at its batch size
            assertThat(org.pretext.probe.FeatureFiles.readFeatures(dir.resolve("pe/features/test_features.npy"))
                    .values()).containsExactly(enc.features(data.test().orElseThrow(), 256).values());
        }
        assertThat(Main.execute(new String[] {"probe", "--features", dir.resolve("pe/features/train_features.npy")
            .toString(), "--labels", dir.resolve("pe/features/train_labels.npy").toString(), "--test-features",
            dir.resolve("pe/features/test_features.npy").toString(), "--test-labels",
            dir.resolve("pe/features/test_labels.npy").toString(), "--labels-per-class", "all", "--out",
            dir.resolve("pf").toString()}, quiet, System.err)).isZero();
        assertThat(direct.accuracy()).isEqualTo(RunReport.read(dir.resolve("pf/report.json")).probe().get(0).accuracy());

        // neither or both sources: one clear line
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        assertThat(Main.execute(new String[] {"embed", "--out", dir.resolve("x").toString()}, quiet,
                new PrintStream(err))).isEqualTo(2);
        assertThat(err.toString()).contains("embed needs either --run DIR or --encoder FILE");
        err.reset();
        assertThat(Main.execute(new String[] {"embed", "--encoder", file.toString(), "--dataset", "mnist", "--set",
            "training.steps=3", "--out", dir.resolve("x").toString()}, quiet, new PrintStream(err))).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid --set 'training.steps=3': expected dataset.KEY=VALUE");
        err.reset();
        assertThat(Main.execute(new String[] {"probe", "--encoder", file.toString(), "--out",
            dir.resolve("x").toString()}, quiet, new PrintStream(err))).isEqualTo(2);
        assertThat(err.toString()).contains("probe --encoder needs --dataset NAME|PATH");
        err.reset();
        assertThat(Main.execute(new String[] {"probe", "--run", run.toString(), "--dataset", "mnist"}, quiet,
                new PrintStream(err))).isEqualTo(2);
        assertThat(err.toString()).contains("--dataset and --set go with --encoder");
    }
}
