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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.pretext.Versions;
import org.pretext.engine.FileTrees;

/**
 * The benchmark suite: Pretext's training step against the same model in plain PyTorch on this
 * machine, in separate processes, alternating, after warm-up, at 1 and 2 threads; PyTorch at its
 * best BLAS build and kernel set; plus GEMM peak, memory bandwidth ({@link BandwidthBench}), each
 * configuration's FLOPs and bytes per step and its roofline bound ({@code bench/python/roofline.py} in
 * the PyTorch 2.6 root, {@link Roofline}; skipped, saying why, without the root), equal-loss check,
 * cold start, peak memory, data-pipeline and feature-extraction throughput. Writes {@code BENCHMARKS.md} and
 * {@code bench/results.json}, keeping the sections of {@code BENCHMARKS.md} that other programs
 * wrote (those whose headings the suite does not generate). Run from the project root, as root:
 *
 * <pre>apt-get install -y python3-torch libopenblas0-pthread libopenblas0-openmp && scripts/pytorch-root.sh setup \
 *     && mvn -B -q package -DskipTests -Pbench && java -jar bench/target/pretext-bench.jar</pre>
 *
 * Two references: Debian bookworm's PyTorch 1.13 on the host ({@code /usr/bin/python3}, over
 * OpenBLAS builds and kernel sets), and Debian trixie's PyTorch 2.6 in the root that
 * {@code scripts/pytorch-root.sh} builds, run through {@code scripts/pytorch-root.sh run} eager and
 * under {@code torch.compile} (inductor, CPU, modes {@code default} and
 * {@code max-autotune-no-cudagraphs}), over its OpenBLAS builds (pthread, OpenMP; OpenBLAS picks its
 * own kernels, {@code OPENBLAS_CORETYPE} unset) with {@code OPENBLAS_NUM_THREADS} and
 * {@code torch.set_num_threads} pinned to the thread count. The compiled sides take the BLAS build
 * of the eager step at the same thread count. For the convolutional configurations (simclr-cnn,
 * dino-cnn) the 2.6 eager step also runs channels-last ({@value #EAGER_CHANNELS_LAST}: weights and
 * image batches NHWC, PyTorch's advice for convolutions on oneDNN), a side of its own in every round,
 * since Pretext's convolution weights are channels-last too. Without the root (or with {@code --no-torch26}) the 2.6
 * columns are skipped with a message naming {@code scripts/pytorch-root.sh setup}.
 *
 * <p>Per configuration, in this order:
 * <ol>
 *   <li>Pretext's equal-loss run (at the most threads): writes its initial weights and its prepared
 *       batches and prints its losses over them ({@link StepBench} {@code --dump}).
 *   <li>PyTorch's settings: the choice recorded in {@code bench/tuning.json} ({@link TuningRecord})
 *       by an earlier run's tuning on the same kind of CPU ({@link CpuKind#signature}), or, where none
 *       is recorded or with {@code --tune}, tuning runs (1.13: per thread count its 2 OpenBLAS builds ×
 *       the kernel sets the CPU runs, {@link CpuKind#kernelSets}: 4 runs with AVX-512, 2 without; 2.6:
 *       2 per thread count, its 2 builds) whose choices this run records.
 *   <li>Rounds: per round and thread count, Pretext, PyTorch 1.13 (first {@code --rounds-113} rounds)
 *       and PyTorch 2.6 eager, in reverse order in odd rounds; after the eager runs of a round,
 *       each torch.compile mode (first {@code --compiled-rounds} rounds) at the thread count where the
 *       first round's eager step was fastest. Each configuration and mode has its own inductor cache,
 *       emptied before its first run, so the first compiled run pays the cold compile (reported apart:
 *       the first step less one timed step) and later ones a warm compile.
 *   <li>The equal-loss check is folded into the first round: each reference's run there at the most
 *       threads (torch.compile's at its thread count) starts from Pretext's weights, trains on
 *       Pretext's batches, reports its losses over them beside its timing, and runs until it has
 *       trained on every batch at least once.
 * </ol>
 * A run's warm-up is a number of steps (PyTorch's capped at {@value #PYTORCH_WARMUP_CAP}: it has no
 * JIT to warm; Pretext's at least {@value #PRETEXT_MIN_WARMUP}, and then on until
 * {@value #PRETEXT_WARMUP_SECONDS} s have passed, for the JIT); its timed steps stop at {@link BenchConfig.SuiteSteps#steps} or, for the slow
 * configurations, once {@link BenchConfig.SuiteSteps#seconds} have passed, so every cell is timed
 * for about that long whatever its speed ({@code --seconds}-bounded in both {@link StepBench} and
 * {@code reference_step.py}).
 *
 * <p>Options: {@code --rounds N} (2: Pretext and 2.6 eager), {@code --rounds-113 N} (1),
 * {@code --compiled-rounds N} (1), {@code --no-torch113}, {@code --no-torch26}, {@code --no-glibc-tunables} (every side without {@code MallocTuning.GLIBC_TUNABLES}), {@code --tune},
 * {@code --configs a,b} (all), {@code --warmup N}, {@code --steps N} (for every configuration, and no
 * time limit; by default each takes its own {@link BenchConfig.SuiteSteps}),
 * {@code --compiled-threads best|all} (torch.compile at the thread count where 2.6's eager step was
 * fastest, the default, or at every one), {@code --scaling} (adds the scaling sweep,
 * {@link #scaling}) and {@code --scaling-only} (GEMM and the sweep only), {@code --quick}: the
 * plumbing only, written to {@code bench/target/quick/} (BENCHMARKS.md and results.json stay
 * untouched; its numbers mean nothing): one round at one thread, 2 + 5 steps, no tuning, 5
 * equal-loss steps, GEMM 512³, no throughput benchmark; it keeps {@code bench/target/inductor-cache}
 * so that the next quick run compiles warm.
 *
 * <h2>Where the time goes</h2>
 *
 * The suite prints an estimate of its wall time at its start ({@link SuiteEstimate}: every process
 * it will start, its warm-up and timed steps at assumed step rates, start-ups of 2 s for a JVM, 1.5 s
 * for PyTorch 1.13 and 3 s for 2.6 in the root, cold compiles of 20–90 s per configuration and mode,
 * 45 s of throughput benchmark) and writes it beside the measured "Suite wall time" in BENCHMARKS.md.
 * The assumed rates are those of the last full run on the same kind of CPU where
 * {@code bench/results.json} holds one ({@link SuiteEstimate.Assumed#forCpu}), else the medians of
 * the 2026-12-06 run 4 on the AVX-512 machine (Pretext's convolutional steps times the channels-last
 * speed-up measured since); they are estimates, not measurements of this code. With the latter the
 * default run is estimated at about 20 minutes; run 5 (2026-12-06, the channels-last side included,
 * no sweep) took 18.8. The tables below are the model's older figures, kept for how the plan came to
 * be.
 *
 * <p><b>Before (the defaults until 2026-12-06)</b>: 2 rounds of every side, tuning in every run,
 * separate equal-loss runs of 100 steps. Processes: 16 GEMM runs; per configuration 8 1.13 tuning runs,
 * 4 2.6 tuning runs, 16 timed runs (2 rounds × (2 thread counts × Pretext, 1.13, 2.6 eager + 2
 * compiled)) and 5 equal-loss runs (Pretext and 1.13 at 1 thread, 2.6 eager and both compile modes):
 * 33 per configuration, 149 in all. The same model of the wall time gives (minutes):
 * <pre>
 *                tuning   timed rounds (cold compiles in them)   equal-loss (100 steps, 5 runs)   all
 *   simclr-mlp    0.8       4.8                                      0.5                             6.1
 *   simclr-cnn    1.8       7.7                                     10.3                            19.8
 *   causal-lm     0.9       6.4                                      1.0                             8.4
 *   mae           1.1       5.2                                      5.0                            11.3
 *   GEMM 1.1, throughput 0.8                                                                   about 47
 * </pre>
 * The measured run of 2026-12-05 agrees: it was stopped after 32 minutes before causal-lm, having
 * spent about 25 on GEMM, simclr-mlp and simclr-cnn (the model: 27). The equal-loss runs of the
 * convolutional and ViT steps were the largest part (16.8 of the 47 minutes): 100 steps at 0.5–1.7
 * steps/s on each of five sides, at 1 thread for Pretext and 1.13. (The earlier Javadoc's "about 27
 * minutes" for everything counted about 4 minutes for all the 2.6 equal-loss runs, where
 * simclr-cnn's alone take about 6.6 in this model.)
 *
 * <p><b>Now</b>: the same model for the first run after this change (every 2.6 choice and dino-cnn's
 * 1.13 choice still to tune) gives about 27 minutes; later runs, with every choice recorded, about
 * 24. Processes per configuration: 1 equal-loss run of Pretext, 4 Pretext runs (2 rounds × 2 thread
 * counts), 4 2.6 eager runs, 2 1.13 runs (1 round), 2 compiled runs (1 round, cold compile), and
 * tuning runs only where no choice is recorded: 13 per configuration, 65 in all, plus 16 GEMM runs and
 * the throughput benchmark (first run: 28 tuning runs more). Minutes of the first run:
 * <pre>
 *                tuning   Pretext, 1.13, 2.6 eager   compiled (steps + cold compiles)   Pretext's equal-loss run   all
 *   simclr-mlp    0.3        1.9                          0.4 + 0.8                          0.1                    3.4
 *   simclr-cnn    0.8        2.8                          1.0 + 0.8                          0.2                    5.6
 *   causal-lm     0.4        2.6                          0.6 + 1.5                          0.1                    5.2
 *   mae           0.5        2.0                          0.5 + 1.5                          0.1                    4.5
 *   dino-cnn      0.8        2.1                          0.7 + 2.3                          0.2                    6.1
 *   GEMM 1.1, throughput 0.8                                                                                 about 27
 * </pre>
 * What changed: the equal-loss check folded into the first round's timed runs (the separate
 * equal-loss runs were 16.8 minutes of the old 47); the slow configurations compare fewer steps
 * (simclr-cnn and mae 20, dino-cnn 50, instead of the 100: the first round's reference runs
 * must train that long, and 100 steps would add about 6 minutes per slow configuration); their timed
 * steps stop after 10 s (a 2.6 eager cell at 0.5 steps/s would take 30 s for 15 steps); one round of
 * 1.13 and of each compile mode (warm compile times are then not measured: {@code --compiled-rounds 2}
 * measures them); PyTorch 1.13's warm-up capped like 2.6's; tuning choices reused from
 * {@code bench/tuning.json} (the 2026-11-22 run's for 1.13 on the four older configurations; tuning
 * everything costs 3.2 minutes for 1.13 and 2.3 for 2.6 in this model). The least certain parts are
 * the cold compiles (6.8 of the 27 minutes, guessed for causal-lm, mae and dino-cnn) and the 2.6 step
 * rates of causal-lm and mae (never measured here). The memory-bandwidth runs (2 JVMs of about 7 s)
 * and the roofline counts (one roofline.py run per configuration in the root, 5–7 s each) came after
 * that table and add about 0.7 minutes: 27.5 for the first run, 25 for later ones. {@code --rounds 3} adds about 4.4 minutes. The scaling sweep ({@code --scaling}) is outside this
 * budget: 18 points × 3 runs, each about 200 GFLOP of timed steps plus a compile per point.
 */
public final class Suite {
    /** NaN marks what a run did not measure (e.g. a warm compile in a one-round run): written as NaN, not refused. */
    static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();
    private static final String[] BLAS = {"openblas-pthread", "openblas-openmp"};
    /** This machine's CPU: the kernel sets 1.13 is tried with, and the key of the recorded tuning choices. */
    private final CpuKind cpu = CpuKind.current();
    /** PyTorch 2.6's sides: eager, then torch.compile's modes. */
    static final List<String> TORCH26_MODES = List.of("eager", "default", "max-autotune-no-cudagraphs");
    /**
     * PyTorch 2.6's eager step with the model and image batches channels-last ({@code reference_step.py
     * --channels-last}), run beside the eager step for the convolutional configurations, where it is PyTorch
     * at its best (1.25–1.38× on {@code simclr-cnn}); a side of its own, alternated with the others.
     */
    static final String EAGER_CHANNELS_LAST = "eager-channels-last";
    /** The mixed-precision sides ({@link #bf16}): Pretext's bf16 step and PyTorch 2.6's eager step under autocast. */
    static final String PRETEXT_BF16 = "pretext-bf16";
    static final String TORCH26_AUTOCAST = "pytorch26-autocast";
    /** The 2.6 sides in the order of the step table's columns. */
    static final List<String> TORCH26_COLUMNS = List.of("eager", EAGER_CHANNELS_LAST, "default",
            "max-autotune-no-cudagraphs");
    /** Warm-up steps of a PyTorch run (1.13 and 2.6) at most, the first one (which compiles) included: PyTorch has no JIT to warm. */
    static final int PYTORCH_WARMUP_CAP = 100;
    /**
     * Warm-up steps of a Pretext run at least (the slow configurations ask for 3): the JVM's JIT
     * compiles the loop's Java code by invocation counts, and until it is done its compiler threads
     * take the cores from the step. Measured 2026-12-07 (`StepBench --config simclr-cnn`, 2 threads,
     * 40 timed steps): 5.62, 5.50, 6.04, 5.91 and 5.96 steps/s after 3, 10, 20, 40 and 80 warm-up
     * steps (the backward pass 114–122 ms after 3, 109–111 after 40, PyTorch 2.6's 108–111 after
     * either), and PyTorch 2.6's channels-last step 5.95–6.10 after 3 or 40.
     */
    static final int PRETEXT_MIN_WARMUP = 20;
    /**
     * Seconds a Pretext run keeps warming up after its warm-up steps, from the start of its warm-up:
     * the JIT's compiler threads need time as well as invocations, and the fast configurations' steps
     * give too little of it. Measured 2026-12-07 (`StepBench --config causal-lm`, 2 threads, 150 timed
     * steps, alternated): after 50 warm-up steps (under 2 s) 23.6–29.0 steps/s in eight runs, seven of
     * them 28.0–29.0; after 300 steps 24.8–32.5 in six, four of them 31.2–32.5; with
     * {@code --warmup 50 --warmup-seconds 5} 28.1 and 31.8, with {@code --warmup-seconds 10} 33.0 and
     * 30.8 (251–284 warm-up steps).
     */
    static final double PRETEXT_WARMUP_SECONDS = 10;
    /** The recorded PyTorch settings ({@link TuningRecord}), relative to the project root. */
    static final String TUNING_FILE = "bench/tuning.json";
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
    /** Rounds of Pretext and PyTorch 2.6 eager ({@code --rounds}). */
    private int rounds = 2;
    /** Rounds of PyTorch 1.13 ({@code --rounds-113}; 0 with {@code --no-torch113}). */
    private int rounds113 = 1;
    /** Rounds of each torch.compile mode ({@code --compiled-rounds}). */
    private int compiledRounds = 1;
    /**
     * glibc's start-up allocator settings given to every side's process (Pretext's command lines start
     * their work with them: {@code MallocTuning}), or null with {@code --no-glibc-tunables}.
     */
    private String glibcTunables = org.pretext.runtime.MallocTuning.GLIBC_TUNABLES;
    /** Whether every PyTorch setting is tuned again ({@code --tune}), not taken from {@link #TUNING_FILE}. */
    private boolean tuneAll;
    /**
     * Whether the mixed-precision sides run: Pretext's step with {@code training.precision: bf16} and
     * PyTorch 2.6's eager step under {@code torch.autocast} (channels-last for the convolutional
     * configurations), at the most threads, in every round of Pretext and 2.6 eager (after its float32
     * sides; medians, as theirs; one round until 2026-12-07); on CPUs with
     * AVX-512 BF16 or AMX unless {@code --no-bf16}. Their own table: bfloat16 changes the losses, so
     * they take no part in the float32 ratios.
     */
    private boolean bf16;
    /** The recorded PyTorch settings, updated by this run's tuning. */
    private TuningRecord tuning = TuningRecord.empty(cpu.signature());
    /** Batch sizes of the scaling sweep (at each configuration's own width). */
    static final int[] SWEEP_BATCHES = {64, 128, 256, 512, 1024};
    /** Widths of the scaling sweep (at each configuration's own batch). */
    static final int[] SWEEP_WIDTHS = {128, 256, 512, 1024, 2048};
    /** MiB per array of the bandwidth runs ({@link BandwidthBench}). */
    static final int BANDWIDTH_MB = 1024;
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

    /** The suite's options (README, "Benchmarks"). */
    static final List<String> OPTIONS = List.of("help", "root", "python", "quick", "rounds", "rounds-113", "no-torch113",
            "compiled-rounds", "tune", "no-glibc-tunables", "configs", "no-torch26", "no-bf16", "scaling", "scaling-only",
            "compiled-threads", "warmup", "steps");

    public static void main(String[] args) throws Exception {
        Map<String, String> a;
        try {
            a = Args.parse(args);
            Args.requireKnown(a, OPTIONS);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (a.containsKey("help")) {
            System.out.println("java -jar bench/target/pretext-bench.jar [--" + String.join("] [--", OPTIONS.stream()
                    .filter(o -> !o.equals("help")).toList()) + "]\nfrom the project folder; README.md, section"
                    + " Benchmarks, says what each does");
            return;
        }
        Path root = Path.of(a.getOrDefault("root", ".")).toAbsolutePath().normalize();
        Path script = root.resolve("bench/python/reference_step.py");
        if (!Files.exists(script)) {
            throw new IllegalStateException("run the suite from the project root (" + script + " not found)");
        }
        String jar = Path.of(Suite.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        boolean quick = a.containsKey("quick");
        Suite s = new Suite(root, jar, a.getOrDefault("python", "/usr/bin/python3"), quick);
        s.rounds = Args.integer(a, "rounds", quick ? 1 : 2);
        s.rounds113 = a.containsKey("no-torch113") ? 0 : Args.integer(a, "rounds-113", 1);
        s.compiledRounds = Args.integer(a, "compiled-rounds", 1);
        if (s.rounds < 1 || s.rounds113 < 0 || s.compiledRounds < 0) {
            throw new IllegalArgumentException("--rounds must be at least 1, --rounds-113 and --compiled-rounds at least 0");
        }
        s.tuneAll = a.containsKey("tune");
        s.bf16 = !a.containsKey("no-bf16") && org.pretext.runtime.MixedPrecision.nativeBf16(s.cpu.flags());
        if (a.containsKey("no-glibc-tunables")) {
            s.glibcTunables = null;
        }
        if (s.rounds113 > 0) {
            s.requireTorch113();
        }
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
        s.tuning = TuningRecord.load(root.resolve(TUNING_FILE), s.cpu.signature());
        s.runAll(a.containsKey("scaling-only") ? List.of() : configs, Args.integer(a, "warmup", -1),
                Args.integer(a, "steps", -1));
    }

    /** Fails at once, naming what to install, when the host's interpreter cannot import torch (PyTorch 1.13). */
    private void requireTorch113() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(python, "-c", "import torch").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("PyTorch 1.13 is not usable with " + python + " (" + out.lines()
                    .reduce((x, y) -> y).orElse("") + "): install it with `apt-get install python3-torch"
                    + " libopenblas0-pthread libopenblas0-openmp`, or leave it out with --no-torch113");
        }
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

    /** What this run will do, for {@link SuiteEstimate}. */
    SuiteEstimate.Plan plan(List<String> configs, int warmupAll, int stepsAll) {
        Set<String> toTune = quick ? Set.of() : toTune(configs, threads, rounds113 > 0, torch26 != null, tuneAll, tuning);
        return new SuiteEstimate.Plan(configs.stream().map(BenchConfig::named).toList(), threads, rounds, rounds113,
                torch26 != null ? compiledRounds : 0, torch26 != null, compiledAllThreads, toTune, quick ? 512 : 2048,
                cpu.kernelSets(), quick, !quick && !configs.isEmpty(), warmupAll, stepsAll, bf16);
    }

    /**
     * The tuning runs a full run makes, as "pytorch/CONFIG/THREADS" (PyTorch 1.13's build and kernel set,
     * 4 runs) and "pytorch26/CONFIG/THREADS" (2.6's build, 2 runs): every one with {@code tuneAll}, else
     * those with no choice in {@code recorded}.
     */
    static Set<String> toTune(List<String> configs, int[] threads, boolean torch113, boolean torch26, boolean tuneAll,
            TuningRecord recorded) {
        Set<String> out = new LinkedHashSet<>();
        for (String name : configs) {
            for (int t : threads) {
                if (torch113 && (tuneAll || recorded.get("pytorch", name, t) == null)) {
                    out.add("pytorch/" + name + "/" + t);
                }
                if (torch26 && (tuneAll || recorded.get("pytorch26", name, t) == null)) {
                    out.add("pytorch26/" + name + "/" + t);
                }
            }
        }
        return out;
    }

    /**
     * @param warmupAll warm-up steps for every configuration, or -1 for each configuration's own
     * @param stepsAll timed steps for every configuration, or -1 for each configuration's own
     */
    private void runAll(List<String> configs, int warmupAll, int stepsAll) throws Exception {
        long t0 = System.nanoTime();
        SuiteEstimate.Plan plan = plan(configs, warmupAll, stepsAll);
        SuiteEstimate.Assumed assumed = SuiteEstimate.Assumed.forCpu(cpu, root.resolve("bench/results.json"));
        Map<String, Double> estimate = SuiteEstimate.estimate(plan, assumed);
        if (!plan.toTune().isEmpty() && !tuning.otherCpus().isEmpty()) {
            System.err.println(TUNING_FILE + " records no choice for this CPU (" + cpu.signature() + ") for "
                    + plan.toTune().size() + " of this run's settings (it has choices for " + String.join("; ",
                    tuning.otherCpus()) + ", not reused here): tuning them, and recording them under this CPU");
        }
        System.err.println("Estimated wall time: " + SuiteEstimate.describe(estimate) + (sweep
                ? ", plus the scaling sweep" : "") + "; from the step rates of " + assumed.source()
                + " (SuiteEstimate), not a measurement");
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("machine", machine());
        if (quick) {
            results.put("quick", true);
        }
        results.put("estimatedSeconds", estimate.get("total"));
        results.put("estimate", estimate);
        results.put("estimateRatesFrom", assumed.source());
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("rounds", rounds);
        settings.put("rounds113", rounds113);
        settings.put("compiledRounds", torch26 != null ? compiledRounds : 0);
        settings.put("threads", threads);
        results.put("settings", settings);
        results.put("glibcTunables", glibcTunables == null ? "none (--no-glibc-tunables)" : glibcTunables);
        // 1. GEMM peak on every side
        String gemmN = "" + plan.gemmN();
        List<Map<String, Object>> gemm = new ArrayList<>();
        for (int t : threads) {
            gemm.add(java("org.pretext.bench.GemmBench", Map.of("PRETEXT_MKL_OVERRIDE", "true"), "--threads", "" + t,
                    "--n", gemmN).result());
            gemm.add(java("org.pretext.bench.GemmBench", Map.of("PRETEXT_MKL_OVERRIDE", "false"), "--threads", "" + t,
                    "--n", gemmN).result());
            if (rounds113 > 0) {
                for (String blas : quick ? new String[] {BLAS[0]} : BLAS) {
                    for (String core : quick ? cpu.kernelSets().subList(0, 1) : cpu.kernelSets()) {
                        gemm.add(python(blas, core, "--gemm", gemmN, "--threads", "" + t).result());
                    }
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
        results.put("gemmSize", plan.gemmN());
        results.put("peakGflops", peak);
        // 1b. memory bandwidth at each thread count: the roofline's other axis (with the GEMM peak)
        List<Map<String, Object>> bandwidth = new ArrayList<>();
        for (int t : threads) {
            bandwidth.add(java("org.pretext.bench.BandwidthBench", Map.of(), "--threads", "" + t, "--mb",
                    "" + BANDWIDTH_MB).result());
        }
        double bw = bandwidth.stream().mapToDouble(b -> ((Number) b.get("gbPerSecond")).doubleValue()).max().orElse(1);
        results.put("bandwidth", bandwidth);
        results.put("bandwidthGBps", bw);
        if (torch26 == null) {
            results.put("rooflineSkipped", "bench/python/roofline.py counts each op's FLOPs with"
                    + " torch.utils.flop_counter, which PyTorch 2.1 and later have and the host's PyTorch 1.13 lacks,"
                    + " so it runs in the PyTorch 2.6 root, which this run does not use (" + torch26Skipped + ")");
        }
        // 2. per configuration: Pretext's equal-loss run, PyTorch's settings, then the rounds
        Map<String, Object> perConfig = new LinkedHashMap<>();
        boolean tuned = false;
        int most = threads[threads.length - 1];
        for (String name : configs) {
            BenchConfig c = BenchConfig.named(name);
            SuiteEstimate.ConfigSteps st = SuiteEstimate.ConfigSteps.of(c, quick, warmupAll, stepsAll);
            Map<String, Object> cr = new LinkedHashMap<>();
            // inside the project, which scripts/pytorch-root.sh mounts into the root (the host's /tmp is not there)
            Files.createDirectories(root.resolve("bench/target"));
            Path dump = Files.createTempDirectory(root.resolve("bench/target"), "equal-loss");
            try {
                // Pretext's initial weights, its batches and its losses over them: every reference's first-round run
                // at the most threads (torch.compile's at its thread count) trains on them from those weights
                Run j = java("org.pretext.bench.StepBench", Map.of(), "--config", name, "--threads", "" + most, "--dump",
                        dump.toString(), "--dump-steps", "" + st.equalLoss());
                List<Number> pretextLosses = losses(j, "Pretext");
                Map<Integer, String[]> best = new LinkedHashMap<>();
                Map<Integer, String> best26 = new LinkedHashMap<>();
                List<Map<String, Object>> tuningRuns = new ArrayList<>();
                List<Map<String, Object>> tuningRuns26 = new ArrayList<>();
                Map<String, Object> source = new LinkedHashMap<>();
                for (int t : threads) {
                    if (rounds113 > 0) {
                        TuningRecord.Choice ch = quick ? new TuningRecord.Choice(BLAS[0] + " " + cpu.kernelSets().get(0), "quick",
                                Map.of())
                                : plan.toTune().contains("pytorch/" + name + "/" + t) ? tune113(name, t, st.tuning(), tuningRuns)
                                : tuning.get("pytorch", name, t);
                        best.put(t, ch.setting().split(" "));
                        source.put("pytorch/" + t, ch.measured());
                        tuned |= !quick && plan.toTune().contains("pytorch/" + name + "/" + t);
                    }
                    if (torch26 != null) {
                        TuningRecord.Choice ch = quick ? new TuningRecord.Choice(BLAS[0], "quick", Map.of())
                                : plan.toTune().contains("pytorch26/" + name + "/" + t) ? tune26(name, t, st.tuning(), tuningRuns26)
                                : tuning.get("pytorch26", name, t);
                        best26.put(t, ch.setting());
                        source.put("pytorch26/" + t, ch.measured());
                        tuned |= !quick && plan.toTune().contains("pytorch26/" + name + "/" + t);
                    }
                }
                if (!tuningRuns.isEmpty()) {
                    cr.put("pytorchTuning", tuningRuns);
                }
                if (!tuningRuns26.isEmpty()) {
                    cr.put("pytorch26Tuning", tuningRuns26);
                }
                cr.put("settingsMeasured", source);
                Map<String, List<Run>> runs = new LinkedHashMap<>();
                Map<String, List<Run>> bf16Runs = new LinkedHashMap<>();
                Map<String, Map<String, Object>> equal = new LinkedHashMap<>();
                int compiledThreads = most;
                for (int round = 0; round < Math.max(rounds, Math.max(rounds113, compiledRounds)); round++) {
                    for (int t : threads) {
                        List<String> sides = new ArrayList<>();
                        if (round < rounds) {
                            sides.add("pretext");
                        }
                        if (round < rounds113) {
                            sides.add("pytorch");
                        }
                        if (torch26 != null && round < rounds) {
                            sides.add("pytorch26-eager");
                            if (c.convolutional()) {
                                sides.add("pytorch26-" + EAGER_CHANNELS_LAST);
                            }
                        }
                        if (round % 2 == 1) {
                            Collections.reverse(sides);
                        }
                        for (String side : sides) {
                            boolean checks = round == 0 && t == most && !side.equals("pretext");
                            Run r = stepRun(c, side, t, st, checks ? dump : null, best, best26, runs);
                            runs.computeIfAbsent(side + "-" + t, x -> new ArrayList<>()).add(r);
                            if (checks) {
                                equal.put(side, equalRow(pretextLosses, r, side, t));
                            }
                        }
                    }
                    if (bf16 && round < rounds) {
                        List<String> sides = new ArrayList<>(List.of(PRETEXT_BF16));
                        if (torch26 != null) {
                            sides.add(TORCH26_AUTOCAST);
                        }
                        if (round % 2 == 1) {
                            Collections.reverse(sides);
                        }
                        for (String side : sides) {
                            bf16Runs.computeIfAbsent(side + "-" + most, x -> new ArrayList<>())
                                    .add(bf16Run(c, side, most, st, best26));
                        }
                    }
                    if (torch26 != null && round == 0) {
                        // torch.compile at the thread count where the eager step was fastest in this round
                        Map<String, Double> eager = new LinkedHashMap<>();
                        for (int t : threads) {
                            eager.put("" + t, runs.get("pytorch26-eager-" + t).get(0).get("stepsPerSecond"));
                        }
                        compiledThreads = Integer.parseInt(bestSetting(eager));
                    }
                    if (torch26 != null && round < compiledRounds) {
                        List<String> modes = new ArrayList<>(TORCH26_MODES.subList(1, TORCH26_MODES.size()));
                        if (round % 2 == 1) {
                            Collections.reverse(modes);
                        }
                        for (int t : threads) {
                            if (!compiledAllThreads && t != compiledThreads) {
                                continue;
                            }
                            for (String mode : modes) {
                                String side = "pytorch26-" + mode;
                                boolean checks = round == 0 && t == compiledThreads;
                                Run r = stepRun(c, side, t, st, checks ? dump : null, best, best26, runs);
                                runs.computeIfAbsent(side + "-" + t, x -> new ArrayList<>()).add(r);
                                if (checks) {
                                    equal.put(side, equalRow(pretextLosses, r, side, t));
                                }
                            }
                        }
                    }
                }
                Map<String, Object> medians = new LinkedHashMap<>();
                for (Map.Entry<String, List<Run>> e : runs.entrySet()) {
                    medians.put(e.getKey(), summarise(e.getValue()));
                }
                cr.put("medians", medians);
                if (!bf16Runs.isEmpty()) {
                    Map<String, Object> bf16Medians = new LinkedHashMap<>();
                    bf16Runs.forEach((k, v) -> bf16Medians.put(k, summarise(v)));
                    cr.put("bf16Medians", bf16Medians);
                }
                if (!best.isEmpty()) {
                    cr.put("pytorchBest", best.entrySet().stream().collect(LinkedHashMap::new,
                            (m, e) -> m.put(e.getKey().toString(), String.join(" ", e.getValue())), Map::putAll));
                }
                if (torch26 != null) {
                    cr.put("pytorch26Best", best26.entrySet().stream().collect(LinkedHashMap::new,
                            (m, e) -> m.put(e.getKey().toString(), e.getValue()), Map::putAll));
                    cr.put("compiledThreads", compiledThreads);
                }
                cr.put("flopsPerStep", c.flopsPerStep());
                cr.put("batch", c.batch());
                cr.put("warmup", st.warmup());
                cr.put("warmupSeconds", st.warmupSeconds());
                cr.put("warmup26", Math.max(1, st.warmupReference()));
                cr.put("steps", st.steps());
                cr.put("seconds", st.seconds());
                cr.put("pretextEqualLossThreads", most);
                if (equal.containsKey("pytorch")) {
                    cr.put("equalLoss", equal.remove("pytorch"));
                }
                Map<String, Map<String, Object>> equal26 = new LinkedHashMap<>();
                equal.forEach((side, q) -> equal26.put(side.substring("pytorch26-".length()), q));
                if (!equal26.isEmpty()) {
                    cr.put("equalLoss26", equal26);
                }
                if (torch26 != null) {
                    cr.put("roofline", roofline(name, peak, bw, most));
                }
                perConfig.put(name, cr);
            } finally {
                FileTrees.delete(dump);
            }
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
        if (plan.throughput()) {
            results.put("throughput", java("org.pretext.bench.ThroughputBench", Map.of(), "--threads", "1").result());
        }
        if (!quick) { // --quick keeps them, so that the next quick run compiles warm
            FileTrees.delete(root.resolve("bench/target/inductor-cache"));
        }
        if (tuned) {
            tuning.save(root.resolve(TUNING_FILE));
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
                + String.format(Locale.ROOT, "%.0f s (estimated %.0f s)", (System.nanoTime() - t0) / 1e9,
                estimate.get("total")));
    }

    /**
     * One timed run of a side ("pretext", "pytorch", "pytorch26-MODE") at {@code t} threads; with
     * {@code dump} (a reference's first-round run) it trains on Pretext's batches from Pretext's
     * weights and reports the losses too.
     */
    private Run stepRun(BenchConfig c, String side, int t, SuiteEstimate.ConfigSteps st, Path dump,
            Map<Integer, String[]> best, Map<Integer, String> best26, Map<String, List<Run>> runs) throws Exception {
        String name = c.name();
        List<String> args = stepArgs(c, side.equals("pretext"), t, st);
        if (dump != null) {
            args.addAll(List.of("--load", dump.toString()));
        }
        String[] a = args.toArray(String[]::new);
        if (side.equals("pretext")) {
            return java("org.pretext.bench.StepBench", BEST, a);
        }
        if (side.equals("pytorch")) {
            return python(best.get(t)[0], best.get(t)[1], a);
        }
        String mode = side.substring("pytorch26-".length());
        if (mode.equals(EAGER_CHANNELS_LAST)) {
            args.add("--channels-last");
        } else if (!mode.equals("eager")) {
            // one inductor cache per configuration and mode, emptied before its first run (cold compile), then
            // warm for later rounds (--compiled-rounds); --quick keeps it for the next quick run
            args.addAll(List.of("--compile", mode, "--cache-dir", inductorCache(name, mode,
                    !quick && runs.keySet().stream().noneMatch(k -> k.startsWith(side + "-"))).toString()));
        }
        return torch26(best26.get(t), args.toArray(String[]::new));
    }

    /**
     * A timed step run's arguments, the same for StepBench and reference_step.py: configuration,
     * threads, warm-up (Pretext's, or the references' capped one), steps and, for the slow
     * configurations, seconds.
     */
    static List<String> stepArgs(BenchConfig c, boolean pretext, int t, SuiteEstimate.ConfigSteps st) {
        List<String> args = new ArrayList<>(List.of("--config", c.name(), "--threads", "" + t, "--warmup",
                "" + (pretext ? st.warmup() : Math.max(1, st.warmupReference())), "--steps", "" + st.steps()));
        if (st.seconds() > 0) {
            args.addAll(List.of("--seconds", "" + st.seconds()));
        }
        if (pretext && st.warmupSeconds() > 0) {
            args.addAll(List.of("--warmup-seconds", "" + st.warmupSeconds()));
        }
        return args;
    }

    /**
     * One timed run of a mixed-precision side at {@code t} threads: {@link #PRETEXT_BF16} (StepBench
     * {@code --precision bf16}) or {@link #TORCH26_AUTOCAST} ({@code reference_step.py --autocast},
     * channels-last for the convolutional configurations, at the OpenBLAS build tuned for its eager step).
     */
    private Run bf16Run(BenchConfig c, String side, int t, SuiteEstimate.ConfigSteps st, Map<Integer, String> best26)
            throws Exception {
        boolean pretext = side.equals(PRETEXT_BF16);
        List<String> args = stepArgs(c, pretext, t, st);
        if (pretext) {
            args.addAll(List.of("--precision", "bf16"));
            return java("org.pretext.bench.StepBench", BEST, args.toArray(String[]::new));
        }
        args.add("--autocast");
        if (c.convolutional()) {
            args.add("--channels-last");
        }
        return torch26(best26.get(t), args.toArray(String[]::new));
    }

    /**
     * FLOPs and bytes of the configuration's step, op by op ({@code bench/python/roofline.py} in the
     * PyTorch 2.6 root: one eager step under a dispatch mode; deterministic, so once per configuration),
     * and its roofline bound at the run's GEMM peak and bandwidth ({@link Roofline}). roofline.py
     * computes the bound too: the two must agree.
     */
    private Map<String, Object> roofline(String name, double peak, double bandwidth, int threads) throws Exception {
        Path out = root.resolve("bench/target/roofline-" + name + ".json");
        Files.deleteIfExists(out);
        Run r = start(List.of(root.resolve("scripts/pytorch-root.sh").toString(), "run", "bench/python/roofline.py",
                "--config", name, "--peak", Double.toString(peak), "--bandwidth", Double.toString(bandwidth), "--out",
                out.toString()), Map.of("THREADS", "" + threads, "BLAS", "default"));
        Map<String, Object> entry = Roofline.entry(parseResult(Files.readString(out, StandardCharsets.UTF_8)), peak,
                bandwidth);
        double java = (Double) entry.get("boundSeconds");
        if (Math.abs(r.get("boundSeconds") - java) > 1e-9 * java) {
            throw new IllegalStateException("roofline bound of " + name + ": roofline.py gives " + r.get("boundSeconds")
                    + " s and Roofline " + java + " s from the same op list; expected the same");
        }
        entry.put("countSeconds", r.get("seconds"));
        return entry;
    }

    /** Tunes PyTorch 1.13's OpenBLAS build and kernel set for one configuration and thread count. */
    private TuningRecord.Choice tune113(String name, int t, int tuneSteps, List<Map<String, Object>> log)
            throws Exception {
        Map<String, Double> rates = new LinkedHashMap<>();
        for (String blas : BLAS) {
            for (String core : cpu.kernelSets()) {
                Run r = python(blas, core, "--config", name, "--threads", "" + t, "--warmup", "" + tuneSteps,
                        "--steps", "" + tuneSteps);
                log.add(r.result());
                rates.put(blas + " " + core, r.get("stepsPerSecond"));
            }
        }
        TuningRecord.Choice c = new TuningRecord.Choice(bestSetting(rates), LocalDate.now().toString(), rates);
        tuning.put("pytorch", name, t, c);
        return c;
    }

    /** Tunes PyTorch 2.6's OpenBLAS build on the eager step for one configuration and thread count. */
    private TuningRecord.Choice tune26(String name, int t, int tuneSteps, List<Map<String, Object>> log)
            throws Exception {
        Map<String, Double> rates = new LinkedHashMap<>();
        for (String blas : BLAS) {
            Run r = torch26(blas, "--config", name, "--threads", "" + t, "--warmup", "" + tuneSteps, "--steps",
                    "" + tuneSteps);
            log.add(r.result());
            rates.put(blas, r.get("stepsPerSecond"));
        }
        TuningRecord.Choice c = new TuningRecord.Choice(bestSetting(rates), LocalDate.now().toString(), rates);
        tuning.put("pytorch26", name, t, c);
        return c;
    }

    /** The equal-loss row of a reference's run that trained on Pretext's batches. */
    private static Map<String, Object> equalRow(List<Number> pretext, Run r, String side, int threads) {
        List<Number> reference = losses(r, Markdown.sideName(side + "-" + threads));
        Map<String, Object> q = compareLosses(pretext, reference.subList(0, Math.min(reference.size(), pretext.size())));
        q.put("threads", threads);
        return q;
    }

    /**
     * The scaling sweep: step time against batch size and against width for the MLP and the
     * transformer, one run per side and point at the most threads, Pretext against PyTorch 2.6 eager
     * and compiled (mode default) when the root is there, else against PyTorch 1.13. Indicative: one
     * run each, no rounds, no tuning of its own: each PyTorch runs with the BLAS build (and for 1.13
     * kernel set) recorded in {@code bench/tuning.json} for the configuration at that thread count, else
     * the OpenMP build (with AVX-512 kernels); every compiled point compiles its own shapes.
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
                    String blas = sweepBlas26(name, t);
                    row.put("blas", blas);
                    rates.put("PyTorch 2.6 eager", torch26(blas, args).get("stepsPerSecond"));
                    List<String> compiled = new ArrayList<>(List.of(args));
                    compiled.addAll(List.of("--compile", "default", "--cache-dir",
                            inductorCache(name + "-b" + pt[0] + "-w" + pt[1], "default", false).toString()));
                    rates.put("PyTorch 2.6 compile default", torch26(blas, compiled.toArray(String[]::new))
                            .get("stepsPerSecond"));
                } else {
                    String[] setting = sweepSetting113(name, t);
                    row.put("blas", String.join(" ", setting));
                    rates.put("PyTorch 1.13", python(setting[0], setting[1], args).get("stepsPerSecond"));
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

    /**
     * The OpenBLAS build of PyTorch 2.6 for a sweep point: the one recorded in {@code bench/tuning.json}
     * for the configuration at this thread count, else the OpenMP build. Debian's default pthread build
     * at 2 threads beside torch's own OpenMP threads made the 2026-12-06 sweep's 2.6 steps 10–17 times
     * slower than the suite's (141 against 8.2 ms for the MLP at batch 256), so the sweep does not use
     * it untuned.
     */
    private String sweepBlas26(String config, int t) {
        TuningRecord.Choice c = quick ? null : tuning.get("pytorch26", config, t);
        return c != null ? c.setting() : BLAS[1];
    }

    /** PyTorch 1.13's OpenBLAS build and kernel set for a sweep point, as {@link #sweepBlas26} chooses. */
    private String[] sweepSetting113(String config, int t) {
        TuningRecord.Choice c = quick ? null : tuning.get("pytorch", config, t);
        List<String> sets = cpu.kernelSets();
        return c != null ? c.setting().split(" ") : new String[] {BLAS[1], sets.get(sets.size() - 1)};
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
        // "auto": OpenBLAS picks its kernels (the variable removed: this machine's environment may set one)
        env.put("OPENBLAS_CORETYPE", core.equals(CpuKind.AUTO) ? null : core);
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
        if (glibcTunables != null) {
            pb.environment().put(org.pretext.runtime.MallocTuning.TUNABLES_VARIABLE, glibcTunables);
        } else {
            pb.environment().remove(org.pretext.runtime.MallocTuning.TUNABLES_VARIABLE);
        }
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
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
        m.put("cpu", cpu.model());
        m.put("cores", Runtime.getRuntime().availableProcessors());
        String mem = Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("[^0-9]", "");
        m.put("memoryGiB", Math.round(Long.parseLong(mem) / 1024.0 / 1024.0));
        m.put("avx512", cpu.avx512());
        m.put("tuningKey", cpu.signature());
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
