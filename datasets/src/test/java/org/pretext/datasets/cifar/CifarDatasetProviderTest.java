package org.pretext.datasets.cifar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.PretextException;
import org.pretext.data.Dataset;
import org.pretext.data.DatasetProvider;
import org.pretext.datasets.testing.Batches;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderRegistry;

/** The CIFAR binary format on small files written here in that format. */
class CifarDatasetProviderTest {
    static Dataset open(Path dir, String... kv) {
        DatasetProvider p = ProviderRegistry.load(DatasetProvider.class, "dataset").get("cifar");
        Map<String, Object> raw = new HashMap<>();
        raw.put("dir", dir.toString());
        for (int i = 0; i < kv.length; i += 2) {
            raw.put(kv[i], kv[i + 1]);
        }
        return p.open(ParamValues.resolve("dataset 'cifar'", p.parameters(), raw));
    }

    /**
     * CIFAR-10 records of images {@code firstId, firstId + 1, ...}: the label byte, then 1024 red,
     * 1024 green and 1024 blue bytes, pixel p of channel c being (id + 3p + c) mod 256.
     */
    static byte[] cifar10(int firstId, int... labels) {
        byte[] out = new byte[labels.length * 3073];
        for (int i = 0; i < labels.length; i++) {
            int base = i * 3073;
            out[base] = (byte) labels[i];
            fill(out, base + 1, firstId + i);
        }
        return out;
    }

    /** CIFAR-100 records: coarse label byte, fine label byte, then the pixels as above. */
    static byte[] cifar100(int firstId, int[] coarse, int[] fine) {
        byte[] out = new byte[fine.length * 3074];
        for (int i = 0; i < fine.length; i++) {
            int base = i * 3074;
            out[base] = (byte) coarse[i];
            out[base + 1] = (byte) fine[i];
            fill(out, base + 2, firstId + i);
        }
        return out;
    }

    private static void fill(byte[] out, int at, int id) {
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < 1024; p++) {
                out[at + c * 1024 + p] = (byte) ((id + 3 * p + c) & 0xFF);
            }
        }
    }

    static void writeCifar10(Path dir) throws IOException {
        Path d = dir.resolve("cifar-10-batches-bin");
        Files.createDirectories(d);
        Files.write(d.resolve("data_batch_1.bin"), cifar10(0, 0, 1, 2, 3, 4));
        Files.write(d.resolve("data_batch_2.bin"), cifar10(5, 5, 6, 7, 8, 9));
        Files.write(d.resolve("test_batch.bin"), cifar10(100, 9, 0, 1));
        Files.write(d.resolve("batches.meta.txt"), List.of("airplane", "automobile", "bird", "cat", "deer", "dog",
                "frog", "horse", "ship", "truck", ""));
    }

    @Test
    void readsCifar10BatchesWithClassNamesAndPixelPlanes(@TempDir Path dir) throws IOException {
        writeCifar10(dir);
        Dataset d = open(dir);
        assertThat(d.name()).isEqualTo("cifar10");
        assertThat(d.train().orElseThrow().size()).isEqualTo(10);
        assertThat(d.test().orElseThrow().size()).isEqualTo(3);
        assertThat(d.train().orElseThrow().exampleShape()).isEqualTo(new Shape(3, 32, 32));
        assertThat(d.train().orElseThrow().labels()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(d.test().orElseThrow().labels()).containsExactly(9, 0, 1);
        assertThat(d.train().orElseThrow().classNames()).hasSize(10).startsWith("airplane").endsWith("truck");
        float[] img = Batches.example(d.train().orElseThrow(), 7);
        // image 7, green plane (c = 1), pixel 10: (7 + 30 + 1) / 255
        assertThat(img[1024 + 10]).isEqualTo(38 / 255f);
        float[] t = Batches.example(d.test().orElseThrow(), 2);
        assertThat(t[2 * 1024 + 100]).isEqualTo(((102 + 300 + 2) & 0xFF) / 255f);
        assertThat(d.provenance()).containsKeys("data_batch_1.bin", "data_batch_2.bin", "test_batch.bin");
    }

    @Test
    void readsCifar100FineOrCoarseLabels(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("train.bin"), cifar100(0, new int[] {3, 19, 0}, new int[] {42, 99, 7}));
        Files.write(dir.resolve("test.bin"), cifar100(50, new int[] {1}, new int[] {13}));
        Dataset fine = open(dir);
        assertThat(fine.name()).isEqualTo("cifar100");
        assertThat(fine.train().orElseThrow().labels()).containsExactly(42, 99, 7);
        assertThat(fine.train().orElseThrow().numClasses()).isEqualTo(100);
        Dataset coarse = open(dir, "labels", "coarse");
        assertThat(coarse.train().orElseThrow().labels()).containsExactly(3, 19, 0);
        assertThat(coarse.test().orElseThrow().labels()).containsExactly(1);
        assertThat(coarse.train().orElseThrow().numClasses()).isEqualTo(20);
        assertThat(Batches.example(coarse.test().orElseThrow(), 0)[5]).isEqualTo(65 / 255f);
    }

    @Test
    void truncatedFilesAndBadLabelsAreNamed(@TempDir Path dir) throws IOException {
        writeCifar10(dir);
        Path batch = dir.resolve("cifar-10-batches-bin/data_batch_2.bin");
        byte[] b = Files.readAllBytes(batch);
        Files.write(batch, Arrays.copyOf(b, b.length - 100));
        assertThatThrownBy(() -> open(dir)).isInstanceOf(PretextException.class)
                .hasMessageContaining("data_batch_2.bin").hasMessageContaining("3073-byte records")
                .hasMessageContaining("truncated");
        Files.write(batch, cifar10(5, 5, 6, 12, 8, 9));
        assertThatThrownBy(() -> open(dir)).hasMessageContaining("data_batch_2.bin")
                .hasMessageContaining("image 2 has label 12").hasMessageContaining("0..9");
    }

    @Test
    void diskStorageAndLimits(@TempDir Path dir) throws IOException {
        writeCifar10(dir);
        Dataset mem = open(dir, "train-limit", "7");
        Dataset disk = open(dir, "train-limit", "7", "storage", "disk");
        assertThat(mem.train().orElseThrow().size()).isEqualTo(7);
        assertThat(disk.provenance()).containsEntry("storage", "disk");
        assertThat(Batches.values(disk.train().orElseThrow())).containsExactly(Batches.values(mem.train().orElseThrow()));
        assertThat(disk.train().orElseThrow().labels()).containsExactly(0, 1, 2, 3, 4, 5, 6);
    }
}
