package org.pretext.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@link Suite}'s wall time, estimated before it runs from what it is about to run (every process,
 * its warm-up and timed steps, its start-up and compile time) and step and GEMM rates assumed per
 * configuration and side ({@link Assumed}): those an earlier suite run measured on the same kind of CPU
 * ({@link CpuKind#signature}, read from the {@code bench/results.json} it wrote), else the AVX-512
 * machine's of 2026-12-06 ({@link #ASSUMED}), which are 15–25 % fast for the AVX2 VM that ran runs 7 and
 * 8. An estimate, not a measurement: the machine's speed moves from hour to hour. The suite prints the
 * estimate and where its rates come from at its start, and writes it beside the measured "Suite wall
 * time" in BENCHMARKS.md.
 */
final class SuiteEstimate {
    private SuiteEstimate() {}

    /** Seconds from a JVM's start to its first step (engine, model, fixed batches) and its exit. */
    static final double JAVA_START = 2.0;
    /** The same for PyTorch 1.13 on the host ({@code import torch}). */
    static final double PYTORCH_START = 1.5;
    /** The same for PyTorch 2.6 in the root: {@code scripts/pytorch-root.sh run}'s mounts, chroot, {@code import torch}. */
    static final double TORCH26_START = 3.0;
    /** The throughput benchmark's run (a guess: it was never timed on its own). */
    static final double THROUGHPUT = 45;
    /** GEMMs each GEMM run computes (3 untimed + 10 timed). */
    static final int GEMMS_PER_RUN = 13;
    /**
     * A {@link BandwidthBench} run after the JVM's start: two 1 GiB arrays filled, then 6 repeats of
     * 8 + 12 GB moved at 30–50 GB/s (measured on the busy machine: about 40).
     */
    static final double BANDWIDTH = 5;
    /**
     * roofline.py beyond the root's start and its two steps: importing the reference, building the model
     * and batches, recording the ops (measured on the busy machine: 3 s for simclr-mlp, whose steps are short).
     */
    static final double ROOFLINE_SETUP = 2;

    /**
     * Assumed steps/s of one configuration on each side, at 1 and 2 threads ({@code [0]}, {@code [1]}),
     * torch.compile's per mode (default, max-autotune-no-cudagraphs) at its thread count, and the
     * seconds of a cold compile per mode.
     */
    record Rates(double[] pretext, double[] pytorch, double[] eager, double[] compiled, double[] coldCompile) {
        double rate(String side, int threads) {
            int t = Math.min(threads, 2) - 1;
            return switch (side) {
                case "pretext" -> pretext[t];
                case "pytorch" -> pytorch[t];
                case "eager" -> eager[t];
                case "default" -> compiled[0];
                default -> compiled[1];
            };
        }
    }

    /** PyTorch 2.6's channels-last eager step against its default one on the convolutional configurations. */
    static final double CHANNELS_LAST_SPEED_UP = 1.3;

    private static double[] of(double... v) {
        return v;
    }

    /**
     * Assumed rates: the medians of the 2026-12-06 suite run 4 (quiet, glibc's allocator settings on every
     * side, BENCHMARKS.md): PyTorch 1.13, 2.6 eager, torch.compile at the thread count it ran (both entries
     * of a mode's pair alike) and the cold compiles it measured. Pretext's convolutional steps are that run's
     * times the channels-last speed-up measured since (simclr-cnn 1.33–1.43×, dino-cnn 1.34–1.45× at 2 threads,
     * StepBench, alternated; 1 thread assumed alike).
     */
    static final Map<String, Rates> ASSUMED = Map.of(
            "simclr-mlp", new Rates(of(104, 126), of(91, 116), of(102, 92), of(86, 87), of(16, 14)),
            "simclr-cnn", new Rates(of(3.0, 5.6), of(2.15, 3.8), of(2.25, 4.1), of(1.6, 1.7), of(26, 22)),
            "causal-lm", new Rates(of(26.9, 28.3), of(26.0, 24.7), of(21.7, 24.2), of(13.8, 10.4), of(31, 43)),
            "mae", new Rates(of(4.0, 5.0), of(3.25, 4.35), of(3.2, 3.7), of(2.45, 1.75), of(56, 90)),
            "dino-cnn", new Rates(of(5.7, 9.0), of(4.95, 7.9), of(4.05, 7.4), of(4.85, 4.0), of(40, 51)));

    /**
     * Assumed fp32 GEMM GFLOP/s at 1 and 2 threads per GEMM run: Pretext with and without the MKL override,
     * PyTorch 1.13 per OpenBLAS kernel set, 2.6 (half of 2026-11-22's on the AVX-512 machine).
     */
    static final Map<String, double[]> ASSUMED_GEMM = Map.of("pretext-override", of(109, 208), "pretext", of(48, 95),
            "pytorch-Haswell", of(54, 104), "pytorch-SkylakeX", of(104, 188), "pytorch-auto", of(54, 104),
            "pytorch26", of(104, 188));

    /**
     * The step and GEMM rates an estimate assumes, and where they come from.
     *
     * @param rates steps/s per configuration ({@link #ASSUMED}'s where a measured run lacks one)
     * @param gemm GFLOP/s per GEMM run at 1 and 2 threads ({@link #ASSUMED_GEMM}'s keys)
     * @param source where the rates come from, for the suite's message
     */
    record Assumed(Map<String, Rates> rates, Map<String, double[]> gemm, String source) {
        /** The AVX-512 machine's rates of 2026-12-06. */
        static final Assumed DEFAULT = new Assumed(ASSUMED, ASSUMED_GEMM, "the AVX-512 machine's run of 2026-12-06");

        /** The rates of a configuration, or rates from its FLOPs for one never measured. */
        Rates rates(BenchConfig c) {
            Rates r = rates.get(c.name());
            if (r != null) {
                return r;
            }
            double g = c.flopsPerStep() / 1e9; // 40–100 GFLOP/s, as the convolutional and ViT steps
            return new Rates(of(55 / g, 90 / g), of(40 / g, 55 / g), of(35 / g, 55 / g), of(55 / g, 55 / g),
                    of(30, 60));
        }

        /** GFLOP/s of one GEMM run: "pretext-override", "pretext", "pytorch-" + kernel set, "pytorch26". */
        double gemmRate(String side, int threads) {
            double[] r = gemm.getOrDefault(side, ASSUMED_GEMM.get("pytorch26"));
            return r[Math.min(threads, 2) - 1];
        }

        /**
         * The rates an earlier full run measured on this kind of CPU ({@code results}, the suite's
         * {@code bench/results.json}), each one it lacks from {@link #DEFAULT}; {@link #DEFAULT} where the
         * file is missing, a quick run's or another CPU's, and {@link #DEFAULT}'s rates with a source that
         * names the file and what is wrong with it where it cannot be read (the suite prints the source
         * at its start, and overwrites the file at its end).
         */
        static Assumed forCpu(CpuKind cpu, Path results) {
            try {
                Assumed a = fromResults(Suite.parseResult(Files.readString(results)), cpu.signature());
                return a != null ? a : DEFAULT;
            } catch (java.nio.file.NoSuchFileException e) {
                return DEFAULT;
            } catch (IOException | RuntimeException e) {
                return new Assumed(DEFAULT.rates, DEFAULT.gemm, DEFAULT.source + ", as " + results
                        + " could not be read as an earlier run's results (" + (e.getCause() != null ? e.getCause() : e)
                        + ")"); // the cause: parseResult's own message speaks of a process's output line
            }
        }

        /** The rates of a results file of {@code cpuSignature}'s CPU, or null for another CPU's or a quick run's. */
        @SuppressWarnings("unchecked")
        static Assumed fromResults(Map<String, Object> json, String cpuSignature) {
            Map<String, Object> machine = (Map<String, Object>) json.get("machine");
            if (machine == null || !cpuSignature.equals(machine.get("tuningKey")) || json.containsKey("quick")
                    || !(json.get("configs") instanceof Map<?, ?> configs)) {
                return null;
            }
            Map<String, Rates> rates = new HashMap<>(ASSUMED);
            for (BenchConfig c : BenchConfig.ALL) {
                if (((Map<String, Object>) configs).get(c.name()) instanceof Map<?, ?> entry
                        && entry.get("medians") instanceof Map<?, ?> medians) {
                    rates.put(c.name(), measured((Map<String, Map<String, Object>>) medians, DEFAULT.rates(c)));
                }
            }
            Map<String, double[]> gemm = new HashMap<>();
            ASSUMED_GEMM.forEach((k, v) -> gemm.put(k, v.clone()));
            Object runs = json.get("gemm");
            if (runs instanceof List<?> list) {
                // several OpenBLAS builds per side: their mean, per thread count
                Map<String, double[]> sums = new HashMap<>();
                Map<String, double[]> counts = new HashMap<>();
                for (Object o : list) {
                    Map<String, Object> g = (Map<String, Object>) o;
                    String key = gemmKey(g);
                    int t = ((Number) g.get("threads")).intValue();
                    if (key != null && t >= 1 && t <= 2 && g.get("gflopsPerSecond") instanceof Number n) {
                        sums.computeIfAbsent(key, k -> new double[2])[t - 1] += n.doubleValue();
                        counts.computeIfAbsent(key, k -> new double[2])[t - 1]++;
                    }
                }
                sums.forEach((key, sum) -> {
                    for (int t = 0; t < 2; t++) {
                        if (counts.get(key)[t] > 0) {
                            gemm.get(key)[t] = sum[t] / counts.get(key)[t];
                        }
                    }
                });
            }
            return new Assumed(rates, gemm, "the suite's run of " + machine.get("date") + " on this CPU ("
                    + cpuSignature + ", bench/results.json)");
        }

        /** The key of {@link #ASSUMED_GEMM} a GEMM run's result belongs to, or null. */
        private static String gemmKey(Map<String, Object> g) {
            if ("pretext".equals(g.get("side"))) {
                return "loaded".equals(g.get("mklOverride")) ? "pretext-override" : "pretext";
            }
            String torch = String.valueOf(g.get("torch"));
            if (torch.startsWith("1.")) {
                String core = "pytorch-" + g.get("coretype");
                return ASSUMED_GEMM.containsKey(core) ? core : null;
            }
            return torch.startsWith("2.") ? "pytorch26" : null;
        }

        /** A configuration's rates from its medians ("pretext-1", "pytorch26-eager-2", ...), else {@code fallback}'s. */
        private static Rates measured(Map<String, Map<String, Object>> medians, Rates fallback) {
            double[] pretext = fallback.pretext().clone();
            double[] pytorch = fallback.pytorch().clone();
            double[] eager = fallback.eager().clone();
            double[] compiled = fallback.compiled().clone();
            double[] cold = fallback.coldCompile().clone();
            List<String> modes = List.of("default", "max-autotune-no-cudagraphs");
            medians.forEach((key, m) -> {
                int dash = key.lastIndexOf('-');
                String threads = key.substring(dash + 1);
                if (dash < 0 || !threads.matches("[12]") || !(m.get("stepsPerSecond") instanceof Number rate)
                        || !(rate.doubleValue() > 0)) {
                    return;
                }
                int t = Integer.parseInt(threads);
                String side = key.substring(0, dash);
                switch (side) {
                    case "pretext" -> pretext[t - 1] = rate.doubleValue();
                    case "pytorch" -> pytorch[t - 1] = rate.doubleValue();
                    case "pytorch26-eager" -> eager[t - 1] = rate.doubleValue();
                    default -> {
                        int mode = side.startsWith("pytorch26-") ? modes.indexOf(side.substring("pytorch26-".length()))
                                : -1;
                        if (mode >= 0) {
                            compiled[mode] = rate.doubleValue();
                            if (m.get("compileSecondsCold") instanceof Number c && c.doubleValue() > 0) {
                                cold[mode] = c.doubleValue();
                            }
                        }
                    }
                }
            });
            return new Rates(pretext, pytorch, eager, compiled, cold);
        }
    }

    /**
     * What one configuration's processes run.
     *
     * @param warmup Pretext's warm-up steps (at least {@link Suite#PRETEXT_MIN_WARMUP} unless asked otherwise)
     * @param warmupSeconds Pretext's warm-up goes on after its steps until this long has passed
     *     ({@link Suite#PRETEXT_WARMUP_SECONDS}; 0 with {@code --warmup} or {@code --quick})
     * @param warmupReference PyTorch's (capped at {@link Suite#PYTORCH_WARMUP_CAP}: no JIT to warm)
     * @param steps timed steps at most
     * @param seconds the timed steps stop after about this long (0: never)
     * @param tuning warm-up and timed steps of a tuning run
     * @param equalLoss steps of the equal-loss check
     */
    record ConfigSteps(int warmup, double warmupSeconds, int warmupReference, int steps, double seconds, int tuning,
            int equalLoss) {
        static ConfigSteps of(BenchConfig c, boolean quick, int warmupAll, int stepsAll) {
            BenchConfig.SuiteSteps s = c.suite();
            int asked = warmupAll >= 0 ? warmupAll : quick ? 2 : s.warmup();
            // Pretext's JIT needs more than the slow configurations' few steps, unless --warmup or --quick says otherwise
            int warmup = warmupAll >= 0 || quick ? asked : Math.max(asked, Suite.PRETEXT_MIN_WARMUP);
            int steps = stepsAll >= 0 ? stepsAll : quick ? 5 : s.steps();
            double seconds = quick || stepsAll >= 0 ? 0 : s.seconds();
            int tuning = stepsAll >= 0 ? Math.max(20, steps / 6) : s.tuning();
            int equal = quick ? 5 : s.equalLoss();
            double warmupSeconds = warmupAll >= 0 || quick ? 0 : Suite.PRETEXT_WARMUP_SECONDS;
            return new ConfigSteps(warmup, warmupSeconds, Math.min(asked, Suite.PYTORCH_WARMUP_CAP), steps, seconds,
                    tuning, equal);
        }

        /** Timed steps a run at {@code rate} steps/s takes; a run that checks equal losses trains on every batch. */
        double timedSteps(double rate, int warmupSteps, boolean equalLossRun) {
            double n = seconds <= 0 ? steps : Math.min(steps, Math.max(1, Math.ceil(seconds * rate)));
            return equalLossRun ? Math.max(n, equalLoss - Math.max(1, warmupSteps)) : n;
        }
    }

    /**
     * What the suite is about to run.
     *
     * @param configs the configurations, in order
     * @param threads thread counts of the timed runs
     * @param rounds rounds of Pretext and PyTorch 2.6 eager
     * @param rounds113 rounds of PyTorch 1.13 (0: not run)
     * @param compiledRounds rounds of each torch.compile mode (0: not run, e.g. without the root)
     * @param torch26 whether the PyTorch 2.6 root is used
     * @param compiledAllThreads torch.compile at every thread count, not only eager's best
     * @param toTune the tuning runs to make, as "pytorch/CONFIG/THREADS" or "pytorch26/CONFIG/THREADS"
     *     (the others reuse a recorded choice)
     * @param gemmN GEMM size
     * @param kernelSets the OpenBLAS kernel sets PyTorch 1.13 is tried with ({@link CpuKind#kernelSets})
     * @param quick a --quick run (one BLAS build and kernel set in the GEMM runs)
     * @param throughput whether the throughput benchmark runs
     * @param warmupAll warm-up steps for every configuration, or -1
     * @param stepsAll timed steps for every configuration, or -1
     * @param bf16 whether the mixed-precision sides run (Pretext bf16, and 2.6 autocast with the root; every
     *     round of Pretext and 2.6 eager)
     */
    record Plan(List<BenchConfig> configs, int[] threads, int rounds, int rounds113, int compiledRounds, boolean torch26,
            boolean compiledAllThreads, Set<String> toTune, int gemmN, List<String> kernelSets, boolean quick,
            boolean throughput, int warmupAll, int stepsAll, boolean bf16) {
        /** A plan without the mixed-precision sides. */
        Plan(List<BenchConfig> configs, int[] threads, int rounds, int rounds113, int compiledRounds, boolean torch26,
                boolean compiledAllThreads, Set<String> toTune, int gemmN, List<String> kernelSets, boolean quick,
                boolean throughput, int warmupAll, int stepsAll) {
            this(configs, threads, rounds, rounds113, compiledRounds, torch26, compiledAllThreads, toTune, gemmN,
                    kernelSets, quick, throughput, warmupAll, stepsAll, false);
        }
    }

    /** bf16 steps against float32 ones, both sides, for the estimate (1.1–1.6 measured on 2026-12-07). */
    static final double BF16_SPEED_UP = 1.3;

    /** Estimated seconds of each part of the plan, in the order the suite runs them, then "total". */
    static Map<String, Double> estimate(Plan p, Assumed a) {
        Map<String, Double> parts = new LinkedHashMap<>();
        double gemmFlops = GEMMS_PER_RUN * 2.0 * Math.pow(p.gemmN(), 3) / 1e9;
        double gemm = 0;
        for (int t : p.threads()) {
            gemm += JAVA_START + gemmFlops / a.gemmRate("pretext-override", t);
            gemm += JAVA_START + gemmFlops / a.gemmRate("pretext", t);
            if (p.rounds113() > 0) {
                for (String core : p.quick() ? p.kernelSets().subList(0, 1) : p.kernelSets()) {
                    gemm += (p.quick() ? 1 : 2) * (PYTORCH_START + gemmFlops / a.gemmRate("pytorch-" + core, t));
                }
            }
            if (p.torch26()) {
                gemm += (p.quick() ? 1 : 2) * (TORCH26_START + gemmFlops / a.gemmRate("pytorch26", t));
            }
        }
        parts.put("GEMM peak", gemm);
        parts.put("memory bandwidth", p.threads().length * (JAVA_START + BANDWIDTH));
        int most = p.threads()[p.threads().length - 1];
        for (BenchConfig c : p.configs()) {
            Rates r = a.rates(c);
            ConfigSteps s = ConfigSteps.of(c, p.quick(), p.warmupAll(), p.stepsAll());
            String n = c.name();
            // Pretext's initial weights, batches and losses, at the most threads
            parts.put(n + ": Pretext's equal-loss run", JAVA_START + s.equalLoss() / r.rate("pretext", most));
            double tuning = 0;
            for (int t : p.threads()) {
                if (p.toTune().contains("pytorch/" + n + "/" + t)) {
                    // both OpenBLAS builds with each kernel set
                    tuning += 2 * p.kernelSets().size() * (PYTORCH_START + 2 * s.tuning() / r.rate("pytorch", t));
                }
                if (p.toTune().contains("pytorch26/" + n + "/" + t)) {
                    tuning += 2 * (TORCH26_START + 2 * s.tuning() / r.rate("eager", t));
                }
            }
            if (tuning > 0) {
                parts.put(n + ": BLAS tuning", tuning);
            }
            double rounds = 0;
            double mixed = 0;
            double compiled = 0;
            double compile = 0;
            for (int round = 0; round < Math.max(p.rounds(), Math.max(p.rounds113(), p.compiledRounds())); round++) {
                for (int t : p.threads()) {
                    boolean first = round == 0 && t == most;
                    if (round < p.rounds()) {
                        rounds += pretextRun(s, r.rate("pretext", t));
                    }
                    if (round < p.rounds113()) {
                        rounds += PYTORCH_START + run(s, r.rate("pytorch", t), first);
                    }
                    if (p.torch26() && round < p.rounds()) {
                        rounds += TORCH26_START + run(s, r.rate("eager", t), first);
                        if (c.convolutional()) { // channels-last: about 1.3x the eager step (2026-12-06)
                            rounds += TORCH26_START + run(s, CHANNELS_LAST_SPEED_UP * r.rate("eager", t), first);
                        }
                    }
                }
                if (p.bf16() && round < p.rounds()) {
                    mixed += pretextRun(s, BF16_SPEED_UP * r.rate("pretext", most));
                    if (p.torch26()) {
                        mixed += TORCH26_START + run(s, BF16_SPEED_UP * r.rate("eager", most), false);
                    }
                }
                if (p.torch26() && round < p.compiledRounds()) {
                    int runsPerMode = p.compiledAllThreads() ? p.threads().length : 1;
                    for (int mode = 0; mode < 2; mode++) {
                        double rate = r.compiled()[mode];
                        compiled += runsPerMode * (TORCH26_START + run(s, rate, round == 0));
                        compile += (round == 0 ? r.coldCompile()[mode] + (runsPerMode - 1) * 5.0 : runsPerMode * 5.0);
                    }
                }
            }
            parts.put(n + ": Pretext, 1.13 and 2.6 eager runs", rounds);
            if (mixed > 0) {
                parts.put(n + ": bf16 runs (Pretext, 2.6 autocast)", mixed);
            }
            if (compiled > 0) {
                parts.put(n + ": torch.compile runs (steps)", compiled);
                parts.put(n + ": torch.compile compiles", compile);
            }
            if (p.torch26()) {
                // roofline.py: one untimed and one recorded eager step at the most threads
                parts.put(n + ": roofline count", TORCH26_START + ROOFLINE_SETUP + 2 / r.rate("eager", most));
            }
        }
        if (p.throughput()) {
            parts.put("throughput benchmark", THROUGHPUT);
        }
        parts.put("total", parts.values().stream().mapToDouble(Double::doubleValue).sum());
        return parts;
    }

    /** A StepBench run: the JVM's start, then its warm-up (steps, then seconds) and timed steps. */
    static double pretextRun(ConfigSteps s, double rate) {
        return JAVA_START + Math.max(s.warmup() / rate, s.warmupSeconds()) + s.timedSteps(rate, s.warmup(), false) / rate;
    }

    /** A PyTorch run's warm-up and timed steps, at least the equal-loss steps when it checks them. */
    private static double run(ConfigSteps s, double rate, boolean equalLossRun) {
        int w = Math.max(1, s.warmupReference());
        return (w + s.timedSteps(rate, w, equalLossRun)) / rate;
    }

    /** "about 26 minutes (GEMM peak 1.1, simclr-mlp 3.4, ...)" from {@link #estimate}'s parts. */
    static String describe(Map<String, Double> parts) {
        Map<String, Double> byGroup = new LinkedHashMap<>();
        parts.forEach((k, v) -> {
            if (!k.equals("total")) {
                byGroup.merge(k.contains(":") ? k.substring(0, k.indexOf(':')) : k, v, Double::sum);
            }
        });
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "about %.0f minutes (", parts.get("total") / 60));
        boolean firstPart = true;
        for (Map.Entry<String, Double> e : byGroup.entrySet()) {
            s.append(firstPart ? "" : ", ").append(String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue() / 60));
            firstPart = false;
        }
        return s.append(")").toString();
    }
}
