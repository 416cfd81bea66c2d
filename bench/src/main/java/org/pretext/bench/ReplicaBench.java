package org.pretext.bench;

import ai.djl.Device;
import com.google.gson.GsonBuilder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pretext.data.Dataset;
import org.pretext.datasets.MnistDatasetProvider;
import org.pretext.model.PretextModel;
import org.pretext.runtime.EngineSetup;
import org.pretext.training.PretrainConfig;
import org.pretext.training.PretrainResult;
import org.pretext.training.Pretrainer;

/**
 * The cost of data-parallel replication: the {@code simclr-mlp} step (SimCLR, MLP 784-512-128,
 * batch 256) on 1, 2 and 4 encoder replicas, all on the CPU, so that every replica's work runs one
 * after another on the same cores and the difference from 1 replica is the overhead of splitting,
 * gathering, reducing gradients and copying weights (the gather path). Rounds alternate the replica
 * counts; prints one JSON object with steps/s, the overhead against 1 replica and the per-step
 * milliseconds of every phase (including {@code reduce} and {@code broadcast}).
 *
 * <pre>java -cp bench/target/pretext-bench.jar org.pretext.bench.ReplicaBench [--steps 200] [--rounds 3] [--threads 1]</pre>
 */
public final class ReplicaBench {
    private ReplicaBench() {}

    public static void main(String[] args) {
        Map<String, String> a = Args.parse(args);
        long steps = Args.longValue(a, "steps", 200);
        int rounds = Args.integer(a, "rounds", 3);
        int batch = Args.integer(a, "batch", 256);
        EngineSetup.configureThreads(Args.integer(a, "threads", 1));
        Dataset data = MnistDatasetProvider.open(0, 0);
        BenchConfig c = BenchConfig.named("simclr-mlp");
        ClassLoader cl = ReplicaBench.class.getClassLoader();
        int[] counts = {1, 2, 4};
        Map<Integer, List<Double>> rates = new LinkedHashMap<>();
        Map<Integer, Map<String, Double>> phases = new LinkedHashMap<>();
        run(c, cl, data, 1, 100, batch); // warm-up (JIT, allocator)
        for (int r = 0; r < rounds; r++) {
            for (int n : counts) {
                PretrainResult res = run(c, cl, data, n, steps, batch);
                rates.computeIfAbsent(n, k -> new ArrayList<>()).add((res.steps() - res.startStep()) / res.seconds());
                Map<String, Double> p = phases.computeIfAbsent(n, k -> new LinkedHashMap<>());
                res.phaseSeconds().forEach((k, v) -> p.merge(k, v * 1e3 / (res.steps() - res.startStep()) / rounds, Double::sum));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("config", "simclr-mlp");
        out.put("batchSize", batch);
        out.put("steps", steps);
        out.put("rounds", rounds);
        double base = median(rates.get(1));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int n : counts) {
            Map<String, Object> row = new LinkedHashMap<>();
            double sps = median(rates.get(n));
            row.put("replicas", n);
            row.put("stepsPerSecond", sps);
            row.put("overheadVsOne", base / sps - 1);
            row.put("msPerStepByPhase", phases.get(n));
            rows.add(row);
            System.err.printf(Locale.ROOT, "%d replica%s: %.1f steps/s (%+.1f%% time per step against 1)%n", n,
                    n == 1 ? "" : "s", sps, 100 * (base / sps - 1));
        }
        out.put("results", rows);
        System.out.println(new GsonBuilder().setPrettyPrinting().create().toJson(out));
    }

    private static PretrainResult run(BenchConfig c, ClassLoader cl, Dataset data, int replicas, long steps,
            int batch) {
        try (PretextModel model = PretextModel.create(c.encoders(cl, data.pretrain().exampleShape()),
                c.newObjective(cl), data.pretrain().exampleShape(), Device.cpu(), 1)) {
            return new Pretrainer(PretrainConfig.builder().steps(steps).batchSize(batch).logEvery((int) steps)
                    .seed(1).devices(Collections.nCopies(replicas, Device.cpu())).build())
                    .run(model, data.pretrain(), null);
        }
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
