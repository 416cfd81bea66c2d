package org.pretext.datasets.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.PretextException;
import org.pretext.data.Dataset;
import org.pretext.data.DatasetProvider;
import org.pretext.data.Split;
import org.pretext.datasets.testing.Batches;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderRegistry;

/** Image folders as a user makes them: real PNG and JPEG files written with ImageIO, and some bad files. */
class ImageFolderDatasetProviderTest {
    static Dataset open(Path dir, String... kv) {
        DatasetProvider p = ProviderRegistry.load(DatasetProvider.class, "dataset").get("images");
        Map<String, Object> raw = new HashMap<>();
        raw.put("dir", dir.toString());
        for (int i = 0; i < kv.length; i += 2) {
            raw.put(kv[i], kv[i + 1]);
        }
        return p.open(ParamValues.resolve("dataset 'images'", p.parameters(), raw));
    }

    /** A w×h RGB image of one colour with a little per-pixel variation. */
    static BufferedImage colour(int w, int h, int r, int g, int b, int seed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = (x * 7 + y * 3 + seed * 11) % 16;
                img.setRGB(x, y, ((r + v) << 16) | ((g + v) << 8) | (b + v));
            }
        }
        return img;
    }

    static BufferedImage grey(int w, int h, int value) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        byte[] d = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
        Arrays.fill(d, (byte) value);
        return img;
    }

    static void write(BufferedImage img, String format, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        assertThat(ImageIO.write(img, format, file.toFile())).isTrue();
    }

    /** cat/ (reddish PNG and JPEG, 40x30) and dog/ (bluish), 6 of each. */
    static void pets(Path dir) throws IOException {
        for (int i = 0; i < 6; i++) {
            write(colour(40, 30, 200, 30, 30, i), i % 2 == 0 ? "png" : "jpg",
                    dir.resolve("cat/cat" + i + (i % 2 == 0 ? ".png" : ".jpg")));
            write(colour(30, 40, 30, 30, 200, i), i % 2 == 0 ? "png" : "jpeg",
                    dir.resolve("dog/dog" + i + (i % 2 == 0 ? ".png" : ".jpeg")));
        }
    }

    /** A text file, a PNG cut in half, an empty JPEG, and a hidden file that must be ignored silently. */
    static void badFiles(Path dir) throws IOException {
        Files.writeString(dir.resolve("cat/notes.txt"), "not an image");
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(colour(40, 30, 1, 2, 3, 0), "png", png);
        byte[] b = png.toByteArray();
        Files.write(dir.resolve("dog/broken.png"), Arrays.copyOf(b, b.length / 2));
        Files.write(dir.resolve("dog/empty.jpg"), new byte[0]);
        Files.writeString(dir.resolve("cat/.DS_Store"), "mac metadata");
    }

    @Test
    void readsClassFoldersOfPngAndJpegAsColourImages(@TempDir Path dir) throws IOException {
        pets(dir);
        Dataset d = open(dir, "size", "16", "test-fraction", "0.34");
        Split train = d.train().orElseThrow();
        Split test = d.test().orElseThrow();
        assertThat(train.exampleShape()).isEqualTo(new Shape(3, 16, 16));
        assertThat(train.classNames()).containsExactly("cat", "dog");
        assertThat(train.size() + test.size()).isEqualTo(12);
        assertThat(test.size()).isEqualTo(4);
        float[] x = Batches.values(train);
        int[] y = train.labels();
        int plane = 16 * 16;
        for (int i = 0; i < y.length; i++) {
            double r = 0;
            double b = 0;
            for (int p = 0; p < plane; p++) {
                float red = x[i * 3 * plane + p];
                float blue = x[i * 3 * plane + 2 * plane + p];
                assertThat(red).isBetween(0f, 1f);
                r += red;
                b += blue;
            }
            r /= plane;
            b /= plane;
            // cats are red (200 + up to 15 of 255, about 0.81), dogs blue; JPEG moves values a little
            if (y[i] == 0) {
                assertThat(r).isBetween(0.75, 0.88);
                assertThat(b).isBetween(0.1, 0.2);
            } else {
                assertThat(b).isBetween(0.75, 0.88);
                assertThat(r).isBetween(0.1, 0.2);
            }
        }
        assertThat(d.provenance()).containsEntry("files", "12").containsEntry("storage", "memory")
                .doesNotContainKey("skippedFiles");
    }

    @Test
    void skipsBadFilesWithOneWarningNamingThem(@TempDir Path dir) throws IOException {
        pets(dir);
        badFiles(dir);
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Dataset d;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            d = open(dir, "size", "8");
        } finally {
            System.setErr(old);
        }
        assertThat(d.train().orElseThrow().size() + d.test().orElseThrow().size()).isEqualTo(12);
        assertThat(d.provenance()).containsEntry("skippedFiles", "3");
        assertThat(d.provenance().get("skippedExamples")).contains("cat/notes.txt").contains("dog/broken.png")
                .contains("dog/empty.jpg").doesNotContain("DS_Store");
        String warning = err.toString(StandardCharsets.UTF_8);
        assertThat(warning).contains("skipped 3 of 15 files").contains("cat/notes.txt (is not an image file")
                .contains("dog/broken.png (cannot be decoded").contains("dog/empty.jpg (is empty")
                .contains("on-bad-file=stop");
    }

    @Test
    void stopsAtABadFileNamingIt(@TempDir Path dir) throws IOException {
        pets(dir);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(colour(40, 30, 1, 2, 3, 0), "png", png);
        Files.write(dir.resolve("dog/broken.png"), Arrays.copyOf(png.toByteArray(), 100));
        assertThatThrownBy(() -> open(dir, "on-bad-file", "stop", "decode-threads", "1"))
                .isInstanceOf(PretextException.class).hasMessageContaining("dog/broken.png")
                .hasMessageContaining("cannot be decoded").hasMessageContaining("on-bad-file=skip");
    }

    @Test
    void greyImagesStayGreyWithExactValues(@TempDir Path dir) throws IOException {
        for (int i = 0; i < 4; i++) {
            write(grey(8, 8, 100), "png", dir.resolve("a/" + i + ".png"));
            write(grey(8, 8, 30), "png", dir.resolve("b/" + i + ".png"));
        }
        Dataset d = open(dir, "size", "8");
        Split train = d.train().orElseThrow();
        assertThat(train.exampleShape()).isEqualTo(new Shape(1, 8, 8));
        float[] x = Batches.values(train);
        int[] y = train.labels();
        for (int i = 0; i < y.length; i++) {
            // raster samples, not getRGB (which would brighten linear grey 100 to about 170)
            assertThat(x[i * 64 + 20]).isEqualTo((y[i] == 0 ? 100 : 30) / 255f);
        }
        Dataset rgb = open(dir, "size", "8", "channels", "rgb");
        assertThat(rgb.train().orElseThrow().exampleShape()).isEqualTo(new Shape(3, 8, 8));
    }

    /** 64×32: left half black, right half white. */
    static BufferedImage halves() {
        BufferedImage img = new BufferedImage(64, 32, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 32; y++) {
            for (int x = 32; x < 64; x++) {
                img.getRaster().setSample(x, y, 0, 255);
            }
        }
        return img;
    }

    @Test
    void cropTakesTheCentreSquareAndStretchTheWholeImage(@TempDir Path dir) throws IOException {
        write(halves(), "png", dir.resolve("x.png"));
        write(halves(), "png", dir.resolve("y.png"));
        // crop: the centre 32x32 square spans x = 16..48, so the edge falls in the middle of the output
        float[] crop = Batches.example(open(dir, "size", "8").pretrain(), 0);
        float[] stretch = Batches.example(open(dir, "size", "8", "resize", "stretch").pretrain(), 0);
        for (int row = 0; row < 8; row++) {
            for (int col = 0; col < 8; col++) {
                float c = crop[row * 8 + col];
                float s = stretch[row * 8 + col];
                if (col <= 2) {
                    assertThat(c).isZero();
                    assertThat(s).isZero();
                } else if (col >= 5) {
                    assertThat(c).isEqualTo(1f);
                    assertThat(s).isEqualTo(1f);
                }
            }
            assertThat(crop[row * 8 + 3]).isBetween(0f, 0.5f);
            assertThat(crop[row * 8 + 4]).isBetween(0.5f, 1f);
        }
    }

    @Test
    void flatFolderIsUnlabelledPretrainingData(@TempDir Path dir) throws IOException {
        for (int i = 0; i < 5; i++) {
            write(colour(20, 20, 10 * i, 50, 90, i), "png", dir.resolve("img" + i + ".png"));
        }
        Dataset d = open(dir, "size", "10");
        assertThat(d.train()).isEmpty();
        assertThat(d.test()).isEmpty();
        assertThat(d.pretrain().size()).isEqualTo(5);
        assertThat(d.pretrain().hasLabels()).isFalse();
        assertThat(d.pretrain().exampleShape()).isEqualTo(new Shape(3, 10, 10));
    }

    @Test
    void trainAndTestFoldersGiveTheSplits(@TempDir Path dir) throws IOException {
        for (String part : new String[] {"train", "test"}) {
            for (int i = 0; i < (part.equals("train") ? 4 : 2); i++) {
                write(grey(12, 12, 200), "png", dir.resolve(part + "/light/" + i + ".png"));
                write(grey(12, 12, 20), "png", dir.resolve(part + "/dark/" + i + ".png"));
            }
        }
        Dataset d = open(dir, "size", "12");
        assertThat(d.train().orElseThrow().size()).isEqualTo(8);
        assertThat(d.test().orElseThrow().size()).isEqualTo(4);
        assertThat(d.test().orElseThrow().classNames()).containsExactly("dark", "light");
        assertThat(d.test().orElseThrow().labels()).containsExactly(0, 0, 1, 1);
        assertThat(d.pretrain().size()).isEqualTo(8);
    }

    @Test
    void decodingIsTheSameOnAnyNumberOfThreadsAndOnDisk(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("data");
        pets(data);
        float[] one = Batches.values(open(data, "size", "8", "decode-threads", "1").train().orElseThrow());
        // as many threads as the cores allow (decode-threads is bounded by them), up to 3
        String many = Integer.toString(Math.min(3, Runtime.getRuntime().availableProcessors()));
        float[] three = Batches.values(open(data, "size", "8", "decode-threads", many).train().orElseThrow());
        Dataset disk = open(data, "size", "8", "storage", "disk", "cache-dir", dir.resolve("cache").toString());
        assertThat(disk.provenance()).containsEntry("storage", "disk");
        assertThat(three).containsExactly(one);
        assertThat(Batches.values(disk.train().orElseThrow())).containsExactly(one);
    }

    /** Each example is named by its file: the class folder of every id is its label's, and its pixels are the file's. */
    @Test
    void splitsNameEachExampleByItsFileInMemoryOnDiskAndFromTheCache(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("data");
        pets(data);
        badFiles(data); // skipped files must not shift the names
        String cache = dir.resolve("cache").toString();
        for (Dataset d : List.of(open(data, "size", "8", "test-fraction", "0.34", "on-bad-file", "skip"),
                open(data, "size", "8", "test-fraction", "0.34", "on-bad-file", "skip", "storage", "disk",
                        "cache-dir", cache),
                open(data, "size", "8", "test-fraction", "0.34", "on-bad-file", "skip", "storage", "disk",
                        "cache-dir", cache))) {
            java.util.Set<String> all = new java.util.HashSet<>();
            for (Split split : List.of(d.train().orElseThrow(), d.test().orElseThrow())) {
                List<String> ids = split.ids().orElseThrow();
                assertThat(ids).hasSize((int) split.size());
                float[] x = Batches.values(split);
                int plane = 8 * 8;
                for (int i = 0; i < ids.size(); i++) {
                    String id = ids.get(i);
                    assertThat(data.resolve(id)).isRegularFile();
                    assertThat(id).startsWith(split.classNames().get(split.labels()[i]) + "/");
                    double r = 0;
                    double b = 0;
                    for (int k = 0; k < plane; k++) {
                        r += x[i * 3 * plane + k];
                        b += x[i * 3 * plane + 2 * plane + k];
                    }
                    assertThat(r > b).as("example %d (%s) is reddish", i, id).isEqualTo(id.startsWith("cat/"));
                    all.add(id);
                }
            }
            assertThat(all).hasSize(12); // every readable image once; the bad files are not named
            assertThat(d.pretrain().ids()).contains(d.train().orElseThrow().ids().orElseThrow());
        }
    }

    @Test
    void emptyOrImagelessFoldersAreRefused(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> open(dir.resolve("empty"))).hasMessageContaining("holds no files");
        Files.createDirectories(dir.resolve("texts/a"));
        Files.writeString(dir.resolve("texts/a/readme.txt"), "x");
        assertThatThrownBy(() -> open(dir.resolve("texts"))).isInstanceOf(PretextException.class)
                .hasMessageContaining("no readable images").hasMessageContaining("a/readme.txt");
    }
}
