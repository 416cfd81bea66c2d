package org.pretext.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.PretextException;
import org.pretext.data.Dataset;
import org.pretext.testing.SharedData;

class IdxReaderTest {
    /** An IDX image file of n images of h×w with pixel value (i + y + x) mod 256. */
    static byte[] images(int n, int h, int w) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(0x00000803);
            out.writeInt(n);
            out.writeInt(h);
            out.writeInt(w);
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < h * w; p++) {
                    out.writeByte((i + p / w + p % w) & 0xFF);
                }
            }
        }
        return bytes.toByteArray();
    }

    static byte[] labels(int... ys) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(0x00000801);
            out.writeInt(ys.length);
            for (int y : ys) {
                out.writeByte(y);
            }
        }
        return bytes.toByteArray();
    }

    static void gzip(Path file, byte[] data) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(data);
        }
    }

    @Test
    void readsHeaderAndValues(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("x-idx3-ubyte.gz");
        gzip(f, images(3, 2, 4));
        IdxReader.IdxArray a = IdxReader.read(f);
        assertThat(a.dims()).containsExactly(3, 2, 4);
        assertThat(a.itemSize()).isEqualTo(8);
        assertThat(a.data()[8 + 4 + 1] & 0xFF).isEqualTo(1 + 1 + 1); // image 1, row 1, column 1
    }

    @Test
    void truncatedFileIsRejectedByName(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("train-images-idx3-ubyte.gz");
        byte[] all = images(10, 28, 28);
        gzip(f, Arrays.copyOf(all, all.length - 100));
        assertThatThrownBy(() -> IdxReader.read(f))
                .isInstanceOf(PretextException.class)
                .hasMessage("IDX file " + f + " is truncated: its header declares 7840 values but only 7740 follow");
    }

    @Test
    void truncatedGzipStreamIsRejectedByName(@TempDir Path dir) throws IOException {
        Path good = dir.resolve("good.gz");
        gzip(good, images(10, 28, 28));
        byte[] compressed = Files.readAllBytes(good);
        Path f = dir.resolve("cut-idx3-ubyte.gz");
        Files.write(f, Arrays.copyOf(compressed, compressed.length / 2));
        assertThatThrownBy(() -> IdxReader.read(f)).isInstanceOf(PretextException.class)
                .hasMessageContaining("IDX file " + f + " is truncated");
    }

    @Test
    void headerDisagreeingWithTheSizeIsRejected(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("long-idx1-ubyte");
        byte[] l = labels(1, 2, 3);
        byte[] longer = Arrays.copyOf(l, l.length + 5);
        Files.write(f, longer);
        assertThatThrownBy(() -> IdxReader.read(f))
                .hasMessageContaining("IDX file " + f + " has more data than its header declares (3 values)");
    }

    @Test
    void wrongMagicIsRejected(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("notidx.gz");
        gzip(f, "hello, world, this is text".getBytes());
        assertThatThrownBy(() -> IdxReader.read(f)).hasMessageContaining("IDX file " + f + " has header 0x68656C6C");
    }

    @Test
    void labelCountMustMatchImageCount(@TempDir Path dir) throws IOException {
        gzip(dir.resolve(IdxFiles.TRAIN_IMAGES), images(4, 5, 5));
        gzip(dir.resolve(IdxFiles.TRAIN_LABELS), labels(0, 1, 2));
        gzip(dir.resolve(IdxFiles.TEST_IMAGES), images(2, 5, 5));
        gzip(dir.resolve(IdxFiles.TEST_LABELS), labels(0, 1));
        assertThatThrownBy(() -> IdxDatasetProvider.open(dir, 0, 0))
                .hasMessageContaining(IdxFiles.TRAIN_LABELS + " holds 3 labels but")
                .hasMessageContaining("holds 4 images");
    }

    @Test
    void anyFolderOfTheFourFilesIsADataset(@TempDir Path dir) throws IOException {
        gzip(dir.resolve(IdxFiles.TRAIN_IMAGES), images(4, 5, 6));
        gzip(dir.resolve(IdxFiles.TRAIN_LABELS), labels(0, 1, 2, 1));
        gzip(dir.resolve(IdxFiles.TEST_IMAGES), images(2, 5, 6));
        gzip(dir.resolve(IdxFiles.TEST_LABELS), labels(2, 0));
        Dataset d = IdxDatasetProvider.open(dir, 0, 0);
        assertThat(d.pretrain().size()).isEqualTo(4);
        assertThat(d.pretrain().hasLabels()).isFalse();
        assertThat(d.train().orElseThrow().labels()).containsExactly(0, 1, 2, 1);
        assertThat(d.test().orElseThrow().exampleShape().getShape()).containsExactly(1, 5, 6);
        assertThat(d.provenance()).containsKey(IdxFiles.TRAIN_IMAGES);
    }

    @Test
    void missingFileNamesTheFolderAndTheExpectedFiles(@TempDir Path dir) {
        assertThatThrownBy(() -> IdxDatasetProvider.open(dir, 0, 0))
                .hasMessageContaining(dir.resolve(IdxFiles.TRAIN_IMAGES) + " does not exist")
                .hasMessageContaining(IdxFiles.TEST_LABELS);
    }

    @Test
    void bundledSubsetIsTheFirstTenThousandOfTheSharedMnist() {
        Path mnist = SharedData.require("mnist");
        Dataset bundled = MnistDatasetProvider.open(0, 0);
        Dataset full = IdxDatasetProvider.open(mnist, 10_000, 0);
        assertThat(bundled.train().orElseThrow().labels()).containsExactly(full.train().orElseThrow().labels());
        assertThat(bundled.test().orElseThrow().size()).isEqualTo(10_000);
        assertThat(bundled.test().orElseThrow().labels()).containsExactly(full.test().orElseThrow().labels());
        assertThat(bundled.train().orElseThrow().numClasses()).isEqualTo(10);
    }

    /** The child JVM of {@link #aHeaderDeclaringBillionsOfValuesInATinyFileIsTruncatedNotAnAllocation}. */
    public static void main(String[] args) {
        try {
            IdxReader.read(Path.of(args[0]));
            System.out.println("accepted");
        } catch (PretextException e) {
            System.out.println(e.getMessage());
        }
    }

    @Test
    void aHeaderDeclaringBillionsOfValuesInATinyFileIsTruncatedNotAnAllocation(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("lying-idx3-ubyte.gz");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(0x00000803);
            out.writeInt(2000);
            out.writeInt(1000);
            out.writeInt(1000); // 2,000,000,000 values declared, 10 present
            out.write(new byte[10]);
        }
        gzip(f, bytes.toByteArray());
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-cp", cp, IdxReaderTest.class.getName(), f.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(out).as(out).contains("IDX file " + f + " is truncated: its header declares 2000000000 values but"
                + " only 10 follow").doesNotContain("OutOfMemoryError");
    }
}
