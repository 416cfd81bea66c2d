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
                        if (c.convolutional()) { // channels-last: about 1.3x the eager step (2026-12-06)
                            rounds += TORCH26_START + run(s, CHANNELS_LAST_SPEED_UP * r.rate("eager", t), first);
                        }
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
