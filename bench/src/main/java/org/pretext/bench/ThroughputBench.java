package org.pretext.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.google.gson.Gson;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.pretext.data.Batch;
import org.pretext.data.BatchPlan;
import org.pretext.data.Dataset;
import org.pretext.data.HostTensor;
import org.pretext.data.Split;
import org.pretext.datasets.MnistDatasetProvider;
import org.pretext.datasets.image.ImageFolderDatasetProvider;
import org.pretext.datasets.npy.NpyFile;
import org.pretext.datasets.npy.NpyWriter;
import org.pretext.datasets.store.RowFormat;
import org.pretext.datasets.store.ShardedExamples;
import org.pretext.datasets.store.StorageOptions;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.Features;
import org.pretext.encoders.MlpEncoderProvider;
import org.pretext.runtime.EngineSetup;
import org.pretext.model.PretextModel;
import org.pretext.transform.Augmentation;
import org.pretext.transform.DigitAugmentation;
import org.pretext.transform.NaturalImageAugmentation;
import org.pretext.transform.Views;

/**
 * Data-pipeline and feature-extraction throughput, printed as one JSON line for the suite (which
 * sets them beside what each training step consumes):
 * <ul>
 *   <li>images decoded per second from PNG and JPEG class folders by the image-folder provider
 *       (read, decode, resize/crop to 32×32 colour), on 1 and 2 decoding threads;
 *   <li>augmented views per second, {@link Views#augment} on batches of 256: the grey digit recipe
 *       (1, 28, 28) and SimCLR's colour recipe at (3, 32, 32) and (3, 64, 64), on 1 and 2 threads
 *       (the pretraining loop prepares batches on {@code training.prepare-threads} such threads);
 *   <li>examples per second streamed from shuffled shards on disk (the larger-than-memory path);
 *   <li>frozen-feature extraction of the 784-512-128 MLP in images per second.
 * </ul>
 * Each rate is wall-clock; {@code perCpuSecond} divides by the CPU time used instead.
 *
 * <pre>java -cp pretext-bench.jar org.pretext.bench.ThroughputBench --threads 1</pre>
 */
public final class ThroughputBench {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private ThroughputBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = Args.parse(args);
        int threads = Args.integer(a, "threads", 0);
        EngineSetup.configureThreads(threads);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("side", "pretext");
        out.put("threads", threads);
        Path dir = Files.createTempDirectory("pretext-throughput");
        try {
            List<Map<String, Object>> decode = new ArrayList<>();
            decode.addAll(decode(dir, "png", 32, 32, 3000));
            decode.addAll(decode(dir, "jpg", 96, 32, 1500));
            out.put("decode", decode);
            List<Map<String, Object>> augment = new ArrayList<>();
            augment.addAll(augment("digits", new DigitAugmentation(1, 28, 28, 0.35, 15, 10, 0.4, 0.1, 0.5),
                    new Shape(1, 28, 28)));
            augment.addAll(augment("natural", new NaturalImageAugmentation(3, 32, 32, 0.08, 0.5, 1.0, 0.8, 0.2, 0.5),
                    new Shape(3, 32, 32)));
            augment.addAll(augment("natural", new NaturalImageAugmentation(3, 64, 64, 0.08, 0.5, 1.0, 0.8, 0.2, 0.5),
                    new Shape(3, 64, 64)));
            out.put("augment", augment);
            out.put("stream", stream(dir));
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        out.put("featureImagesPerSecond", featureExtraction());
        System.out.println(new Gson().toJson(out));
    }

    /** CPU seconds used by the current thread so far. */
    private static double threadCpu() {
        return CPU.getCurrentThreadCpuTime() / 1e9;
    }

    /** CPU seconds used by the whole process so far (all threads, GC included). */
    private static double processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    private static Map<String, Object> rate(double perSecond, double perCpuSecond, int threads) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("threads", threads);
        m.put("perSecond", perSecond);
        m.put("perCpuSecond", perCpuSecond);
        return m;
    }

    /** Writes n random colour images of a side in a format into two class folders, then decodes them. */
    private static List<Map<String, Object>> decode(Path root, String format, int side, int size, int n)
            throws IOException {
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
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int threads : new int[] {1, 2}) {
            ImageFolderDatasetProvider.Options o = new ImageFolderDatasetProvider.Options(size, "crop", "rgb", "stop",
                    threads);
            ImageFolderDatasetProvider.open(dir, o, 0.2, 0, StorageOptions.defaults().withMode("memory")); // warm-up
            long t0 = System.nanoTime();
            double c0 = processCpu();
            int reps = 2;
            for (int k = 0; k < reps; k++) {
                ImageFolderDatasetProvider.open(dir, o, 0.2, 0, StorageOptions.defaults().withMode("memory"));
            }
            double s = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> m = rate(reps * n / s, reps * n / (processCpu() - c0), threads);
            m.put("format", format);
            m.put("from", side + "x" + side);
            m.put("to", "3x" + size + "x" + size);
            rows.add(m);
        }
        return rows;
    }

    /** Views per second: Views.augment on batches of 256, on one or two threads. */
    private static List<Map<String, Object>> augment(String recipe, Augmentation a, Shape shape) throws Exception {
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
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int threads : new int[] {1, 2}) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            int perThread = 40;
            long t0 = System.nanoTime();
            List<Future<Double>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                fs.add(pool.submit(() -> {
                    double c0 = threadCpu();
                    for (int i = 0; i < perThread; i++) {
                        Views.augment(batch, a, new SplittableRandom(id * 1000L + i));
                    }
                    return threadCpu() - c0;
                }));
            }
            double cpuSeconds = 0;
            for (Future<Double> f : fs) {
                cpuSeconds += f.get();
            }
            double s = (System.nanoTime() - t0) / 1e9;
            pool.shutdown();
            Map<String, Object> m = rate(threads * perThread * b / s, threads * perThread * b / cpuSeconds, threads);
            m.put("recipe", recipe);
            m.put("shape", shape.toString());
            rows.add(m);
        }
        return rows;
    }

    /** Examples per second from a shuffled ShardedSplit over a uint8 (n, 3, 32, 32) file, third epoch. */
    private static Map<String, Object> stream(Path root) {
        int n = 40_000;
        byte[] x = new byte[n * 3072];
        new SplittableRandom(3).nextBytes(x);
        Path f = root.resolve("images.npy");
        NpyWriter.writeBytes(f, x, n, 3, 32, 32);
        ShardedExamples ex = ShardedExamples.ofFile(NpyFile.open(f), new RowFormat(DataType.UINT8,
                NpyFile.BYTE_SCALE, new Shape(3, 32, 32), false), 4 << 20, 4);
        Split s = ex.view(null, null, null);
        Map<String, Object> m = null;
        for (int epoch = 0; epoch < 3; epoch++) {
            long t0 = System.nanoTime();
            double c0 = threadCpu();
            long count = 0;
            Iterator<Batch> it = s.batches(BatchPlan.shuffled(512, 1, epoch));
            while (it.hasNext()) {
                count += it.next().size();
            }
            m = rate(count / ((System.nanoTime() - t0) / 1e9), count / (threadCpu() - c0), 1);
        }
        m.put("what", "uint8 (3, 32, 32) rows in 4 MiB shards, shuffled, to float batches of 512");
        return m;
    }

    /** Frozen-feature extraction of the 784-512-128 MLP over the bundled MNIST test split, images/s. */
    private static double featureExtraction() {
        Dataset data = MnistDatasetProvider.open(0, 0);
        Encoder e = MlpEncoderProvider.create(data.pretrain().exampleShape(), List.of(512), 128, false);
        try (NDManager m = EngineSetup.engine().newBaseManager()) {
            e.block().initialize(m, DataType.FLOAT32, PretextModel.batched(e.inputShape(), 2));
            ParameterStore store = new ParameterStore(m, false);
            Features.extract(e, store, data.test().orElseThrow(), Device.cpu(), 1024); // warm-up
            long t2 = System.nanoTime();
            int reps = 3;
            for (int i = 0; i < reps; i++) {
                Features.extract(e, store, data.test().orElseThrow(), Device.cpu(), 1024);
            }
            return reps * data.test().orElseThrow().size() / ((System.nanoTime() - t2) / 1e9);
        }
    }
}
