package org.pretext.bench;

import ai.djl.Device;
import com.google.gson.GsonBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pretext.data.Dataset;
import org.pretext.datasets.MnistDatasetProvider;
import org.pretext.runtime.EngineSetup;
import org.pretext.model.PretextModel;
import org.pretext.objective.Objective;
import org.pretext.training.PretrainConfig;
import org.pretext.training.Pretrainer;
import org.pretext.training.StepMetrics;
import org.pretext.training.TrainingListener;

/**
 * The memory soak: 20,000 real SimCLR steps (MLP encoder, augmentation on worker threads,
 * checkpoints every 2,000 steps) on the bundled MNIST, recording the process's resident memory
 * every 1,000 steps. Passes when every reading from step 2,000 on stays within 5% of the reading at
 * step 2,000. Writes {@code bench/soak.json}.
 *
 * <pre>java -cp bench/target/pretext-bench.jar org.pretext.bench.Soak [--steps 20000] [--batch 256] [--threads 0]</pre>
 */
public final class Soak {
    private Soak() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = Args.parse(args);
        long steps = Args.longValue(a, "steps", 20000);
        int every = Args.integer(a, "every", 1000);
        int batch = Args.integer(a, "batch", 256);
        EngineSetup.configureThreads(Args.integer(a, "threads", 0));
        Dataset data = MnistDatasetProvider.open(0, 0);
        BenchConfig c = BenchConfig.named("simclr-mlp");
        ClassLoader cl = Soak.class.getClassLoader();
        Objective objective = c.newObjective(cl);
        Path ckpt = Files.createTempDirectory("pretext-soak");
        List<double[]> readings = new ArrayList<>();
        long t0 = System.nanoTime();
        try (PretextModel model = PretextModel.create(c.encoders(cl, data.pretrain().exampleShape()), objective,
                data.pretrain().exampleShape(), Device.cpu(), 1)) {
            new Pretrainer(PretrainConfig.builder().steps(steps).batchSize(batch).logEvery(every).checkpointDir(ckpt)
                    .checkpointEvery(2000).seed(1).build()).addListener(new TrainingListener() {
                        @Override
                        public void onStep(StepMetrics m) {
                            double rss = Resources.rssMb();
                            readings.add(new double[] {m.step(), rss});
                            System.out.printf(Locale.ROOT, "step %6d  rss %.1f MB  loss %.4f  %.0f samples/s%n", m.step(),
                                    rss, m.meanLoss(), m.samplesPerSecond());
                        }
                    }).run(model, data.pretrain(), null);
        }
        double base = readings.stream().filter(r -> r[0] == 2 * every).mapToDouble(r -> r[1]).findFirst()
                .orElse(Double.NaN);
        double maxDev = readings.stream().filter(r -> r[0] >= 2 * every).mapToDouble(r -> Math.abs(r[1] / base - 1))
                .max().orElse(Double.NaN);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("steps", steps);
        out.put("batchSize", batch);
        out.put("seconds", (System.nanoTime() - t0) / 1e9);
        out.put("rssAtStep2000Mb", base);
        out.put("maxDeviationFromStep2000", maxDev);
        out.put("passed", maxDev <= 0.05);
        out.put("readings", readings);
        Files.writeString(Path.of("bench/soak.json"), new GsonBuilder().setPrettyPrinting().create().toJson(out),
                StandardCharsets.UTF_8);
        System.out.printf(Locale.ROOT, "resident memory at step 2,000: %.1f MB; largest deviation after it: %.2f%% -> %s%n",
                base, 100 * maxDev, maxDev <= 0.05 ? "PASS" : "FAIL");
        try (var s = Files.list(ckpt)) {
            for (Path f : s.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(ckpt);
    }
}
