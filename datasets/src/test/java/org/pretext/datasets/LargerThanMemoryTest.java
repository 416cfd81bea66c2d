package org.pretext.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ai.djl.ndarray.types.DataType;
import org.pretext.datasets.npy.NpyWriter;

/**
 * A dataset larger than the heap: 256 MiB of float32 features (262,144 × 256) and their labels
 * as .npy files, opened and pretrained on for a whole epoch in a JVM limited to a 96 MiB heap.
 * The data cannot fit, so this passes only if it is streamed in shards with bounded memory.
 */
class LargerThanMemoryTest {
    private static final int ROWS = 262_144;
    private static final int DIM = 256;
    private static final int HEAP_MB = 96;

    /**
     * Rows on a 4-dimensional subspace plus a little noise, column 0 replaced by the row's id /
     * ROWS so the child can tell examples apart; labels id mod 10.
     */
    static void writeData(Path dir) {
        SplittableRandom r = new SplittableRandom(1);
        float[][] basis = new float[4][DIM];
        for (float[] b : basis) {
            for (int j = 0; j < DIM; j++) {
                b[j] = (float) (r.nextGaussian() * 0.25);
            }
        }
        int chunk = 4096;
        float[] buf = new float[chunk * DIM];
        int[] labels = new int[ROWS];
        try (NpyWriter w = NpyWriter.create(dir.resolve("x.npy"), DataType.FLOAT32, ROWS, DIM)) {
            for (int from = 0; from < ROWS; from += chunk) {
                for (int i = 0; i < chunk; i++) {
                    int id = from + i;
                    float a = (float) r.nextGaussian();
                    float b = (float) r.nextGaussian();
                    float c = (float) r.nextGaussian();
                    float e = (float) r.nextGaussian();
                    int o = i * DIM;
                    for (int j = 0; j < DIM; j++) {
                        buf[o + j] = a * basis[0][j] + b * basis[1][j] + c * basis[2][j] + e * basis[3][j]
                                + 0.01f * ((j * 31 + id) % 7 - 3);
                    }
                    buf[o] = (float) id / ROWS;
                    labels[id] = id % 10;
                }
                w.writeFloats(buf, 0, buf.length);
            }
        }
        NpyWriter.writeInts(dir.resolve("y.npy"), labels, ROWS);
    }

    @Test
    void pretrainsOnDataLargerThanTheHeap(@TempDir Path dir) throws IOException, InterruptedException {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        writeData(data);
        assertThat(Files.size(data.resolve("x.npy"))).isGreaterThan(256L << 20);
        Path result = dir.resolve("result.properties");
        Path log = dir.resolve("child.log");
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + HEAP_MB + "m",
                "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), LargerThanMemoryChild.class.getName(),
                data.toString(), result.toString(), Integer.toString(ROWS)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean done = p.waitFor(150, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String out = Files.readString(log);
        assertThat(done).as("child finished in time; its output:\n" + out).isTrue();
        assertThat(p.exitValue()).as("child exit code; its output:\n" + out).isZero();
        Properties r = new Properties();
        try (FileInputStream in = new FileInputStream(result.toFile())) {
            r.load(in);
        }
        System.out.println("larger-than-memory child: " + r);
        assertThat(r.getProperty("provider")).isEqualTo("npy");
        assertThat(r.getProperty("storage")).isEqualTo("disk");
        long maxHeap = Long.parseLong(r.getProperty("maxHeapMB"));
        assertThat(maxHeap).isLessThanOrEqualTo(HEAP_MB);
        assertThat(Files.size(data.resolve("x.npy")) >> 20).isGreaterThan(2 * maxHeap);
        // the stratified hold-out: classes 0-3 have 26,215 rows, 4-9 have 26,214; each keeps all but
        // round(0.2 n) = 5,243 for testing, so 262,144 - 10 x 5,243 = 209,714 remain for (pre)training
        long pretrain = Long.parseLong(r.getProperty("pretrain"));
        assertThat(pretrain).isEqualTo(209_714);
        assertThat(Long.parseLong(r.getProperty("streamed"))).isEqualTo(pretrain);
        assertThat(Long.parseLong(r.getProperty("steps"))).isEqualTo(pretrain / 512);
        double first = Double.parseDouble(r.getProperty("firstLoss"));
        double fin = Double.parseDouble(r.getProperty("finalLoss"));
        assertThat(fin).isLessThan(first * 0.5);
    }
}
