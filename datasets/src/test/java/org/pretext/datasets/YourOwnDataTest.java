package org.pretext.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.checkpoint.Provenance;
import org.pretext.data.Dataset;
import org.pretext.data.DatasetProvider;
import org.pretext.datasets.npy.NpyWriter;
import org.pretext.datasets.testing.ReconstructionObjective;
import org.pretext.encoder.Features;
import org.pretext.model.PretextModel;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderRegistry;
import org.pretext.training.PretrainConfig;
import org.pretext.training.PretrainResult;
import org.pretext.training.Pretrainer;
import org.pretext.transform.NaturalImageAugmentation;

/**
 * What {@code run --dataset PATH} does with a user's own files, minus the probe: resolve the path,
 * find the provider by name, open it, pretrain 30 steps, and extract features of the labelled
 * splits. Each kind of data is made here the way a user would make it.
 */
class YourOwnDataTest {
    /** Resolves, opens, pretrains 30 steps and extracts train/test features; returns the dataset. */
    static Dataset runOn(Path path, String expectedProvider, double learningRate) {
        DatasetPaths.Resolved r = DatasetPaths.resolve(path);
        assertThat(r.provider()).isEqualTo(expectedProvider);
        DatasetProvider provider = ProviderRegistry.load(DatasetProvider.class, "dataset").get(r.provider());
        Dataset d = provider.open(ParamValues.resolve("dataset '" + r.provider() + "'", provider.parameters(),
                r.params()));
        Shape shape = d.pretrain().exampleShape();
        PretrainConfig config = PretrainConfig.builder().batchSize(16).steps(30).learningRate(learningRate).seed(1)
                .prepareThreads(2).logEvery(5).build();
        ReconstructionObjective objective = new ReconstructionObjective();
        try (PretextModel model = PretextModel.create(ReconstructionObjective.encoder(shape, 8), objective, shape,
                Device.cpu(), 1)) {
            PretrainResult res = new Pretrainer(config).run(model, d.pretrain(), new Provenance("reconstruction",
                    "1", Map.of(), "linear", Map.of(), d.name(), d.provenance(), 1, Map.of(), null));
            assertThat(res.steps()).isEqualTo(30);
            float[] l = res.losses();
            double first = (l[0] + l[1] + l[2] + l[3] + l[4]) / 5;
            double last = (l[25] + l[26] + l[27] + l[28] + l[29]) / 5;
            assertThat(last).isLessThan(first);
            if (shape.dimension() == 3 && shape.get(0) == 3) {
                assertThat(objective.augmentation()).isInstanceOf(NaturalImageAugmentation.class);
            }
            Features.Matrix train = Features.extract(model.encoder(), model.parameterStore(), d.train().orElseThrow(),
                    Device.cpu(), 64);
            Features.Matrix test = Features.extract(model.encoder(), model.parameterStore(), d.test().orElseThrow(),
                    Device.cpu(), 64);
            assertThat(train.rows()).isEqualTo(d.train().orElseThrow().size());
            assertThat(test.cols()).isEqualTo(8);
            assertThat(test.labels()).containsExactly(d.test().orElseThrow().labels());
        }
        return d;
    }

    @Test
    void aFolderOfPngAndJpegPhotosInClassFolders(@TempDir Path dir) throws IOException {
        SplittableRandom r = new SplittableRandom(2);
        String[] classes = {"apples", "sky"};
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < 20; i++) {
                int w = 48 + r.nextInt(32);
                int h = 48 + r.nextInt(32);
                BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int noise = r.nextInt(40);
                        img.setRGB(x, y, c == 0 ? ((180 + noise) << 16) | ((40 + noise) << 8) | 30
                                : (60 << 16) | ((120 + noise) << 8) | (200 + noise));
                    }
                }
                Path f = dir.resolve("photos/" + classes[c] + "/IMG_" + i + (i % 2 == 0 ? ".JPG" : ".png"));
                Files.createDirectories(f.getParent());
                assertThat(ImageIO.write(img, i % 2 == 0 ? "jpeg" : "png", f.toFile())).isTrue();
            }
        }
        Dataset d = runOn(dir.resolve("photos"), "images", 1e-3);
        assertThat(d.pretrain().exampleShape()).isEqualTo(new Shape(3, 32, 32));
        assertThat(d.train().orElseThrow().classNames()).containsExactly("apples", "sky");
        assertThat(d.test().orElseThrow().size()).isEqualTo(8);
    }

    @Test
    void numpyArraysSavedWithNumpySave(@TempDir Path dir) {
        SplittableRandom r = new SplittableRandom(3);
        int n = 120;
        byte[] x = new byte[n * 28 * 28];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            for (int p = 0; p < 28 * 28; p++) {
                x[i * 784 + p] = (byte) ((p % 28 < 9 * (y[i] + 1) ? 200 : 20) + r.nextInt(30));
            }
        }
        NpyWriter.writeBytes(dir.resolve("X_train.npy"), x, n, 28, 28);
        NpyWriter.writeInts(dir.resolve("y_train.npy"), y, n);
        NpyWriter.writeBytes(dir.resolve("X_test.npy"), java.util.Arrays.copyOf(x, 30 * 784), 30, 28, 28);
        NpyWriter.writeInts(dir.resolve("y_test.npy"), java.util.Arrays.copyOf(y, 30), 30);
        Dataset d = runOn(dir, "npy", 1e-3);
        assertThat(d.pretrain().exampleShape()).isEqualTo(new Shape(1, 28, 28));
        assertThat(d.train().orElseThrow().size()).isEqualTo(120);
        assertThat(d.test().orElseThrow().size()).isEqualTo(30);
    }

    @Test
    void aCsvExportedFromASpreadsheet(@TempDir Path dir) throws IOException {
        SplittableRandom r = new SplittableRandom(4);
        StringBuilder sb = new StringBuilder("sample_id,length,width,height,weight,grade\n");
        String[] grades = {"A", "B", "C"};
        for (int i = 0; i < 90; i++) {
            int g = i % 3;
            sb.append("s").append(i).append(',');
            for (int k = 0; k < 4; k++) {
                sb.append(String.format(java.util.Locale.ROOT, "%.3f", g + k * 0.5 + r.nextGaussian() * 0.3))
                        .append(',');
            }
            sb.append(grades[g]).append('\n');
        }
        Path csv = dir.resolve("measurements.csv");
        Files.writeString(csv, sb.toString());
        // the id column is text: the CSV provider names it, so the user drops it
        DatasetPaths.Resolved res = DatasetPaths.resolve(csv);
        DatasetProvider provider = ProviderRegistry.load(DatasetProvider.class, "dataset").get(res.provider());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> provider.open(ParamValues.resolve("dataset 'csv'",
                provider.parameters(), res.params()))).hasMessageContaining("measurements.csv")
                .hasMessageContaining("line 2").hasMessageContaining("column 1 ('sample_id')");
        Files.writeString(csv, sb.toString().replaceAll("(?m)^(sample_id|s\\d+),", ""));
        Dataset d = runOn(csv, "csv", 1e-2);
        assertThat(d.pretrain().exampleShape()).isEqualTo(new Shape(4));
        assertThat(d.train().orElseThrow().classNames()).containsExactly("A", "B", "C");
        assertThat(d.test().orElseThrow().size()).isEqualTo(18);
    }
}
