package org.pretext.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pretext.Versions;

/**
 * The benchmark suite: Pretext's training step against the same model in plain PyTorch on this
 * machine, in separate processes, alternating, after warm-up, at 1 and 2 threads, several rounds;
 * PyTorch at its best BLAS build and kernel set; plus GEMM peak, equal-loss check, cold start,
 * peak memory, data-pipeline and feature-extraction throughput. Writes {@code BENCHMARKS.md} and
 * {@code bench/results.json}. Run from the project root:
 *
 * <pre>mvn -B -q package -DskipTests -Pbench && java -jar bench/target/pretext-bench.jar</pre>
 *
 * Options: {@code --rounds N} (3), {@code --configs a,b} (all), {@code --warmup N}, {@code --steps N}
 * (for every configuration; by default each takes its own {@link BenchConfig.SuiteSteps}).
 *
 * <p>Time budget: the whole suite must finish within 20 minutes on a 2-core machine. Its 88 processes
 * (per configuration 8 PyTorch tuning runs, 3 rounds × 2 thread counts × 2 sides, 2 equal-loss runs)
 * cost about 2.5–3 s of start-up each, about 4 minutes; the GEMM peak runs about 1.5 minutes. Steps
 * per configuration ({@link BenchConfig.SuiteSteps}): simclr-mlp 500 warm-up + 500 timed (the JIT
 * keeps speeding DJL's loop up for several hundred steps), simclr-cnn and mae 5 + 15 (their steps are
 * 23 GFLOP), causal-lm 50 + 150; the equal-loss check runs the first 100 steps of every
 * configuration on both sides at 1 thread (about 2 minutes each for simclr-cnn and mae). The data
 * pipeline benchmark writes and decodes 4,500 images (about half a minute). Measured on the quiet
 * 2-core machine: see "Suite wall time" in BENCHMARKS.md.
 */
public final class Suite {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();
    private static final String[] BLAS = {"openblas-pthread", "openblas-openmp"};
    private static final String[] CORE = {"Haswell", "SkylakeX"};
    private static final int[] THREADS = {1, 2};
    /** Pretext's best setting: MKL's AVX-512 kernels on AMD (opt-in, see MklCpuOverride). */
    private static final Map<String, String> BEST = Map.of("PRETEXT_MKL_OVERRIDE", "true");
    private final Path root;
    private final String jar;
    private final String python;
    private final List<String> log = new ArrayList<>();

    private Suite(Path root, String jar, String python) {
        this.root = root;
        this.jar = jar;
        this.python = python;
    }

    /** One measured process: its JSON result and the seconds from start to its first training step. */
    record Run(Map<String, Object> result, double coldStartSeconds) {
        double get(String key) {
            Object v = result.get(key);
            return v instanceof Number n ? n.doubleValue() : Double.NaN;
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = Args.parse(args);
        Path root = Path.of(a.getOrDefault("root", ".")).toAbsolutePath().normalize();
        Path script = root.resolve("bench/python/reference_step.py");
        if (!Files.exists(script)) {
            throw new IllegalStateException("run the suite from the project root (" + script + " not found)");
        }
        String jar = Path.of(Suite.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        Suite s = new Suite(root, jar, a.getOrDefault("python", "/usr/bin/python3"));
        int rounds = Args.integer(a, "rounds", 3);
        List<String> configs = a.containsKey("configs") ? List.of(a.get("configs").split(","))
                : BenchConfig.ALL.stream().map(BenchConfig::name).toList();
        s.runAll(configs, rounds, Args.integer(a, "warmup", -1), Args.integer(a, "steps", -1));
    }

    /**
     * @param warmupAll warm-up steps for every configuration, or -1 for each configuration's own
     * @param stepsAll timed steps for every configuration, or -1 for each configuration's own
     */
    private void runAll(List<String> configs, int rounds, int warmupAll, int stepsAll) throws Exception {
        long t0 = System.nanoTime();
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("machine", machine());
        // 1. GEMM peak on both sides
        List<Map<String, Object>> gemm = new ArrayList<>();
        for (int t : THREADS) {
            gemm.add(java("org.pretext.bench.GemmBench", Map.of("PRETEXT_MKL_OVERRIDE", "true"), "--threads", "" + t)
                    .result());
            gemm.add(java("org.pretext.bench.GemmBench", Map.of("PRETEXT_MKL_OVERRIDE", "false"), "--threads", "" + t)
                    .result());
            for (String blas : BLAS) {
                for (String core : CORE) {
                    gemm.add(python(blas, core, "--gemm", "2048", "--threads", "" + t).result());
                }
            }
        }
        double peak = gemm.stream().mapToDouble(g -> ((Number) g.get("gflopsPerSecond")).doubleValue()).max().orElse(1);
        results.put("gemm", gemm);
        results.put("peakGflops", peak);
        // 2. per configuration: tune PyTorch, then alternate best against best
        Map<String, Object> perConfig = new LinkedHashMap<>();
        for (String name : configs) {
            BenchConfig c = BenchConfig.named(name);
            Map<String, Object> cr = new LinkedHashMap<>();
            int warmup = warmupAll >= 0 ? warmupAll : c.suite().warmup();
            int steps = stepsAll >= 0 ? stepsAll : c.suite().steps();
            int tuneSteps = stepsAll >= 0 ? Math.max(20, steps / 6) : c.suite().tuning();
            Map<Integer, String[]> best = new LinkedHashMap<>();
            List<Map<String, Object>> tuning = new ArrayList<>();
            for (int t : THREADS) {
                double bestRate = -1;
                for (String blas : BLAS) {
                    for (String core : CORE) {
                        Run r = python(blas, core, "--config", name, "--threads", "" + t, "--warmup",
                                "" + tuneSteps, "--steps", "" + tuneSteps);
                        tuning.add(r.result());
                        if (r.get("stepsPerSecond") > bestRate) {
                            bestRate = r.get("stepsPerSecond");
                            best.put(t, new String[] {blas, core});
                        }
                    }
                }
            }
            cr.put("pytorchTuning", tuning);
            Map<String, List<Run>> runs = new LinkedHashMap<>();
            for (int round = 0; round < rounds; round++) {
                for (int t : THREADS) {
                    boolean javaFirst = round % 2 == 0;
                    for (int k = 0; k < 2; k++) {
                        if ((k == 0) == javaFirst) {
                            runs.computeIfAbsent("pretext-" + t, x -> new ArrayList<>()).add(java(
                                    "org.pretext.bench.StepBench", BEST, "--config", name, "--threads", "" + t,
                                    "--warmup", "" + warmup, "--steps", "" + steps));
                        } else {
                            runs.computeIfAbsent("pytorch-" + t, x -> new ArrayList<>()).add(python(best.get(t)[0],
                                    best.get(t)[1], "--config", name, "--threads", "" + t, "--warmup", "" + warmup,
                                    "--steps", "" + steps));
                        }
                    }
                }
            }
            Map<String, Object> medians = new LinkedHashMap<>();
            for (Map.Entry<String, List<Run>> e : runs.entrySet()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("stepsPerSecond", median(e.getValue(), "stepsPerSecond"));
                m.put("samplesPerSecond", median(e.getValue(), "samplesPerSecond"));
                m.put("coldStartSeconds", median(e.getValue().stream().map(Run::coldStartSeconds).toList()));
                m.put("peakRssMb", median(e.getValue(), "peakRssMb"));
                m.put("rounds", e.getValue().stream().map(r -> r.get("stepsPerSecond")).toList());
                m.put("phaseMillisPerStep", meanPhases(e.getValue()));
                medians.put(e.getKey(), m);
            }
            cr.put("medians", medians);
            cr.put("pytorchBest", best.entrySet().stream().collect(LinkedHashMap::new,
                    (m, e) -> m.put(e.getKey().toString(), String.join(" ", e.getValue())), Map::putAll));
            cr.put("flopsPerStep", c.flopsPerStep());
            cr.put("batch", c.batch());
            cr.put("warmup", warmup);
            cr.put("steps", steps);
            cr.put("equalLoss", equalLoss(name, c.suite().equalLoss()));
            perConfig.put(name, cr);
        }
        results.put("configs", perConfig);
        results.put("throughput", java("org.pretext.bench.ThroughputBench", Map.of(), "--threads", "1").result());
        results.put("suiteSeconds", (System.nanoTime() - t0) / 1e9);
        Files.writeString(root.resolve("bench/results.json"), GSON.toJson(results), StandardCharsets.UTF_8);
        Files.writeString(root.resolve("BENCHMARKS.md"), Markdown.render(results, log), StandardCharsets.UTF_8);
        System.out.println("wrote BENCHMARKS.md and bench/results.json in "
                + String.format(Locale.ROOT, "%.0f s", (System.nanoTime() - t0) / 1e9));
    }

    /**
     * Pretext's first {@code steps} losses from its initial weights against PyTorch's from the same
     * weights and batches.
     */
    private Map<String, Object> equalLoss(String name, int steps) throws Exception {
        Path dir = Files.createTempDirectory("pretext-equal-loss");
        Run j = java("org.pretext.bench.StepBench", Map.of(), "--config", name, "--threads", "1", "--dump",
                dir.toString(), "--dump-steps", "" + steps);
        Run p = python("openblas-pthread", "Haswell", "--config", name, "--threads", "1", "--load", dir.toString());
        @SuppressWarnings("unchecked")
        List<Number> a = (List<Number>) j.result().get("losses");
        @SuppressWarnings("unchecked")
        List<Number> b = (List<Number>) p.result().get("losses");
        double maxAbs = 0;
        double maxRel = 0;
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            double d = Math.abs(a.get(i).doubleValue() - b.get(i).doubleValue());
            maxAbs = Math.max(maxAbs, d);
            maxRel = Math.max(maxRel, d / Math.abs(b.get(i).doubleValue()));
        }
        try (var s = Files.list(dir)) {
            for (Path f : s.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("steps", Math.min(a.size(), b.size()));
        m.put("maxAbsDifference", maxAbs);
        m.put("maxRelativeDifference", maxRel);
        m.put("firstLossPretext", a.get(0));
        m.put("firstLossPytorch", b.get(0));
        m.put("lastLossPretext", a.get(a.size() - 1));
        m.put("lastLossPytorch", b.get(b.size() - 1));
        return m;
    }

    private Run java(String mainClass, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx4g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
                // Pretext at its best on a quiet machine, as PyTorch is: libgomp's own spinning (the runner's
                // default waits passively, which is safer on a shared machine: BENCHMARKS.md, "A shared machine")
                "-Dpretext.ompWait=library", "-cp", jar, mainClass));
        cmd.addAll(List.of(args));
        return start(cmd, env);
    }

    private Run python(String blas, String core, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(python, root.resolve("bench/python/reference_step.py").toString()));
        cmd.addAll(List.of(args));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("LD_LIBRARY_PATH", "/usr/lib/x86_64-linux-gnu/" + blas);
        env.put("OPENBLAS_CORETYPE", core);
        env.put("PRETEXT_BLAS", blas);
        // OpenBLAS's pthread build ignores torch.set_num_threads: without this its "1 thread" GEMM ran on both cores
        String threads = threadsOf(args);
        if (threads != null) {
            env.put("OPENBLAS_NUM_THREADS", threads);
            env.put("OMP_NUM_THREADS", threads);
        }
        return start(cmd, env);
    }

    /** The value of a {@code --threads} argument, or null. */
    private static String threadsOf(String... args) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--threads")) {
                return args[i + 1];
            }
        }
        return null;
    }

    private Run start(List<String> cmd, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        Process p = pb.start();
        double firstStep = Double.NaN;
        String last = null;
        StringBuilder all = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                all.append(line).append('\n');
                if (line.equals("FIRST_STEP") && Double.isNaN(firstStep)) {
                    firstStep = (System.nanoTime() - t0) / 1e9;
                } else if (line.startsWith("{")) {
                    last = line;
                }
            }
        }
        int code = p.waitFor();
        if (code != 0 || last == null) {
            throw new IllegalStateException("benchmark process failed (exit " + code + "): " + String.join(" ", cmd)
                    + "\n" + all);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> result = new Gson().fromJson(last, Map.class);
        String summary = String.join(" ", cmd.subList(Math.max(0, cmd.size() - 8), cmd.size())) + " → " + last;
        System.err.println(summary);
        log.add(summary);
        return new Run(result, firstStep);
    }

    /** The mean over runs of each phase's milliseconds per step (runs without phases are skipped). */
    @SuppressWarnings("unchecked")
    static Map<String, Double> meanPhases(List<Run> runs) {
        Map<String, Double> sum = new LinkedHashMap<>();
        int n = 0;
        for (Run r : runs) {
            if (r.result().get("phaseMillisPerStep") instanceof Map<?, ?> ph) {
                n++;
                ((Map<String, Object>) ph).forEach((k, v) -> sum.merge(k, ((Number) v).doubleValue(), Double::sum));
            }
        }
        int count = n;
        sum.replaceAll((k, v) -> v / count);
        return sum;
    }

    private static double median(List<Run> runs, String key) {
        return median(runs.stream().map(r -> r.get(key)).toList());
    }

    static double median(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        v.removeIf(d -> d == null || d.isNaN());
        if (v.isEmpty()) {
            return Double.NaN;
        }
        Collections.sort(v);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    private Map<String, Object> machine() throws IOException, InterruptedException {
        Map<String, Object> m = new LinkedHashMap<>();
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        m.put("cpu", cpu);
        m.put("cores", Runtime.getRuntime().availableProcessors());
        String mem = Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("[^0-9]", "");
        m.put("memoryGiB", Math.round(Long.parseLong(mem) / 1024.0 / 1024.0));
        m.put("avx512", Files.readString(Path.of("/proc/cpuinfo")).contains("avx512f"));
        m.put("date", LocalDate.now().toString());
        m.put("pretext", Versions.all());
        Process p = new ProcessBuilder(python, "-c", "import torch, numpy; print(torch.__version__, numpy.__version__)")
                .redirectErrorStream(true).start();
        m.put("pythonTorchNumpy", new String(p.getInputStream().readAllBytes()).trim());
        p.waitFor();
        return m;
    }
}
