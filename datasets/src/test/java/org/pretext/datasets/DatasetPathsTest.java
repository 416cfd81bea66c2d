package org.pretext.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.PretextException;
import org.pretext.datasets.npy.NpyWriter;

class DatasetPathsTest {
    private static void touch(Path p) throws IOException {
        Files.createDirectories(p.getParent());
        Files.write(p, new byte[] {1});
    }

    @Test
    void recognisesEachKindOfData(@TempDir Path dir) throws IOException {
        Path idx = dir.resolve("mnist");
        for (String f : new String[] {IdxFiles.TRAIN_IMAGES, IdxFiles.TRAIN_LABELS, IdxFiles.TEST_IMAGES,
                IdxFiles.TEST_LABELS}) {
            touch(idx.resolve(f));
        }
        assertThat(DatasetPaths.resolve(idx).provider()).isEqualTo("idx");
        assertThat(DatasetPaths.resolve(idx).params()).containsEntry("dir", idx.toAbsolutePath().toString());
        assertThat(DatasetPaths.resolve(idx.resolve(IdxFiles.TRAIN_IMAGES)).provider()).isEqualTo("idx");

        Path cifar = dir.resolve("c10");
        touch(cifar.resolve("cifar-10-batches-bin/data_batch_1.bin"));
        touch(cifar.resolve("cifar-10-batches-bin/test_batch.bin"));
        DatasetPaths.Resolved c = DatasetPaths.resolve(cifar);
        assertThat(c.provider()).isEqualTo("cifar");
        assertThat(c.params().get("dir")).endsWith("cifar-10-batches-bin");
        Path c100 = dir.resolve("c100");
        touch(c100.resolve("train.bin"));
        touch(c100.resolve("test.bin"));
        assertThat(DatasetPaths.resolve(c100).reason()).contains("CIFAR-100");

        Path npy = dir.resolve("arrays");
        Files.createDirectories(npy);
        NpyWriter.writeFloats(npy.resolve("x.npy"), new float[4], 2, 2);
        assertThat(DatasetPaths.resolve(npy).provider()).isEqualTo("npy");
        assertThat(DatasetPaths.resolve(npy.resolve("x.npy")).params()).containsKey("path");

        Path csv = dir.resolve("table.csv");
        Files.writeString(csv, "a,label\n1,0\n");
        assertThat(DatasetPaths.resolve(csv).provider()).isEqualTo("csv");
        touch(dir.resolve("tables/train.csv"));
        assertThat(DatasetPaths.resolve(dir.resolve("tables")).provider()).isEqualTo("csv");

        touch(dir.resolve("pets/cat/a.jpg"));
        touch(dir.resolve("pets/dog/b.png"));
        assertThat(DatasetPaths.resolve(dir.resolve("pets")).provider()).isEqualTo("images");
        touch(dir.resolve("split/train/cat/a.jpeg"));
        assertThat(DatasetPaths.resolve(dir.resolve("split")).provider()).isEqualTo("images");
        touch(dir.resolve("flat/1.gif"));
        assertThat(DatasetPaths.resolve(dir.resolve("flat")).reason()).isEqualTo("a folder of images");
    }

    @Test
    void opensFromCodeWithOverrides(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("t.csv");
        Files.writeString(csv, "a;b;label\n1;2;x\n3;4;y\n5;6;x\n7;8;y\n");
        org.pretext.data.Dataset d = DatasetPaths.open(csv, java.util.Map.of("test-fraction", "0.5"));
        assertThat(d.test().orElseThrow().size()).isEqualTo(2);
        assertThat(d.train().orElseThrow().classNames()).containsExactly("x", "y");
        assertThat(DatasetPaths.open(csv).provenance()).containsEntry("labelColumn", "label");
        assertThatThrownBy(() -> DatasetPaths.open(csv, java.util.Map.of("size", "3")))
                .hasMessageContaining("Unknown parameter 'size'");
    }

    @Test
    void saysWhatItLookedForAndWhatItFound(@TempDir Path dir) throws IOException {
        touch(dir.resolve("stuff/readme.md"));
        touch(dir.resolve("stuff/docs/a.txt"));
        assertThatThrownBy(() -> DatasetPaths.resolve(dir.resolve("stuff"))).isInstanceOf(PretextException.class)
                .hasMessageContaining("Could not tell what dataset").hasMessageContaining("IDX files")
                .hasMessageContaining("CIFAR-10").hasMessageContaining(".npy").hasMessageContaining(".csv")
                .hasMessageContaining("class folders").hasMessageContaining("1 file (e.g. readme.md)")
                .hasMessageContaining("1 folder without images (e.g. docs)");
        assertThatThrownBy(() -> DatasetPaths.resolve(dir.resolve("nope"))).hasMessageContaining("does not exist");
        touch(dir.resolve("half/" + IdxFiles.TRAIN_IMAGES));
        assertThatThrownBy(() -> DatasetPaths.resolve(dir.resolve("half")))
                .hasMessageContaining(IdxFiles.TEST_LABELS).hasMessageContaining("all four");
        touch(dir.resolve("one.png"));
        assertThatThrownBy(() -> DatasetPaths.resolve(dir.resolve("one.png"))).hasMessageContaining("folder");
    }
}
