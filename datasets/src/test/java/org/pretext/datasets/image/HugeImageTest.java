package org.pretext.datasets.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.PretextException;
import org.pretext.data.Dataset;

/**
 * Issue 17, item 2: a 1.6 MB PNG of 20000 × 20000 pixels (and the same declared size in every
 * other format the reader takes) is refused from its header, before anything is decoded, and
 * named; it used to end the run with "decoding images failed: java.lang.OutOfMemoryError".
 */
class HugeImageTest {
    private static final int SIDE = 20000;

    /** Every format, each file declaring 20000 × 20000, by file name. */
    static Map<String, byte[]> hugeFiles() throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("cat/huge.png", HugeImages.png(SIDE, SIDE));
        m.put("cat/huge.jpg", HugeImages.jpeg(SIDE, SIDE));
        m.put("cat/png-named.jpg", m.get("cat/huge.png")); // the suffix lies: the content's reader is asked too
        m.put("dog/huge.bmp", HugeImages.bmp(SIDE, SIDE));
        m.put("dog/huge.gif", HugeImages.gif(SIDE, SIDE));
        m.put("dog/huge.tif", HugeImages.tiff(SIDE, SIDE));
        m.put("dog/huge.wbmp", HugeImages.wbmp(SIDE, SIDE));
        return m;
    }

    @Test
    void theHostileFilesAreSmallAndDeclareTheHugeSize() throws IOException {
        // the PNG generator makes valid files: a small one decodes completely
        BufferedImage small = ImageIO.read(new ByteArrayInputStream(HugeImages.png(300, 200)));
        assertThat(small.getWidth()).isEqualTo(300);
        assertThat(small.getHeight()).isEqualTo(200);
        assertThat(small.getRGB(299, 199) & 0xFFFFFF).isZero();
        for (Map.Entry<String, byte[]> e : hugeFiles().entrySet()) {
            assertThat(e.getValue().length).as(e.getKey()).isLessThan(2_000_000);
            if (!e.getKey().endsWith(".wbmp")) { // ImageIO finds WBMP by suffix only
                assertThat(ImageDecoder.dimensions(e.getValue())).as(e.getKey()).containsExactly(SIDE, SIDE);
            }
        }
    }

    @Test
    void imagesAboveThePixelLimitAreSkippedUndecodedAndNamedInEveryFormat(@TempDir Path dir) throws IOException {
        ImageFolderDatasetProviderTest.pets(dir);
        for (Map.Entry<String, byte[]> e : hugeFiles().entrySet()) {
            Files.write(dir.resolve(e.getKey()), e.getValue());
        }
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Dataset d;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            d = ImageFolderDatasetProviderTest.open(dir, "size", "8");
        } finally {
            System.setErr(old);
        }
        assertThat(d.train().orElseThrow().size() + d.test().orElseThrow().size()).isEqualTo(12);
        assertThat(d.provenance()).containsEntry("skippedFiles", "7");
        String warning = err.toString(StandardCharsets.UTF_8);
        assertThat(warning).contains("skipped 7 of 19 files");
        String reason = " (is 20000 x 20000 = 400.0 megapixels, above max-pixels = 50000000 (a dataset parameter;"
                + " raise it to read such images))";
        for (String name : new String[] {"cat/huge.jpg", "cat/huge.png", "cat/png-named.jpg", "dog/huge.bmp",
            "dog/huge.gif"}) { // the warning names the first five, sorted
            assertThat(warning).contains(name + reason);
        }
        assertThat(warning).contains("(2 more)");
    }

    @Test
    void onBadFileStopNamesTheHugeImage(@TempDir Path dir) throws IOException {
        ImageFolderDatasetProviderTest.pets(dir);
        Files.write(dir.resolve("dog/huge.png"), HugeImages.png(SIDE, SIDE));
        assertThatThrownBy(() -> ImageFolderDatasetProviderTest.open(dir, "on-bad-file", "stop"))
                .isInstanceOf(PretextException.class)
                .hasMessageContaining("Image file dog/huge.png in " + dir.toAbsolutePath().normalize()
                        + " is 20000 x 20000 = 400.0 megapixels, above max-pixels = 50000000 (a dataset parameter;"
                        + " raise it to read such images). Remove it, or set the dataset parameter on-bad-file=skip")
                .hasMessageContaining("on-bad-file=skip");
    }

    @Test
    void thePixelLimitIsADatasetParameter(@TempDir Path dir) throws IOException {
        for (int i = 0; i < 3; i++) {
            ImageFolderDatasetProviderTest.write(ImageFolderDatasetProviderTest.grey(8, 8, 100), "png",
                    dir.resolve("a/" + i + ".png"));
            ImageFolderDatasetProviderTest.write(ImageFolderDatasetProviderTest.grey(8, 8, 30), "png",
                    dir.resolve("b/" + i + ".png"));
        }
        ImageFolderDatasetProviderTest.write(ImageFolderDatasetProviderTest.grey(40, 30, 30), "bmp",
                dir.resolve("b/big.bmp"));
        assertThat(ImageFolderDatasetProviderTest.open(dir, "size", "8").provenance()).containsEntry("files", "7");
        assertThatThrownBy(() -> ImageFolderDatasetProviderTest.open(dir, "size", "8", "max-pixels", "64",
                "on-bad-file", "stop")).hasMessageContaining("b/big.bmp")
                .hasMessageContaining("is 40 x 30 pixels, above max-pixels = 64 (a dataset parameter;");
    }

    @Test
    void decodingThreadsShareAPixelBudget() throws Exception {
        ImageDecoder.PixelBudget budget = new ImageDecoder.PixelBudget(100);
        budget.acquire(80);
        budget.acquire(20); // fits exactly
        AtomicBoolean entered = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            budget.acquire(500); // more than the whole budget: waits until it is alone
            entered.set(true);
            budget.release(500);
            done.countDown();
        });
        t.start();
        Thread.sleep(100);
        assertThat(entered).isFalse();
        budget.release(80);
        Thread.sleep(50);
        assertThat(entered).isFalse();
        budget.release(20);
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    }
}
