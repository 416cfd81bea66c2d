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
import org.pretext.engine.FileTrees;

/**
 * The benchmark suite: Pretext's training step against the same model in plain PyTorch on this
 * machine, in separate processes, alternating, after warm-up, at 1 and 2 threads, several rounds;
 * PyTorch at its best BLAS build and kernel set; plus GEMM peak, equal-loss check, cold start,
 * peak memory, data-pipeline and feature-extraction throughput. Writes {@code BENCHMARKS.md} and
 * {@code bench/results.json}, keeping the sections of {@code BENCHMARKS.md} that other programs
 * wrote (those whose headings the suite does not generate). Run from the project root, as root:
 *
 * <pre>scripts/pytorch-root.sh setup && mvn -B -q package -DskipTests -Pbench && java -jar bench/target/pretext-bench.jar</pre>
 *
 * Two references: Debian bookworm's PyTorch 1.13 on the host ({@code /usr/bin/python3}, tuned over
 * OpenBLAS builds and kernel sets), and Debian trixie's PyTorch 2.6 in the root that
 * {@code scripts/pytorch-root.sh} builds, run through {@code scripts/pytorch-root.sh run} eager and
 * under {@code torch.compile} (inductor, CPU, modes {@code default} and
 * {@code max-autotune-no-cudagraphs}), tuned over its OpenBLAS builds (pthread, OpenMP; OpenBLAS
 * picks its own kernels, {@code OPENBLAS_CORETYPE} unset) with {@code OPENBLAS_NUM_THREADS} and
 * {@code torch.set_num_threads} pinned to the thread count. The compiled sides take the BLAS build
 * that won the eager tuning at the same thread count. Each compiled mode's first run of a
 * configuration compiles into an empty inductor cache (the cold compile time a first run pays), the
 * others into the root's default cache (warm); compile time is the first step less a timed one,
 * reported apart from steps/s. Without the root (or with {@code --no-torch26}) the 2.6 columns are
 * skipped with a message naming {@code scripts/pytorch-root.sh setup}.
 *
 * <p>Options: {@code --rounds N} (2), {@code --configs a,b} (all), {@code --warmup N}, {@code --steps N}
 * (for every configuration; by default each takes its own {@link BenchConfig.SuiteSteps}),
 * {@code --no-torch26}, {@code --compiled-threads best|all} (torch.compile at the thread count where
 * 2.6's eager step was fastest, the default, or at every one), {@code --scaling} (adds the scaling
 * sweep, {@link #scaling}) and {@code --scaling-only} (GEMM and the sweep only), {@code --quick}: the
 * plumbing only, in a few minutes on a quiet machine (the first one compiles its 8 graphs cold, later
 * ones reuse {@code bench/target/inductor-cache}): one round at one thread, 2 + 5 steps, no
 * tuning, 5 equal-loss steps, GEMM 512³, no throughput benchmark, written to
 * {@code bench/target/quick/} (BENCHMARKS.md and results.json stay untouched; its numbers mean
 * nothing).
 *
 * <p>Time budget: under 30 minutes on the quiet 2-core machine; an estimate from the step counts, to
 * be confirmed by the "Suite wall time" line of BENCHMARKS.md. Steps per configuration
 * ({@link BenchConfig.SuiteSteps}): simclr-mlp 500 warm-up + 500 timed, simclr-cnn and mae 5 + 15
 * (their steps are 23 GFLOP), causal-lm 50 + 150; equal losses over the first 100 steps. The PyTorch
 * 1.13 part took 12.6 minutes with 3 rounds (88 processes: per configuration 8 tuning runs, rounds ×
 * 2 thread counts × 2 sides, 2 equal-loss runs; GEMM peak 1.5 minutes); with 2 rounds about 10.
 * PyTorch 2.6 adds, per configuration: 4 eager tuning runs (~1.3 min in all), per round 2 eager and 2
 * compiled runs (each ~3 s of start-up, {@code import torch} in the root, plus 5–8 s of steps; the
 * compiled ones 3–8 s of warm compile: ~7 min in all at 2 rounds), one cold compile per mode (8 of
 * 20–40 s: ~4 min), 3 equal-loss runs at 2.6's fastest thread count (~4 min, mostly simclr-cnn and
 * mae), and 4 GEMM runs (~0.5 min): about 27 minutes in all. {@code --rounds 3} adds about 6
 * minutes. 2.6's warm-up is capped at {@value #TORCH26_WARMUP_CAP} steps (PyTorch has no JIT to warm;
 * the cap saves 400 steps per simclr-mlp run). The scaling sweep ({@code --scaling}) is outside this
 * budget: 18 points × 3 runs, each about 200 GFLOP of timed steps plus a compile per point.
 */
public final class Suite {
    /** NaN marks what a run did not measure (e.g. a warm compile in a one-round run): written as NaN, not refused. */
    static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();
    private static final String[] BLAS = {"openblas-pthread", "openblas-openmp"};
    private static final String[] CORE = {"Haswell", "SkylakeX"};
    /** PyTorch 2.6's sides: eager, then torch.compile's modes. */
    static final List<String> TORCH26_MODES = List.of("eager", "default", "max-autotune-no-cudagraphs");
    /** Warm-up steps of a PyTorch 2.6 run at most (after the first step, which compiles). */
    static final int TORCH26_WARMUP_CAP = 100;
    /** Pretext's best setting: MKL's AVX-512 kernels on AMD (opt-in, see MklCpuOverride). */
    private static final Map<String, String> BEST = Map.of("PRETEXT_MKL_OVERRIDE", "true");
    private final Path root;
    private final String jar;
    private final String python;
    private final List<String> log = new ArrayList<>();
    /** Problems a --quick run tolerates and reports (a full run stops on them). */
    private final List<String> warnings = new ArrayList<>();
    private final boolean quick;
    private final int[] threads;
    /** What {@code scripts/pytorch-root.sh check} printed, or null when the 2.6 columns are skipped. */
    private String torch26;
    /** Why the 2.6 columns are skipped, or null. */
    private String torch26Skipped;
    /** Whether to run the scaling sweep ({@code --scaling}, {@code --scaling-only}). */
    private boolean sweep;
    /** Whether torch.compile runs at every thread count ({@code --compiled-threads all}), not only eager's best. */
    private boolean compiledAllThreads;
    /** Batch sizes of the scaling sweep (at each configuration's own width). */
    static final int[] SWEEP_BATCHES = {64, 128, 256, 512, 1024};
    /** Widths of the scaling sweep (at each configuration's own batch). */
    static final int[] SWEEP_WIDTHS = {128, 256, 512, 1024, 2048};
    /** FLOPs a sweep point's timed steps add up to, about (a second or two on this machine). */
    static final double SWEEP_FLOPS = 200e9;

    private Suite(Path root, String jar, String python, boolean quick) {
        this.root = root;
        this.jar = jar;
        this.python = python;
        this.quick = quick;
        this.threads = quick ? new int[] {1} : new int[] {1, 2};
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
        boolean quick = a.containsKey("quick");
        Suite s = new Suite(root, jar, a.getOrDefault("python", "/usr/bin/python3"), quick);
        int rounds = Args.integer(a, "rounds", quick ? 1 : 2);
        List<String> configs = a.containsKey("configs") ? List.of(a.get("configs").split(","))
                : BenchConfig.ALL.stream().map(BenchConfig::name).toList();
        configs.forEach(BenchConfig::named); // an unknown name fails now, not after the GEMM runs
        if (a.containsKey("no-torch26")) {
            s.torch26Skipped = "skipped with --no-torch26";
        } else {
            s.findTorch26();
        }
        s.sweep = a.containsKey("scaling") || a.containsKey("scaling-only");
        String ct = a.getOrDefault("compiled-threads", "best");
        if (!ct.equals("best") && !ct.equals("all")) {
            throw new IllegalArgumentException("--compiled-threads expects best or all, not '" + ct + "'");
        }
        s.compiledAllThreads = ct.equals("all");
        s.runAll(a.containsKey("scaling-only") ? List.of() : configs, rounds, Args.integer(a, "warmup", quick ? 2 : -1),
                Args.integer(a, "steps", quick ? 5 : -1));
    }

    /** Whether the PyTorch 2.6 root is there ({@code scripts/pytorch-root.sh check}, which builds nothing). */
    private void findTorch26() throws IOException, InterruptedException {
        Path script = root.resolve("scripts/pytorch-root.sh");
        Process p = new ProcessBuilder(script.toString(), "check").directory(root.toFile()).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        Torch26Check c = Torch26Check.parse(code, out);
        torch26 = c.available() ? c.description() : null;
        torch26Skipped = c.available() ? null : c.description();
        System.err.println(c.available() ? "PyTorch 2.6 root: " + c.description()
                : "PyTorch 2.6 columns skipped: " + c.description());
    }

    /**
     * The outcome of {@code scripts/pytorch-root.sh check}.
     *
     * @param available whether the root can run the reference
     * @param description the root's torch version and BLAS links, or why it cannot be used and how to set it up
     */
    record Torch26Check(boolean available, String description) {
        static Torch26Check parse(int exitCode, String output) {
            String text = output.strip();
            String torchLine = text.lines().filter(l -> l.startsWith("torch ")).findFirst().orElse(null);
            if (exitCode == 0 && torchLine != null && torchLine.startsWith("torch 2.")) {
                List<String> lines = text.lines().filter(l -> l.startsWith("torch ") || l.startsWith("lib")).toList();
                return new Torch26Check(true, String.join("; ", lines));
            }
            String why = exitCode == 0 ? "its check printed no PyTorch 2.x version"
                    : "scripts/pytorch-root.sh check exited with " + exitCode;
            return new Torch26Check(false, "the PyTorch 2.6 root is not usable (" + why + ": "
                    + text.replace('\n', ' ') + "); set it up once with `sudo scripts/pytorch-root.sh setup`"
                    + " (Debian trixie's python3-torch in a debootstrap root, ~2 GB, needs Debian's mirror)");
        }
    }

    /**
     * @param warmupAll warm-up steps for every configuration, or -1 for each configuration's own
     * @param stepsAll timed steps for every configuration, or -1 for each configuration's own
     */
    private void runAll(List<String> configs, int rounds, int warmupAll, int stepsAll) throws Exception {
        long t0 = System.nanoTime();
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("machine", machine());
        if (quick) {
            results.put("quick", true);
        }
        // 1. GEMM peak on every side
        String gemmN = quick ? "512" : "2048";
        List<Map<String, Object>> gemm = new ArrayList<>();
        for (int t : threads) {
            gemm.add(java("org.pretext.bench.GemmBench", Map.of("PRETEXT_MKL_OVERRIDE", "true"), "--threads", "" + t,
                    "--n", gemmN).result());
            gemm.add(java("org.pretext.bench.GemmBench", Map.of("PRETEXT_MKL_OVERRIDE", "false"), "--threads", "" + t,
                    "--n", gemmN).result());
            for (String blas : quick ? new String[] {BLAS[0]} : BLAS) {
                for (String core : quick ? new String[] {CORE[0]} : CORE) {
                    gemm.add(python(blas, core, "--gemm", gemmN, "--threads", "" + t).result());
                }
            }
            if (torch26 != null) {
                for (String blas : quick ? new String[] {BLAS[0]} : BLAS) {
                    gemm.add(torch26(blas, "--gemm", gemmN, "--threads", "" + t).result());
                }
            }
        }
        double peak = gemm.stream().mapToDouble(g -> ((Number) g.get("gflopsPerSecond")).doubleValue()).max().orElse(1);
        results.put("gemm", gemm);
        results.put("gemmSize", Integer.parseInt(gemmN));
        results.put("peakGflops", peak);
        // 2. per configuration: tune PyTorch, then alternate best against best
        Map<String, Object> perConfig = new LinkedHashMap<>();
        for (String name : configs) {
            BenchConfig c = BenchConfig.named(name);
            Map<String, Object> cr = new LinkedHashMap<>();
            int warmup = warmupAll >= 0 ? warmupAll : c.suite().warmup();
            int steps = stepsAll >= 0 ? stepsAll : c.suite().steps();
            int tuneSteps = stepsAll >= 0 ? Math.max(20, steps / 6) : c.suite().tuning();
            int warmup26 = Math.min(warmup, TORCH26_WARMUP_CAP);
            Map<Integer, String[]> best = new LinkedHashMap<>();
            Map<Integer, String> best26 = new LinkedHashMap<>();
            Map<Integer, Double> eagerRate26 = new LinkedHashMap<>();
            List<Map<String, Object>> tuning = new ArrayList<>();
            List<Map<String, Object>> tuning26 = new ArrayList<>();
            for (int t : threads) {
                if (quick) {
                    best.put(t, new String[] {BLAS[0], CORE[0]});
                } else {
                    Map<String, Double> rates = new LinkedHashMap<>();
                    for (String blas : BLAS) {
                        for (String core : CORE) {
                            Run r = python(blas, core, "--config", name, "--threads", "" + t, "--warmup",
                                    "" + tuneSteps, "--steps", "" + tuneSteps);
                            tuning.add(r.result());
                            rates.put(blas + " " + core, r.get("stepsPerSecond"));
                        }
                    }
                    best.put(t, bestSetting(rates).split(" "));
                }
                if (torch26 != null) {
                    if (quick) {
                        best26.put(t, BLAS[0]);
                    } else {
                        Map<String, Double> rates = new LinkedHashMap<>();
                        for (String blas : BLAS) {
                            Run r = torch26(blas, "--config", name, "--threads", "" + t, "--warmup", "" + tuneSteps,
                                    "--steps", "" + tuneSteps);
                            tuning26.add(r.result());
                            rates.put(blas, r.get("stepsPerSecond"));
                        }
                        best26.put(t, bestSetting(rates));
                        eagerRate26.put(t, rates.get(best26.get(t)));
                    }
                }
            }
            cr.put("pytorchTuning", tuning);
            if (torch26 != null) {
                cr.put("pytorch26Tuning", tuning26);
            }
            // torch.compile at the thread count where the eager step was fastest (or at every one: --compiled-threads all)
            int compiledThreads = eagerRate26.isEmpty() ? threads[threads.length - 1] : Integer.parseInt(bestSetting(
                    eagerRate26.entrySet().stream().collect(LinkedHashMap::new, (m, e) -> m.put("" + e.getKey(),
                            e.getValue()), Map::putAll)));
            Map<String, List<Run>> runs = new LinkedHashMap<>();
            for (int round = 0; round < rounds; round++) {
                for (int t : threads) {
                    List<String> sides = new ArrayList<>(List.of("pretext", "pytorch"));
                    if (torch26 != null) {
                        boolean compiled = compiledAllThreads || t == compiledThreads;
                        TORCH26_MODES.stream().filter(m -> compiled || m.equals("eager"))
                                .forEach(m -> sides.add("pytorch26-" + m));
                    }
                    if (round % 2 == 1) {
                        Collections.reverse(sides);
                    }
                    for (String side : sides) {
                        String[] stepArgs = {"--config", name, "--threads", "" + t, "--warmup", "" + warmup, "--steps",
                                "" + steps};
                        Run r;
                        if (side.equals("pretext")) {
                            r = java("org.pretext.bench.StepBench", BEST, stepArgs);
                        } else if (side.equals("pytorch")) {
                            r = python(best.get(t)[0], best.get(t)[1], stepArgs);
                        } else {
                            String mode = side.substring("pytorch26-".length());
                            List<String> args = new ArrayList<>(List.of("--config", name, "--threads", "" + t,
                                    "--warmup", "" + warmup26, "--steps", "" + steps));
                            if (!mode.equals("eager")) {
                                // one inductor cache per configuration and mode, emptied before its first run
                                // (cold compile), then warm for the later rounds and the equal-loss run
                                args.addAll(List.of("--compile", mode, "--cache-dir", inductorCache(name, mode,
                                        !quick && runs.keySet().stream().noneMatch(k -> k.startsWith(side + "-")))
                                        .toString()));
                            }
                            r = torch26(best26.get(t), args.toArray(String[]::new));
                        }
                        runs.computeIfAbsent(side + "-" + t, x -> new ArrayList<>()).add(r);
                    }
                }
            }
            Map<String, Object> medians = new LinkedHashMap<>();
            for (Map.Entry<String, List<Run>> e : runs.entrySet()) {
                medians.put(e.getKey(), summarise(e.getValue()));
            }
            cr.put("medians", medians);
            cr.put("pytorchBest", best.entrySet().stream().collect(LinkedHashMap::new,
                    (m, e) -> m.put(e.getKey().toString(), String.join(" ", e.getValue())), Map::putAll));
            if (torch26 != null) {
                cr.put("pytorch26Best", best26.entrySet().stream().collect(LinkedHashMap::new,
                        (m, e) -> m.put(e.getKey().toString(), e.getValue()), Map::putAll));
            }
            cr.put("flopsPerStep", c.flopsPerStep());
            cr.put("batch", c.batch());
            cr.put("warmup", warmup);
            cr.put("warmup26", warmup26);
            cr.put("steps", steps);
            Map<String, Map<String, Object>> equal = equalLoss(name, quick ? 5 : c.suite().equalLoss(), compiledThreads);
            cr.put("equalLoss", equal.get("pytorch"));
            equal.remove("pytorch");
            if (!equal.isEmpty()) {
                cr.put("equalLoss26", equal);
            }
            perConfig.put(name, cr);
        }
        results.put("configs", perConfig);
        if (sweep) {
            results.put("scaling", scaling());
        }
        if (torch26Skipped != null) {
            results.put("torch26Skipped", torch26Skipped);
        }
        if (!warnings.isEmpty()) {
            results.put("warnings", warnings);
        }
        if (!quick && !configs.isEmpty()) {
            results.put("throughput", java("org.pretext.bench.ThroughputBench", Map.of(), "--threads", "1").result());
        }
        if (!quick) { // --quick keeps them, so that the next quick run compiles warm
            FileTrees.delete(root.resolve("bench/target/inductor-cache"));
        }
        results.put("suiteSeconds", (System.nanoTime() - t0) / 1e9);
        Path out = quick ? root.resolve("bench/target/quick") : root;
        Path json = quick ? out.resolve("results.json") : root.resolve("bench/results.json");
        Files.createDirectories(out);
        Files.writeString(json, GSON.toJson(results), StandardCharsets.UTF_8); // first: the raw results survive a rendering bug
        Path md = out.resolve("BENCHMARKS.md");
        Path previous = root.resolve("BENCHMARKS.md");
        String kept = Files.exists(previous) ? Files.readString(previous, StandardCharsets.UTF_8) : "";
        Files.writeString(md, Markdown.keepOtherSections(Markdown.render(results, log), kept), StandardCharsets.UTF_8);
        System.out.println("wrote " + root.relativize(md) + " and " + root.relativize(json) + " in "
                + String.format(Locale.ROOT, "%.0f s", (System.nanoTime() - t0) / 1e9));
    }

    /**
     * The scaling sweep: step time against batch size and against width for the MLP and the
     * transformer, one run per side and point at the most threads, Pretext against PyTorch 2.6 eager
     * and compiled (mode default) when the root is there, else against PyTorch 1.13. Indicative: one
     * run each, no rounds, no tuning (2.6 on Debian's default pthread OpenBLAS, 1.13 on the pthread
     * build with AVX-512 kernels); every compiled point compiles its own shapes.
     */
    private List<Map<String, Object>> scaling() throws Exception {
        int t = threads[threads.length - 1];
        int[] batches = quick ? new int[] {64} : SWEEP_BATCHES; // quick: one point per axis
        int[] widths = quick ? new int[] {256} : SWEEP_WIDTHS;
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String name : BenchConfig.SCALABLE) {
            BenchConfig base = BenchConfig.named(name);
            List<int[]> points = new ArrayList<>();
            for (int b : batches) {
                points.add(new int[] {b, base.width()});
            }
            for (int w : widths) {
                if (w != base.width() || java.util.Arrays.stream(batches).noneMatch(b -> b == base.batch())) {
                    points.add(new int[] {base.batch(), w});
                }
            }
            for (int[] pt : points) {
                BenchConfig c = base.scaled(pt[0], pt[1]);
                int steps = sweepSteps(c.flopsPerStep(), quick);
                int warmup = Math.max(2, steps / 2);
                String[] args = {"--config", name, "--threads", "" + t, "--batch", "" + pt[0], "--width", "" + pt[1],
                        "--warmup", "" + warmup, "--steps", "" + steps};
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("config", name);
                row.put("batch", pt[0]);
                row.put("width", pt[1]);
                row.put("threads", t);
                row.put("steps", steps);
                row.put("flopsPerStep", c.flopsPerStep());
                Map<String, Object> rates = new LinkedHashMap<>();
                rates.put("Pretext", java("org.pretext.bench.StepBench", BEST, args).get("stepsPerSecond"));
                if (torch26 != null) {
                    rates.put("PyTorch 2.6 eager", torch26(BLAS[0], args).get("stepsPerSecond"));
                    List<String> compiled = new ArrayList<>(List.of(args));
                    compiled.addAll(List.of("--compile", "default", "--cache-dir",
                            inductorCache(name + "-b" + pt[0] + "-w" + pt[1], "default", false).toString()));
                    rates.put("PyTorch 2.6 compile default", torch26(BLAS[0], compiled.toArray(String[]::new))
                            .get("stepsPerSecond"));
                } else {
                    rates.put("PyTorch 1.13", python(BLAS[0], CORE[1], args).get("stepsPerSecond"));
                }
                row.put("stepsPerSecond", rates);
                rows.add(row);
            }
        }
        return rows;
    }

    /**
     * The inductor cache folder of one configuration and compile mode, inside the project (which the
     * root sees at the same path); emptied first when {@code fresh}. A full run deletes them all at its
     * end; {@code --quick} keeps them for the next quick run.
     */
    private Path inductorCache(String config, String mode, boolean fresh) throws IOException {
        Path dir = root.resolve("bench/target/inductor-cache").resolve(config + "-" + mode);
        if (fresh) {
            FileTrees.delete(dir);
        }
        return dir;
    }

    /** Timed steps of a sweep point: about {@link #SWEEP_FLOPS} in all, between 3 and 200 (quick: 3). */
    static int sweepSteps(double flopsPerStep, boolean quick) {
        if (quick) {
            return 3;
        }
        return (int) Math.max(3, Math.min(200, Math.round(SWEEP_FLOPS / flopsPerStep)));
    }

    /** Medians over one side's rounds, and for the compiled sides the cold and warm compile times. */
    static Map<String, Object> summarise(List<Run> runs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stepsPerSecond", median(runs, "stepsPerSecond"));
        m.put("samplesPerSecond", median(runs, "samplesPerSecond"));
        m.put("coldStartSeconds", median(runs.stream().map(Run::coldStartSeconds).toList()));
        m.put("peakRssMb", median(runs, "peakRssMb"));
        m.put("rounds", runs.stream().map(r -> r.get("stepsPerSecond")).toList());
        m.put("phaseMillisPerStep", meanPhases(runs));
        if (runs.stream().anyMatch(r -> r.result().containsKey("compile") && !"eager".equals(r.result().get("compile")))) {
            m.put("compileSecondsCold", median(runs.stream().filter(r -> Boolean.TRUE.equals(r.result().get("coldCache")))
                    .map(r -> r.get("compileSeconds")).toList()));
            m.put("compileSecondsWarm", median(runs.stream().filter(r -> !Boolean.TRUE.equals(r.result().get("coldCache")))
                    .map(r -> r.get("compileSeconds")).toList()));
        }
        Object lib = runs.isEmpty() ? null : runs.get(0).result().get("blasLibrary");
        if (lib != null) {
            m.put("blasLibrary", lib);
        }
        return m;
    }

    /**
     * The setting with the highest rate; NaN rates (a run that reported none) never win.
     *
     * @throws IllegalStateException if no setting has a rate
     */
    static String bestSetting(Map<String, Double> rateBySetting) {
        String best = null;
        double bestRate = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, Double> e : rateBySetting.entrySet()) {
            Double v = e.getValue();
            if (v != null && !v.isNaN() && v > bestRate) {
                bestRate = v;
                best = e.getKey();
            }
        }
        if (best == null) {
            throw new IllegalStateException("no tuning run reported a step rate: " + rateBySetting);
        }
        return best;
    }

    /**
     * Pretext's first {@code steps} losses from its initial weights against each reference's from
     * the same weights and batches: PyTorch 1.13 under key {@code pytorch} (1 thread), and when the root
     * is there PyTorch 2.6 under {@code eager} and each compile mode, at {@code threads26} (its fastest
     * thread count: 100 steps of simclr-cnn and mae take about a minute at 1 thread).
     */
    private Map<String, Map<String, Object>> equalLoss(String name, int steps, int threads26) throws Exception {
        // inside the project, which scripts/pytorch-root.sh mounts into the root (the host's /tmp is not there)
        Files.createDirectories(root.resolve("bench/target"));
        Path dir = Files.createTempDirectory(root.resolve("bench/target"), "equal-loss");
        try {
            Run j = java("org.pretext.bench.StepBench", Map.of(), "--config", name, "--threads", "1", "--dump",
                    dir.toString(), "--dump-steps", "" + steps);
            List<Number> pretext = losses(j, "Pretext");
            Map<String, Map<String, Object>> out = new LinkedHashMap<>();
            Run p = python("openblas-pthread", "Haswell", "--config", name, "--threads", "1", "--load", dir.toString());
            out.put("pytorch", compareLosses(pretext, losses(p, "PyTorch 1.13")));
            out.get("pytorch").put("threads", 1);
            if (torch26 != null) {
                for (String mode : TORCH26_MODES) {
                    List<String> args = new ArrayList<>(List.of("--config", name, "--threads", "" + threads26,
                            "--load", dir.toString()));
                    if (!mode.equals("eager")) {
                        args.addAll(List.of("--compile", mode, "--cache-dir", inductorCache(name, mode, false)
                                .toString()));
                    }
                    Run r = torch26(BLAS[0], args.toArray(String[]::new));
                    out.put(mode, compareLosses(pretext, losses(r, "PyTorch 2.6 " + mode)));
                    out.get(mode).put("threads", threads26);
                }
            }
            return out;
        } finally {
            try (var s = Files.list(dir)) {
                for (Path f : s.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Number> losses(Run r, String side) {
        if (!(r.result().get("losses") instanceof List<?> l) || l.isEmpty()) {
            throw new IllegalStateException(side + "'s equal-loss run printed no \"losses\" list: " + r.result());
        }
        return (List<Number>) l;
    }

    /**
     * Step-by-step differences between Pretext's losses and a reference's over the steps both ran.
     *
     * @throws IllegalArgumentException if either list is empty or they differ in length
     */
    static Map<String, Object> compareLosses(List<Number> pretext, List<Number> reference) {
        if (pretext.isEmpty() || pretext.size() != reference.size()) {
            throw new IllegalArgumentException("equal-loss check: Pretext gave " + pretext.size()
                    + " losses and the reference " + reference.size() + "; expected the same, non-zero number");
        }
        double maxAbs = 0;
        double maxRel = 0;
        for (int i = 0; i < pretext.size(); i++) {
            double a = pretext.get(i).doubleValue();
            double b = reference.get(i).doubleValue();
            double d = Math.abs(a - b);
            if (Double.isNaN(d)) {
                maxAbs = Double.NaN; // a NaN loss on either side must show, not vanish in Math.max
                maxRel = Double.NaN;
                break;
            }
            maxAbs = Math.max(maxAbs, d);
            maxRel = Math.max(maxRel, d / Math.abs(b));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("steps", pretext.size());
        m.put("maxAbsDifference", maxAbs);
        m.put("maxRelativeDifference", maxRel);
        m.put("firstLossPretext", pretext.get(0));
        m.put("firstLossPytorch", reference.get(0));
        m.put("lastLossPretext", pretext.get(pretext.size() - 1));
        m.put("lastLossPytorch", reference.get(reference.size() - 1));
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
        Run r = start(cmd, env);
        requireBlas(blas, r, "PyTorch 1.13 on the host");
        return r;
    }

    /**
     * A run of the reference script under PyTorch 2.6 in the trixie root: {@code scripts/pytorch-root.sh
     * run}, which pins {@code OPENBLAS_NUM_THREADS} and {@code OMP_NUM_THREADS} to {@code THREADS},
     * selects the OpenBLAS build through {@code BLAS} and drops {@code OPENBLAS_CORETYPE}.
     */
    private Run torch26(String blas, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(root.resolve("scripts/pytorch-root.sh").toString(), "run",
                "bench/python/reference_step.py"));
        cmd.addAll(List.of(args));
        String t = threadsOf(args);
        Run r = start(cmd, Map.of("THREADS", t == null ? "1" : t, "BLAS", blas));
        r.result().put("reference", "2.6");
        requireBlas(blas, r, "PyTorch 2.6 in the root");
        return r;
    }

    /**
     * Why a reference run did not use the OpenBLAS build it was asked for (the library it mapped, from
     * its {@code blasLibrary}), or null if it did or did not say. An absent build makes the loader fall
     * back silently, e.g. to the reference BLAS, which is ~50× slower.
     */
    static String blasMismatch(String requested, Map<String, Object> result) {
        Object lib = result.get("blasLibrary");
        if (lib == null || lib.toString().contains("/" + requested + "/")) {
            return null;
        }
        return "asked for " + requested + " but the process mapped " + lib;
    }

    /** Fails (full run) or warns (--quick) when a reference did not run on the requested OpenBLAS build. */
    private void requireBlas(String requested, Run r, String where) {
        String why = blasMismatch(requested, r.result());
        if (why == null) {
            return;
        }
        String msg = where + ": " + why + "; install both builds (" + (where.contains("2.6")
                ? "`sudo scripts/pytorch-root.sh setup` adds them to the root" : "on the host: `apt-get install"
                + " libopenblas0-pthread libopenblas0-openmp`") + ")";
        if (!quick) {
            throw new IllegalStateException(msg);
        }
        if (!warnings.contains(msg)) {
            warnings.add(msg);
            System.err.println("WARNING " + msg);
        }
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
        StringBuilder all = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                all.append(line).append('\n');
                if (line.equals("FIRST_STEP") && Double.isNaN(firstStep)) {
                    firstStep = (System.nanoTime() - t0) / 1e9;
                }
            }
        }
        int code = p.waitFor();
        String last = lastJsonLine(all.toString());
        if (code != 0 || last == null) {
            throw new IllegalStateException("benchmark process failed (exit " + code + (last == null
                    ? ", no JSON line" : "") + "): " + String.join(" ", cmd) + "\n" + all);
        }
        Map<String, Object> result = parseResult(last);
        String summary = String.join(" ", cmd.subList(Math.max(0, cmd.size() - 8), cmd.size())) + " → " + last;
        System.err.println(summary);
        log.add(summary);
        return new Run(result, firstStep);
    }

    /** The last line of a process's output that starts with '{' (its JSON result), or null. */
    static String lastJsonLine(String output) {
        String last = null;
        for (String line : output.split("\n")) {
            if (line.startsWith("{")) {
                last = line.strip();
            }
        }
        return last;
    }

    /**
     * A process's JSON result as a mutable map.
     *
     * @throws IllegalStateException naming the line if it is not a JSON object
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> parseResult(String line) {
        try {
            Map<String, Object> m = new Gson().fromJson(line, LinkedHashMap.class);
            if (m == null) {
                throw new IllegalStateException("empty result line");
            }
            return m;
        } catch (com.google.gson.JsonParseException e) {
            throw new IllegalStateException("a benchmark process's last line is not a JSON object: " + line, e);
        }
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
        m.put("torch26", torch26 != null ? torch26 : "skipped: " + torch26Skipped);
        return m;
    }
}
