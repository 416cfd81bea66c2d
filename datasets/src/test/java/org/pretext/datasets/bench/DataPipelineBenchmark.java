package org.pretext.datasets.bench;

import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.pretext.data.Batch;
import org.pretext.data.BatchPlan;
import org.pretext.data.HostTensor;
import org.pretext.data.Split;
import org.pretext.datasets.image.ImageFolderDatasetProvider;
import org.pretext.datasets.npy.NpyDType;
import org.pretext.datasets.npy.NpyFile;
import org.pretext.datasets.npy.NpyWriter;
import org.pretext.datasets.store.RowFormat;
import org.pretext.datasets.store.ShardedExamples;
import org.pretext.datasets.store.StorageOptions;
import org.pretext.transform.Augmentation;
import org.pretext.transform.DigitAugmentation;
import org.pretext.transform.NaturalImageAugmentation;
import org.pretext.transform.Views;

/**
 * Data pipeline throughput against what the training step consumes (not part of the test suite).
 * Measures, on this machine: images decoded per second from PNG and JPEG files (1 and 2 threads),
 * augmented views per second for the grey digit recipe and SimCLR's colour recipe (1 and 2
 * threads), and examples per second streamed from shards on disk, and compares each with the
 * SimCLR MLP step's appetite: about 40 steps/s × 512 views = 20,480 views/s.
 *
 * <pre>
 * mvn -o -q -B -pl datasets -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/pretext-cp.txt -Dmdep.includeScope=test
 * java -cp datasets/target/test-classes:datasets/target/classes:$(cat /tmp/pretext-cp.txt) org.pretext.datasets.bench.DataPipelineBenchmark
 * </pre>
 */
public final class DataPipelineBenchmark {
    private static final double STEP_VIEWS_PER_SECOND = 40 * 512;

    private DataPipelineBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("pretext-bench");
        try {
            System.out.printf(Locale.ROOT, "Data pipeline benchmark (%d processors, Java %s); the SimCLR MLP step"
                    + " consumes about %,.0f views/s%n%n", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"), STEP_VIEWS_PER_SECOND);
            System.out.println("| stage | threads | items/s (wall) | items per CPU-second | wall × step's need |");
            System.out.println("|---|---|---|---|---|");
            decode(dir, "png", 32, 32, 3000);
            decode(dir, "jpg", 96, 32, 1500);
            augment("digits recipe, (1, 28, 28)", new DigitAugmentation(1, 28, 28, 0.35, 15, 10, 0.4, 0.1, 0.5),
                    new Shape(1, 28, 28));
            augment("SimCLR colour recipe, (3, 32, 32)", new NaturalImageAugmentation(3, 32, 32, 0.08, 0.5, 1.0, 0.8,
                    0.2, 0.5), new Shape(3, 32, 32));
            augment("SimCLR colour recipe, (3, 64, 64)", new NaturalImageAugmentation(3, 64, 64, 0.08, 0.5, 1.0, 0.8,
                    0.2, 0.5), new Shape(3, 64, 64));
            stream(dir);
        } finally {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory
            .getThreadMXBean();

    /** CPU seconds used by the current thread so far. */
    private static double cpu() {
        return CPU.getCurrentThreadCpuTime() / 1e9;
    }

    /** CPU seconds used by the whole process so far (all threads, GC included). */
    private static double processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    private static void row(String stage, int threads, double perSecond, double perCpuSecond) {
        System.out.printf(Locale.ROOT, "| %s | %d | %,.0f | %s | %.1f |%n", stage, threads, perSecond,
                Double.isNaN(perCpuSecond) ? "n/a" : String.format(Locale.ROOT, "%,.0f", perCpuSecond),
                perSecond / STEP_VIEWS_PER_SECOND);
    }

    /** Writes n colour images of a side in a format into two class folders, then decodes them to 32x32. */
    private static void decode(Path root, String format, int side, int out, int n) throws Exception {
        Path dir = root.resolve(format);
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    img.setRGB(x, y, r.nextInt(1 << 24));
                }
            }
            Path f = dir.resolve((i % 2 == 0 ? "a" : "b") + "/" + i + "." + format);
            Files.createDirectories(f.getParent());
            ImageIO.write(img, format.equals("jpg") ? "jpeg" : format, f.toFile());
        }
        for (int threads : new int[] {1, 2}) {
            ImageFolderDatasetProvider.Options o = new ImageFolderDatasetProvider.Options(out, "crop", "rgb", "stop",
                    threads);
            ImageFolderDatasetProvider.open(dir, o, 0.2, 0, StorageOptions.defaults().withMode("memory"));
            long t0 = System.nanoTime();
            double c0 = processCpu();
            int reps = 2;
            for (int k = 0; k < reps; k++) {
                ImageFolderDatasetProvider.open(dir, o, 0.2, 0, StorageOptions.defaults().withMode("memory"));
            }
            double s = (System.nanoTime() - t0) / 1e9;
            double cpuSeconds = processCpu() - c0;
            row("decode " + format.toUpperCase(Locale.ROOT) + " " + side + "x" + side + " -> " + out + "x" + out
                    + " (read, decode, resize; process CPU)", threads, reps * n / s, reps * n / cpuSeconds);
        }
    }

    /** Views per second: Views.augment on batches of 256, one or two threads. */
    private static void augment(String name, Augmentation a, Shape shape) throws Exception {
        int b = 256;
        int size = (int) shape.size();
        float[] data = new float[b * size];
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) r.nextDouble();
        }
        long[] dims = new long[shape.dimension() + 1];
        dims[0] = b;
        System.arraycopy(shape.getShape(), 0, dims, 1, shape.dimension());
        HostTensor batch = HostTensor.of(data, new Shape(dims));
        for (int i = 0; i < 20; i++) {
            Views.augment(batch, a, new SplittableRandom(i));
        }
        for (int threads : new int[] {1, 2}) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            int perThread = 40;
            long t0 = System.nanoTime();
            List<Future<Double>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                fs.add(pool.submit(() -> {
                    double c0 = cpu();
                    for (int i = 0; i < perThread; i++) {
                        Views.augment(batch, a, new SplittableRandom(id * 1000L + i));
                    }
                    return cpu() - c0;
                }));
            }
            double cpuSeconds = 0;
            for (Future<Double> f : fs) {
                cpuSeconds += f.get();
            }
            double s = (System.nanoTime() - t0) / 1e9;
            pool.shutdown();
            row("augment: " + name, threads, threads * perThread * b / s, threads * perThread * b / cpuSeconds);
        }
    }

    /** Examples per second from a shuffled ShardedSplit over a uint8 (n, 3, 32, 32) file. */
    private static void stream(Path root) {
        int n = 40_000;
        byte[] x = new byte[n * 3072];
        new SplittableRandom(3).nextBytes(x);
        Path f = root.resolve("images.npy");
        NpyWriter.writeBytes(f, x, n, 3, 32, 32);
        ShardedExamples ex = ShardedExamples.ofFile(NpyFile.open(f), new RowFormat(NpyDType.U1,
                NpyDType.BYTE_SCALE, new Shape(3, 32, 32), false), 4 << 20, 4);
        Split s = ex.view(null, null, null);
        for (int epoch = 0; epoch < 3; epoch++) {
            long t0 = System.nanoTime();
            double c0 = cpu();
            long count = 0;
            Iterator<Batch> it = s.batches(BatchPlan.shuffled(512, 1, epoch));
            while (it.hasNext()) {
                count += it.next().size();
            }
            double sec = (System.nanoTime() - t0) / 1e9;
            double cpuSec = cpu() - c0;
            if (epoch == 2) {
                row("stream shuffled shards from disk, uint8 (3, 32, 32) -> float batches of 512 (consumer thread;"
                        + " shard reads on background threads)", 1, count / sec, count / cpuSec);
            }
        }
    }
}
