package org.pretext.datasets.npy;

import ai.djl.ndarray.types.DataType;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.PretextException;
import org.pretext.data.Dataset;
import org.pretext.data.DatasetProvider;
import org.pretext.data.Split;
import org.pretext.datasets.testing.Batches;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderRegistry;

class NpyDatasetProviderTest {
    static Dataset open(Path path, String... kv) {
        DatasetProvider p = ProviderRegistry.load(DatasetProvider.class, "dataset").get("npy");
        Map<String, Object> raw = new HashMap<>();
        raw.put("path", path.toString());
        for (int i = 0; i < kv.length; i += 2) {
            raw.put(kv[i], kv[i + 1]);
        }
        return p.open(ParamValues.resolve("dataset 'npy'", p.parameters(), raw));
    }

    /** n grey 4x4 uint8 images, image i all pixels = 10 i, label i mod 3 (int64). */
    static void greyImages(Path x, Path y, int n) {
        byte[] data = new byte[n * 16];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(data, i * 16, (i + 1) * 16, (byte) (10 * i));
        }
        NpyWriter.writeBytes(x, data, n, 4, 4);
        try (NpyWriter w = NpyWriter.create(y, DataType.INT64, n)) {
            byte[] b = new byte[8 * n];
            for (int i = 0; i < n; i++) {
                NpyFile.littleEndian(b).putLong(8 * i, i % 3);
            }
            w.writeBytes(b, 0, b.length);
        }
    }

    @Test
    void trainAndTestFilesByNameUint8ScaledToUnitRange(@TempDir Path dir) {
        greyImages(dir.resolve("train_images.npy"), dir.resolve("train_labels.npy"), 12);
        greyImages(dir.resolve("test_images.npy"), dir.resolve("test_labels.npy"), 6);
        Dataset d = open(dir);
        Split train = d.train().orElseThrow();
        assertThat(train.exampleShape()).isEqualTo(new Shape(1, 4, 4));
        assertThat(train.size()).isEqualTo(12);
        assertThat(d.test().orElseThrow().size()).isEqualTo(6);
        assertThat(train.classNames()).containsExactly("0", "1", "2");
        assertThat(train.labels()).containsExactly(0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2);
        assertThat(Batches.example(train, 5)).containsOnly(50 / 255f);
        assertThat(d.provenance()).containsKeys("train_images.npy", "train_labels.npy", "test_images.npy",
                "test_labels.npy");
    }

    @Test
    void channelsLastImagesAreTransposedInMemoryAndOnDisk(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("x.npy"), java.util.Base64.getDecoder().decode(NpyFileTest.U1_NHWC));
        for (String storage : new String[] {"memory", "disk"}) {
            Dataset d = open(dir.resolve("x.npy"), "storage", storage);
            Split all = d.pretrain();
            assertThat(d.provenance()).containsEntry("storage", storage);
            assertThat(all.exampleShape()).isEqualTo(new Shape(3, 2, 2));
            float[] x = Batches.values(all);
            // numpy's value at (n, h, w, c) is 10 (12 n + 6 h + 3 w + c); ours sits at (n, c, h, w)
            for (int n = 0; n < 2; n++) {
                for (int c = 0; c < 3; c++) {
                    for (int h = 0; h < 2; h++) {
                        for (int w = 0; w < 2; w++) {
                            assertThat(x[n * 12 + c * 4 + h * 2 + w]).isEqualTo(10 * (12 * n + 6 * h + 3 * w + c) / 255f);
                        }
                    }
                }
            }
        }
    }

    @Test
    void singleFileIsSplitStratifiedFloatFeaturesKept(@TempDir Path dir) {
        int n = 40;
        float[] x = new float[n * 3];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[3 * i] = i;
            x[3 * i + 1] = -0.5f * i;
            x[3 * i + 2] = 1e6f;
            y[i] = i < 30 ? 0 : 1;
        }
        NpyWriter.writeFloats(dir.resolve("features.npy"), x, n, 3);
        NpyWriter.writeInts(dir.resolve("labels.npy"), y, n);
        Dataset d = open(dir, "test-fraction", "0.2");
        Split test = d.test().orElseThrow();
        int[] ty = test.labels();
        assertThat(ty).hasSize(8);
        assertThat(java.util.Arrays.stream(ty).filter(v -> v == 0).count()).isEqualTo(6);
        float[] tx = Batches.values(test);
        for (int i = 0; i < ty.length; i++) {
            int id = (int) tx[3 * i];
            assertThat(tx[3 * i + 1]).isEqualTo(-0.5f * id);
            assertThat(tx[3 * i + 2]).isEqualTo(1e6f);
            assertThat(ty[i]).isEqualTo(id < 30 ? 0 : 1);
        }
        assertThat(d.train().orElseThrow().size()).isEqualTo(32);
        assertThat(d.pretrain().exampleShape()).isEqualTo(new Shape(3));
    }

    @Test
    void inputsWithoutLabelsAreForPretrainingOnly(@TempDir Path dir) {
        NpyWriter.writeFloats(dir.resolve("embeddings.npy"), new float[12], 4, 3);
        Dataset d = open(dir.resolve("embeddings.npy"));
        assertThat(d.train()).isEmpty();
        assertThat(d.pretrain().size()).isEqualTo(4);
    }

    @Test
    void mismatchedOrAmbiguousFilesAreNamed(@TempDir Path dir) throws IOException {
        greyImages(dir.resolve("x.npy"), dir.resolve("y.npy"), 6);
        NpyWriter.writeInts(dir.resolve("y.npy"), new int[] {0, 1, 0, 1, 0}, 5);
        assertThatThrownBy(() -> open(dir)).isInstanceOf(PretextException.class)
                .hasMessageContaining("y.npy holds 5 labels").hasMessageContaining("x.npy holds 6 examples");
        NpyWriter.writeFloats(dir.resolve("data.npy"), new float[6], 6, 1);
        assertThatThrownBy(() -> open(dir)).hasMessageContaining("data.npy").hasMessageContaining("x.npy")
                .hasMessageContaining("expected one");
        Path five = dir.resolve("five/x.npy");
        Files.createDirectories(five.getParent());
        NpyWriter.writeFloats(five, new float[2 * 3 * 4 * 5 * 6], 2, 3, 4, 5, 6);
        assertThatThrownBy(() -> open(five)).hasMessageContaining("(2, 3, 4, 5, 6)")
                .hasMessageContaining("expected feature vectors (n, d)");
        Path wide = dir.resolve("wide/x.npy");
        Files.createDirectories(wide.getParent());
        NpyWriter.writeFloats(wide, new float[2 * 8 * 8 * 8], 2, 8, 8, 8);
        assertThatThrownBy(() -> open(wide)).hasMessageContaining("(2, 8, 8, 8)").hasMessageContaining("layout=");
        assertThat(open(wide, "layout", "nhwc").pretrain().exampleShape()).isEqualTo(new Shape(8, 8, 8));
    }
}
