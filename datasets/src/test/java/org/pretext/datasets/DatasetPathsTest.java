package org.pretext.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.util.List;
import org.pretext.PretextException;
import org.pretext.data.DatasetProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderRegistry;
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
        assertThat((String) c.params().get("dir")).endsWith("cifar-10-batches-bin");
        Path c100 = dir.resolve("c100");
        touch(c100.resolve("train.bin"));
        touch(c100.resolve("test.bin"));
        assertThat(DatasetPaths.resolve(c100).provider()).isEqualTo("cifar");
        assertThat(DatasetPaths.resolve(c100.resolve("test.bin")).params())
                .containsEntry("dir", c100.toAbsolutePath().toString());

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
        assertThat(DatasetPaths.resolve(dir.resolve("flat")).provider()).isEqualTo("images");

        touch(dir.resolve("shakespeare/input.txt"));
        assertThat(DatasetPaths.resolve(dir.resolve("shakespeare")).provider()).isEqualTo("text");
        assertThat(DatasetPaths.resolve(dir.resolve("shakespeare/input.txt")).params())
                .containsEntry("path", dir.resolve("shakespeare/input.txt").toAbsolutePath().toString());
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
                .hasMessageContaining("Could not tell what dataset").hasMessageContaining("no dataset provider")
                .hasMessageContaining("idx (dir): folder holding the four MNIST-style files")
                .hasMessageContaining("cifar (dir)").hasMessageContaining("npy (path)").hasMessageContaining("csv (path)")
                .hasMessageContaining("images (dir)").hasMessageContaining("text (path)")
                .hasMessageContaining("1 file (e.g. readme.md)").hasMessageContaining("1 folder (e.g. docs)")
                .hasMessageContaining("--dataset NAME");
        assertThatThrownBy(() -> DatasetPaths.resolve(dir.resolve("nope"))).hasMessageContaining("does not exist");
        touch(dir.resolve("half/" + IdxFiles.TRAIN_IMAGES));
        assertThatThrownBy(() -> DatasetPaths.resolve(dir.resolve("half")))
                .hasMessageContaining(IdxFiles.TEST_LABELS).hasMessageContaining("the four")
                .hasMessageContaining("1 file (e.g. " + IdxFiles.TRAIN_IMAGES + ")");
        touch(dir.resolve("one.png"));
        assertThatThrownBy(() -> DatasetPaths.resolve(dir.resolve("one.png"))).hasMessageContaining("folder");
    }

    @Test
    void aPathTwoProvidersClaimIsRefusedNamingBoth(@TempDir Path dir) throws IOException {
        Path mixed = dir.resolve("mixed");
        Files.createDirectories(mixed);
        NpyWriter.writeFloats(mixed.resolve("x.npy"), new float[4], 2, 2);
        Files.writeString(mixed.resolve("t.csv"), "a,label\n1,0\n");
        assertThatThrownBy(() -> DatasetPaths.resolve(mixed)).isInstanceOf(PretextException.class)
                .hasMessageContaining(mixed.toString()).hasMessageContaining("recognised by 2 providers (csv, npy)")
                .hasMessageContaining("npy (path): an .npy file of inputs").hasMessageContaining("Choose one");
    }

    /** A dataset of a plug-in: files ending in .pets, opened through a parameter of type PATH. */
    static final class PetsProvider extends org.pretext.registry.ProviderBase implements DatasetProvider {
        static final Param<Path> FILE = Param.ofPath("file", null, "a .pets file of pet photos");

        PetsProvider() {
            super(org.pretext.Versions.SPI_VERSION, "pets", "pet photos in .pets files", List.of(FILE));
        }

        @Override
        public org.pretext.data.Dataset open(ParamValues params) {
            throw new UnsupportedOperationException("not opened here");
        }

        @Override
        public boolean recognises(Path path) {
            return path.getFileName().toString().endsWith(".pets");
        }
    }

    @Test
    void aPluginProviderRecognisesItsOwnFiles(@TempDir Path dir) throws IOException {
        Path pets = dir.resolve("cats.pets");
        touch(pets);
        List<DatasetProvider> builtIn = List.copyOf(ProviderRegistry.load(DatasetProvider.class, "dataset")
                .all().values());
        assertThatThrownBy(() -> DatasetPaths.resolve(pets, builtIn)).hasMessageContaining("no dataset provider")
                .hasMessageContaining(pets.toString());
        List<DatasetProvider> withPlugin = new java.util.ArrayList<>(builtIn);
        withPlugin.add(new PetsProvider());
        DatasetPaths.Resolved r = DatasetPaths.resolve(pets, withPlugin);
        assertThat(r.provider()).isEqualTo("pets");
        assertThat(r.params()).containsExactly(java.util.Map.entry("file", pets.toAbsolutePath().toString()));
        assertThat(ParamValues.resolve("dataset 'pets'", new PetsProvider().parameters(), r.params())
                .get(PetsProvider.FILE)).isEqualTo(pets.toAbsolutePath());
        // and it does not claim what the built-in providers read
        Path csv = dir.resolve("t.csv");
        Files.writeString(csv, "a,label\n1,0\n");
        assertThat(DatasetPaths.resolve(csv, withPlugin).provider()).isEqualTo("csv");
    }
}
