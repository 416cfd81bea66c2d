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
}
