package org.pretext.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@link Suite}'s wall time, estimated before it runs from what it is about to run (every process,
 * its warm-up and timed steps, its start-up and compile time) and step rates assumed per
 * configuration ({@link #ASSUMED}). An estimate, not a measurement: the assumed rates are the
 * quiet 2-core machine's of 2026-12-05, when the VM ran every side about half as fast as on
 * 2026-11-22 (where that run measured a side, its rate; where it did not, half of the 2026-11-22
 * rate, or a guess marked as one), so on a faster day the suite takes less. The suite prints the
 * estimate at its start and writes it beside the measured "Suite wall time" in BENCHMARKS.md.
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

    private static double[] of(double... v) {
        return v;
    }

    /**
     * Assumed rates. simclr-mlp and simclr-cnn: the 2026-12-05 run where it measured them (simclr-mlp:
     * Pretext 120 at 2 threads, 1.13 52–58, 2.6 eager 122–127, compiled 42 (default) and 113
     * (max-autotune); simclr-cnn: Pretext 1.7 at 2 threads, 2.6 eager 0.9, compiled 0.7–0.8; cold
     * compiles 16–22 s), else half of 2026-11-22's. causal-lm and mae: half of 2026-11-22's for Pretext
     * and 1.13, 2.6 guessed at 1.13's, cold compiles guessed at 30 s (default) and 60 s (max-autotune:
     * it tries GEMM templates). dino-cnn: simclr-cnn's rates times the ratio measured between the two
     * on the shared machine (PyTorch 1.13 about 3.5×, 2.6 eager and compiled about 4×, Pretext about
     * 3×), cold compiles from the shared machine's times scaled down like simclr-cnn's (there 55 s
     * against 16–22 quiet): guesses.
     */
    static final Map<String, Rates> ASSUMED = Map.of(
            "simclr-mlp", new Rates(of(75, 120), of(40, 55), of(85, 125), of(42, 113), of(20, 25)),
            "simclr-cnn", new Rates(of(1.0, 1.7), of(0.85, 1.35), of(0.5, 0.9), of(0.75, 0.75), of(20, 25)),
            "causal-lm", new Rates(of(14, 17), of(11, 13), of(11, 13), of(13, 13), of(30, 60)),
            "mae", new Rates(of(2.0, 3.1), of(1.45, 1.9), of(1.45, 1.9), of(1.9, 1.9), of(30, 60)),
            "dino-cnn", new Rates(of(3.0, 5.0), of(3.0, 4.7), of(2.0, 3.6), of(2.8, 2.8), of(50, 90)));

    /** Assumed fp32 GEMM GFLOP/s at 1 and 2 threads: half of 2026-11-22's (BENCHMARKS.md). */
    static double gemmRate(String side, int threads) {
        double[] r = switch (side) {
            case "pretext-override" -> of(109, 208);
            case "pretext" -> of(48, 95);
            case "pytorch-Haswell" -> of(54, 104);
            default -> of(104, 188); // 1.13 with AVX-512 kernels, 2.6 (OpenBLAS picks its own)
        };
        return r[Math.min(threads, 2) - 1];
    }

    /** The rates of a configuration, or rates from its FLOPs for one not in {@link #ASSUMED}. */
    static Rates rates(BenchConfig c) {
        Rates r = ASSUMED.get(c.name());
        if (r != null) {
            return r;
        }
        double g = c.flopsPerStep() / 1e9; // 40–100 GFLOP/s, as the convolutional and ViT steps
        return new Rates(of(55 / g, 90 / g), of(40 / g, 55 / g), of(35 / g, 55 / g), of(55 / g, 55 / g), of(30, 60));
    }

    /**
     * What one configuration's processes run.
     *
     * @param warmup Pretext's warm-up steps
     * @param warmupReference PyTorch's (capped at {@link Suite#PYTORCH_WARMUP_CAP}: no JIT to warm)
     * @param steps timed steps at most
     * @param seconds the timed steps stop after about this long (0: never)
     * @param tuning warm-up and timed steps of a tuning run
     * @param equalLoss steps of the equal-loss check
     */
    record ConfigSteps(int warmup, int warmupReference, int steps, double seconds, int tuning, int equalLoss) {
        static ConfigSteps of(BenchConfig c, boolean quick, int warmupAll, int stepsAll) {
            BenchConfig.SuiteSteps s = c.suite();
            int warmup = warmupAll >= 0 ? warmupAll : quick ? 2 : s.warmup();
            int steps = stepsAll >= 0 ? stepsAll : quick ? 5 : s.steps();
            double seconds = quick || stepsAll >= 0 ? 0 : s.seconds();
            int tuning = stepsAll >= 0 ? Math.max(20, steps / 6) : s.tuning();
            int equal = quick ? 5 : s.equalLoss();
            return new ConfigSteps(warmup, Math.min(warmup, Suite.PYTORCH_WARMUP_CAP), steps, seconds, tuning, equal);
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
     * @param quick a --quick run (one BLAS build and kernel set in the GEMM runs)
     * @param throughput whether the throughput benchmark runs
     * @param warmupAll warm-up steps for every configuration, or -1
     * @param stepsAll timed steps for every configuration, or -1
     */
    record Plan(List<BenchConfig> configs, int[] threads, int rounds, int rounds113, int compiledRounds, boolean torch26,
            boolean compiledAllThreads, Set<String> toTune, int gemmN, boolean quick, boolean throughput,
            int warmupAll, int stepsAll) {}

    /** Estimated seconds of each part of the plan, in the order the suite runs them, then "total". */
    static Map<String, Double> estimate(Plan p) {
        Map<String, Double> parts = new LinkedHashMap<>();
        double gemmFlops = GEMMS_PER_RUN * 2.0 * Math.pow(p.gemmN(), 3) / 1e9;
        double gemm = 0;
        for (int t : p.threads()) {
            gemm += JAVA_START + gemmFlops / gemmRate("pretext-override", t);
            gemm += JAVA_START + gemmFlops / gemmRate("pretext", t);
            if (p.rounds113() > 0) {
                for (String core : p.quick() ? List.of("Haswell") : List.of("Haswell", "SkylakeX")) {
                    gemm += (p.quick() ? 1 : 2) * (PYTORCH_START + gemmFlops / gemmRate("pytorch-" + core, t));
                }
            }
            if (p.torch26()) {
                gemm += (p.quick() ? 1 : 2) * (TORCH26_START + gemmFlops / gemmRate("pytorch26", t));
            }
        }
        parts.put("GEMM peak", gemm);
        parts.put("memory bandwidth", p.threads().length * (JAVA_START + BANDWIDTH));
        int most = p.threads()[p.threads().length - 1];
        for (BenchConfig c : p.configs()) {
            Rates r = rates(c);
            ConfigSteps s = ConfigSteps.of(c, p.quick(), p.warmupAll(), p.stepsAll());
            String n = c.name();
            // Pretext's initial weights, batches and losses, at the most threads
            parts.put(n + ": Pretext's equal-loss run", JAVA_START + s.equalLoss() / r.rate("pretext", most));
            double tuning = 0;
            for (int t : p.threads()) {
                if (p.toTune().contains("pytorch/" + n + "/" + t)) {
                    tuning += 4 * (PYTORCH_START + 2 * s.tuning() / r.rate("pytorch", t));
                }
                if (p.toTune().contains("pytorch26/" + n + "/" + t)) {
                    tuning += 2 * (TORCH26_START + 2 * s.tuning() / r.rate("eager", t));
                }
            }
            if (tuning > 0) {
                parts.put(n + ": BLAS tuning", tuning);
            }
            double rounds = 0;
            double compiled = 0;
            double compile = 0;
            for (int round = 0; round < Math.max(p.rounds(), Math.max(p.rounds113(), p.compiledRounds())); round++) {
                for (int t : p.threads()) {
                    boolean first = round == 0 && t == most;
                    if (round < p.rounds()) {
                        rounds += JAVA_START + (s.warmup() + s.timedSteps(r.rate("pretext", t), s.warmup(), false))
                                / r.rate("pretext", t);
                    }
                    if (round < p.rounds113()) {
                        rounds += PYTORCH_START + run(s, r.rate("pytorch", t), first);
                    }
                    if (p.torch26() && round < p.rounds()) {
                        rounds += TORCH26_START + run(s, r.rate("eager", t), first);
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
