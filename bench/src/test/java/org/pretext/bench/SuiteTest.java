package org.pretext.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The suite's logic that decides what it reports: parsing the references' output, tuning, equal losses. */
class SuiteTest {
    @Test
    void bestSettingTakesTheHighestRateAndIgnoresNaN() {
        Map<String, Double> rates = new LinkedHashMap<>();
        rates.put("openblas-pthread Haswell", 95.8);
        rates.put("openblas-pthread SkylakeX", Double.NaN);
        rates.put("openblas-openmp SkylakeX", 131.4);
        rates.put("openblas-openmp Haswell", 120.0);
        assertThat(Suite.bestSetting(rates)).isEqualTo("openblas-openmp SkylakeX");
    }

    @Test
    void bestSettingWithoutAnyRateFailsNamingTheRates() {
        assertThatThrownBy(() -> Suite.bestSetting(Map.of("openblas-openmp", Double.NaN)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("openblas-openmp");
    }

    @Test
    void compareLossesReportsTheLargestDifferences() {
        Map<String, Object> q = Suite.compareLosses(List.of(6.0, 5.5, 5.0), List.of(6.0, 5.4999, 5.001));
        assertThat((double) q.get("maxAbsDifference")).isCloseTo(1e-3, within(1e-12));
        assertThat((double) q.get("maxRelativeDifference")).isCloseTo(1e-3 / 5.001, within(1e-12));
        assertThat(q).containsEntry("steps", 3).containsEntry("firstLossPytorch", 6.0).containsEntry("lastLossPytorch", 5.001);
    }

    @Test
    void compareLossesShowsANaNLossInsteadOfHidingIt() {
        Map<String, Object> q = Suite.compareLosses(List.of(6.0, 5.5), List.of(6.0, Double.NaN));
        assertThat((double) q.get("maxAbsDifference")).isNaN();
    }

    @Test
    void compareLossesRefusesListsOfDifferentLength() {
        assertThatThrownBy(() -> Suite.compareLosses(List.of(6.0, 5.5), List.of(6.0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Pretext gave 2 losses and the reference 1");
    }

    @Test
    void theResultIsTheLastJsonLineAfterTheRootsMessages() {
        String out = "PyTorch root ready at /var/tmp/pretext-torch-root\nFIRST_STEP\n"
                + "{\"side\": \"pytorch\", \"stepsPerSecond\": 131.4, \"compile\": \"default\"}\n"
                + "W1205 some warning from inductor\n";
        String line = Suite.lastJsonLine(out);
        Map<String, Object> r = Suite.parseResult(line);
        assertThat(r).containsEntry("stepsPerSecond", 131.4).containsEntry("compile", "default");
        r.put("reference", "2.6"); // the suite tags 2.6 results: the map must take it
        assertThat(Suite.lastJsonLine("Traceback (most recent call last):\n  File ...\n")).isNull();
        assertThatThrownBy(() -> Suite.parseResult("{\"side\": ")).hasMessageContaining("{\"side\": ");
    }

    @Test
    void theRootIsUsableOnlyWhenItsCheckSucceedsWithTorch2() {
        Suite.Torch26Check ok = Suite.Torch26Check.parse(0, "torch 2.6.0+debian numpy 2.2.4 threads 1\n"
                + "libblas.so.3 -> /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3\n"
                + "complete: /var/tmp/pretext-torch-root (built 2026-12-05T16:18:10Z)\n");
        assertThat(ok.available()).isTrue();
        assertThat(ok.description()).isEqualTo("torch 2.6.0+debian numpy 2.2.4 threads 1; "
                + "libblas.so.3 -> /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3");
        Suite.Torch26Check missing = Suite.Torch26Check.parse(1, "not set up: /var/tmp/pretext-torch-root\n");
        assertThat(missing.available()).isFalse();
        assertThat(missing.description()).contains("exited with 1", "not set up: /var/tmp/pretext-torch-root",
                "sudo scripts/pytorch-root.sh setup");
        assertThat(Suite.Torch26Check.parse(0, "torch 1.13.0a0 numpy 1.24.2\n").available()).isFalse();
    }

    @Test
    void blasCheckCatchesAReferenceBlasFallback() {
        Map<String, Object> r = new LinkedHashMap<>(Map.of("blasLibrary", "/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0"));
        assertThat(Suite.blasMismatch("openblas-pthread", r)).contains("openblas-pthread",
                "/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0");
        r.put("blasLibrary", "/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3 "
                + "/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblasp-r0.3.29.so");
        assertThat(Suite.blasMismatch("openblas-openmp", r)).isNull();
        assertThat(Suite.blasMismatch("openblas-pthread", r)).isNotNull();
        assertThat(Suite.blasMismatch("openblas-pthread", Map.of())).isNull(); // an older script reports nothing
    }

    @Test
    void summaryKeepsColdAndWarmCompileTimesApart() {
        List<Suite.Run> runs = List.of(
                run(Map.of("stepsPerSecond", 100.0, "compile", "default", "coldCache", true, "compileSeconds", 22.0)),
                run(Map.of("stepsPerSecond", 120.0, "compile", "default", "coldCache", false, "compileSeconds", 3.0)),
                run(Map.of("stepsPerSecond", 110.0, "compile", "default", "coldCache", false, "compileSeconds", 5.0)));
        Map<String, Object> m = Suite.summarise(runs);
        assertThat(m).containsEntry("stepsPerSecond", 110.0).containsEntry("compileSecondsCold", 22.0)
                .containsEntry("compileSecondsWarm", 4.0);
        assertThat(Suite.summarise(List.of(run(Map.of("stepsPerSecond", 90.0, "compile", "eager")))))
                .doesNotContainKey("compileSecondsCold");
    }

    private static Suite.Run run(Map<String, Object> result) {
        return new Suite.Run(new LinkedHashMap<>(result), 1.0);
    }

    @Test
    void scaledConfigsChangeTheModelAndItsFlops() {
        BenchConfig mlp = BenchConfig.named("simclr-mlp");
        assertThat(mlp.width()).isEqualTo(512);
        BenchConfig wide = mlp.scaled(64, 2048);
        assertThat(wide.batch()).isEqualTo(64);
        assertThat(wide.encoderParams()).containsEntry("hidden", "2048").containsEntry("features", 128);
        // 128 views × (784·2048 + 2048·128 + 128·128 + 128·64) MACs + 128² · 64 for NT-Xent, × 6
        double macs = 128.0 * (784 * 2048 + 2048 * 128 + 128 * 128 + 128 * 64) + 128.0 * 128 * 64;
        assertThat(wide.flopsPerStep()).isEqualTo(6 * macs);
        assertThat(mlp.scaled(256, 512).flopsPerStep()).isEqualTo(mlp.flopsPerStep());
        BenchConfig lm = BenchConfig.named("causal-lm").scaled(1024, 256);
        assertThat(lm.encoderParams()).containsEntry("width", 256).containsEntry("context", 64);
        assertThat(lm.flopsPerStep()).isEqualTo(BenchConfig.causalLmFlops(1024, 64, 256, 4, 65));
        assertThatThrownBy(() -> BenchConfig.named("causal-lm").scaled(12, 130)).hasMessageContaining("multiple of its 4 heads");
        assertThatThrownBy(() -> BenchConfig.named("mae").scaled(12, 128)).hasMessageContaining("'mae' cannot be scaled");
    }

    @Test
    void sweepStepsAddUpToAboutTwoHundredGflop() {
        assertThat(Suite.sweepSteps(1.61e9, false)).isEqualTo(124); // simclr-mlp at its own size
        assertThat(Suite.sweepSteps(100e9, false)).isEqualTo(3); // never fewer than 3
        assertThat(Suite.sweepSteps(1e8, false)).isEqualTo(200); // never more than 200
        assertThat(Suite.sweepSteps(1e8, true)).isEqualTo(3);
    }

    @Test
    void resultsWithUnmeasuredValuesStillSerialise() {
        // a one-round run has no warm compile: its median is NaN, which plain Gson refuses (a quick run lost its output so)
        Map<String, Object> m = Suite.summarise(List.of(run(Map.of("stepsPerSecond", 90.0, "compile", "default",
                "coldCache", true, "compileSeconds", 22.0))));
        assertThat((double) m.get("compileSecondsWarm")).isNaN();
        assertThat(Suite.GSON.toJson(m)).contains("\"compileSecondsWarm\": NaN", "\"compileSecondsCold\": 22.0");
    }
    /** The plan of the first full run after dino-cnn and the 2.6 root arrived: 2.6 untuned everywhere, 1.13 for dino-cnn. */
    static SuiteEstimate.Plan defaultPlan(TuningRecord recorded) {
        List<String> names = BenchConfig.ALL.stream().map(BenchConfig::name).toList();
        int[] threads = {1, 2};
        return new SuiteEstimate.Plan(BenchConfig.ALL, threads, 2, 1, 1, true, false,
                Suite.toTune(names, threads, true, true, false, recorded), 2048, AVX512_SETS, false, true, -1, -1);
    }

    @Test
    void theDefaultSuiteIsEstimatedAtMostTwentyEightMinutes() throws IOException {
        TuningRecord recorded = novemberRecord();
        Map<String, Double> first = SuiteEstimate.estimate(defaultPlan(recorded), SuiteEstimate.Assumed.DEFAULT);
        // the first run tunes PyTorch 2.6 for every configuration (2 configs x 2 threads x 2 builds) and 1.13 for dino-cnn
        assertThat(first).containsKeys("GEMM peak", "dino-cnn: BLAS tuning", "simclr-cnn: BLAS tuning",
                "mae: torch.compile compiles", "throughput benchmark", "memory bandwidth");
        // roofline.py per configuration: the root's start, its set-up, two eager steps at 2 threads (4.1 steps/s)
        assertThat(first.get("simclr-cnn: roofline count")).isCloseTo(SuiteEstimate.TORCH26_START
                + SuiteEstimate.ROOFLINE_SETUP + 2 / 4.1, within(1e-9));
        assertThat(first.get("memory bandwidth")).isEqualTo(2 * (SuiteEstimate.JAVA_START + SuiteEstimate.BANDWIDTH));
        assertThat(first.get("total")).isLessThanOrEqualTo(28 * 60.0);
        // once every choice is recorded, the tuning runs go
        TuningRecord all = TuningRecord.empty(AVX512);
        for (BenchConfig c : BenchConfig.ALL) {
            for (int t = 1; t <= 2; t++) {
                all.put("pytorch", c.name(), t, new TuningRecord.Choice("openblas-openmp SkylakeX", "2026-12-06", Map.of()));
                all.put("pytorch26", c.name(), t, new TuningRecord.Choice("openblas-openmp", "2026-12-06", Map.of()));
            }
        }
        Map<String, Double> later = SuiteEstimate.estimate(defaultPlan(all), SuiteEstimate.Assumed.DEFAULT);
        assertThat(later).doesNotContainKey("dino-cnn: BLAS tuning");
        assertThat(first.get("total") - later.get("total")).isCloseTo(first.entrySet().stream()
                .filter(e -> e.getKey().endsWith("BLAS tuning")).mapToDouble(Map.Entry::getValue).sum(), within(1e-6));
        // the parts add up to the total
        assertThat(later.entrySet().stream().filter(e -> !e.getKey().equals("total")).mapToDouble(Map.Entry::getValue)
                .sum()).isCloseTo(later.get("total"), within(1e-6));
    }

    @Test
    void anUnknownOptionIsRefusedByNameBeforeAnythingRuns() {
        assertThatThrownBy(() -> Args.requireKnown(Args.parse(new String[] {"--no-bf17", "--rounds", "2"}), Suite.OPTIONS))
                .hasMessageContaining("unknown option --no-bf17").hasMessageContaining("--no-bf16");
        Args.requireKnown(Args.parse(new String[] {"--no-bf16", "--rounds", "2", "--configs", "mae"}), Suite.OPTIONS);
    }

    @Test
    void theMixedPrecisionSidesAddOneRunEachAtTheMostThreadsAndKeepTheSuiteUnderThirtyMinutes() throws IOException {
        TuningRecord all = TuningRecord.empty(AVX512);
        for (BenchConfig c : BenchConfig.ALL) {
            for (int t = 1; t <= 2; t++) {
                all.put("pytorch", c.name(), t, new TuningRecord.Choice("openblas-openmp SkylakeX", "2026-12-06", Map.of()));
                all.put("pytorch26", c.name(), t, new TuningRecord.Choice("openblas-openmp", "2026-12-06", Map.of()));
            }
        }
        SuiteEstimate.Plan p = defaultPlan(all);
        SuiteEstimate.Plan withBf16 = new SuiteEstimate.Plan(p.configs(), p.threads(), p.rounds(), p.rounds113(),
                p.compiledRounds(), p.torch26(), p.compiledAllThreads(), p.toTune(), p.gemmN(), p.kernelSets(), p.quick(),
                p.throughput(), p.warmupAll(), p.stepsAll(), true);
        Map<String, Double> without = SuiteEstimate.estimate(p, SuiteEstimate.Assumed.DEFAULT);
        Map<String, Double> with = SuiteEstimate.estimate(withBf16, SuiteEstimate.Assumed.DEFAULT);
        assertThat(without).noneSatisfy((k, v) -> assertThat(k).contains("bf16"));
        // simclr-mlp, per round of Pretext and 2.6 eager: one run of Pretext's warm-up and timed steps at 1.3 x its
        // 2-thread rate, and one of 2.6's eager step (its capped warm-up) likewise
        SuiteEstimate.Rates r = SuiteEstimate.ASSUMED.get("simclr-mlp");
        SuiteEstimate.ConfigSteps s = SuiteEstimate.ConfigSteps.of(BenchConfig.named("simclr-mlp"), false, -1, -1);
        double pretext = 1.3 * r.pretext()[1];
        double eager = 1.3 * r.eager()[1];
        int w = Math.max(1, s.warmupReference());
        assertThat(p.rounds()).isEqualTo(2);
        assertThat(with.get("simclr-mlp: bf16 runs (Pretext, 2.6 autocast)")).isCloseTo(p.rounds()
                * (SuiteEstimate.JAVA_START + Math.max(s.warmup() / pretext, Suite.PRETEXT_WARMUP_SECONDS)
                + s.timedSteps(pretext, s.warmup(), false) / pretext
                + SuiteEstimate.TORCH26_START + (w + s.timedSteps(eager, w, false)) / eager), within(1e-9));
        assertThat(with.get("total") - without.get("total")).isCloseTo(with.entrySet().stream()
                .filter(e -> e.getKey().contains("bf16 runs")).mapToDouble(Map.Entry::getValue).sum(), within(1e-6));
        assertThat(with.get("total")).isLessThanOrEqualTo(30 * 60.0);
    }

    @Test
    void theEstimateCountsTheRunsItWillMake() {
        BenchConfig cnn = BenchConfig.named("simclr-cnn");
        SuiteEstimate.Rates r = SuiteEstimate.ASSUMED.get("simclr-cnn");
        // one config, one thread, one round of Pretext and 1.13, no 2.6, no tuning, no throughput: GEMM + dump + 2 runs
        SuiteEstimate.Plan p = new SuiteEstimate.Plan(List.of(cnn), new int[] {1}, 1, 1, 0, false, false, Set.of(), 2048,
                AVX512_SETS, false, false, -1, -1);
        Map<String, Double> e = SuiteEstimate.estimate(p, SuiteEstimate.Assumed.DEFAULT);
        // Pretext with and without the MKL override, 1.13 on both OpenBLAS builds with AVX2 and AVX-512 kernels
        double gemm = 2 * SuiteEstimate.JAVA_START + 4 * SuiteEstimate.PYTORCH_START + 13 * 2 * Math.pow(2048, 3) / 1e9
                * (1 / 109.0 + 1 / 48.0 + 2 / 54.0 + 2 / 104.0);
        assertThat(e.get("GEMM peak")).isCloseTo(gemm, within(1e-6));
        assertThat(e.get("simclr-cnn: Pretext's equal-loss run")).isCloseTo(SuiteEstimate.JAVA_START
                + 20 / r.pretext()[0], within(1e-9));
        // Pretext: 20 warm-up (its JIT's least) + ceil(10 s x 3.0 steps/s) = 30, capped at 15 timed; 1.13 checks
        // the 20 losses: 3 warm-up + 17 timed
        SuiteEstimate.ConfigSteps s = SuiteEstimate.ConfigSteps.of(cnn, false, -1, -1);
        assertThat(s.timedSteps(r.pretext()[0], 3, false)).isEqualTo(15);
        double pretext = SuiteEstimate.JAVA_START + Math.max(Suite.PRETEXT_MIN_WARMUP / r.pretext()[0],
                Suite.PRETEXT_WARMUP_SECONDS) + 15 / r.pretext()[0];
        double pytorch = SuiteEstimate.PYTORCH_START + (3 + 17) / r.pytorch()[0];
        assertThat(e.get("simclr-cnn: Pretext, 1.13 and 2.6 eager runs")).isCloseTo(pretext + pytorch, within(1e-9));
        assertThat(e).doesNotContainKeys("simclr-cnn: torch.compile runs (steps)", "throughput benchmark",
                "simclr-cnn: roofline count"); // roofline.py runs in the 2.6 root only
        // one bandwidth run per thread count
        assertThat(e.get("memory bandwidth")).isEqualTo(SuiteEstimate.JAVA_START + SuiteEstimate.BANDWIDTH);
    }

    @Test
    void theEstimateCountsPyTorchChannelsLastRunsForTheConvolutionalConfigurationsOnly() {
        // one round at 2 threads, Pretext and 2.6 (eager, and channels-last where there are convolutions), no 1.13
        for (String name : List.of("simclr-cnn", "simclr-mlp")) {
            BenchConfig c = BenchConfig.named(name);
            SuiteEstimate.Rates r = SuiteEstimate.ASSUMED.get(name);
            SuiteEstimate.ConfigSteps s = SuiteEstimate.ConfigSteps.of(c, false, -1, -1);
            SuiteEstimate.Plan p = new SuiteEstimate.Plan(List.of(c), new int[] {2}, 1, 0, 0, true, false, Set.of(),
                    2048, AVX512_SETS, false, false, -1, -1);
            double pretext = SuiteEstimate.JAVA_START + Math.max(s.warmup() / r.pretext()[1], s.warmupSeconds())
                    + s.timedSteps(r.pretext()[1], s.warmup(), false) / r.pretext()[1];
            int w = Math.max(1, s.warmupReference());
            double eager = SuiteEstimate.TORCH26_START + (w + s.timedSteps(r.eager()[1], w, true)) / r.eager()[1];
            double cl = r.eager()[1] * SuiteEstimate.CHANNELS_LAST_SPEED_UP;
            double channelsLast = SuiteEstimate.TORCH26_START + (w + s.timedSteps(cl, w, true)) / cl;
            assertThat(SuiteEstimate.estimate(p, SuiteEstimate.Assumed.DEFAULT)
                    .get(name + ": Pretext, 1.13 and 2.6 eager runs")).as(name)
                    .isCloseTo(pretext + eager + (c.convolutional() ? channelsLast : 0), within(1e-9));
        }
        assertThat(BenchConfig.ALL.stream().filter(BenchConfig::convolutional).map(BenchConfig::name))
                .containsExactly("simclr-cnn", "dino-cnn");
    }

    @Test
    void pretextRunsWarmUpForTheLeastTimeAndPyTorchRunsForTheirSteps() {
        SuiteEstimate.ConfigSteps st = SuiteEstimate.ConfigSteps.of(BenchConfig.named("causal-lm"), false, -1, -1);
        assertThat(Suite.stepArgs(BenchConfig.named("causal-lm"), true, 2, st)).containsSubsequence("--warmup", "50",
                "--warmup-seconds", "10.0");
        assertThat(Suite.stepArgs(BenchConfig.named("causal-lm"), false, 2, st)).containsSubsequence("--warmup", "50")
                .doesNotContain("--warmup-seconds");
        SuiteEstimate.ConfigSteps asked = SuiteEstimate.ConfigSteps.of(BenchConfig.named("causal-lm"), false, 300, -1);
        assertThat(Suite.stepArgs(BenchConfig.named("causal-lm"), true, 2, asked)).doesNotContain("--warmup-seconds");
        // the estimate: 50 steps at 25 steps/s take 2 s, so the run warms up for the 10 s
        assertThat(SuiteEstimate.pretextRun(st, 25)).isCloseTo(SuiteEstimate.JAVA_START + 10
                + st.timedSteps(25, 50, false) / 25, within(1e-9));
    }

    @Test
    void timedStepsStopAfterTheSecondsButAnEqualLossRunTrainsOnEveryBatch() {
        SuiteEstimate.ConfigSteps s = SuiteEstimate.ConfigSteps.of(BenchConfig.named("mae"), false, -1, -1);
        assertThat(s).isEqualTo(new SuiteEstimate.ConfigSteps(Suite.PRETEXT_MIN_WARMUP, Suite.PRETEXT_WARMUP_SECONDS, 3,
                15, 10, 3, 20));
        assertThat(Suite.PRETEXT_WARMUP_SECONDS).isEqualTo(10.0);
        assertThat(Suite.PRETEXT_MIN_WARMUP).isEqualTo(20);
        // an explicit --warmup is both sides' (PyTorch's capped)
        assertThat(SuiteEstimate.ConfigSteps.of(BenchConfig.named("mae"), false, 5, -1))
                .isEqualTo(new SuiteEstimate.ConfigSteps(5, 0, 5, 15, 10, 3, 20));
        assertThat(s.timedSteps(0.5, 3, false)).isEqualTo(5); // 10 s at 0.5 steps/s
        assertThat(s.timedSteps(4.0, 3, false)).isEqualTo(15); // capped at the steps
        assertThat(s.timedSteps(0.5, 3, true)).isEqualTo(17); // 20 losses to compare
        SuiteEstimate.ConfigSteps mlp = SuiteEstimate.ConfigSteps.of(BenchConfig.named("simclr-mlp"), false, -1, -1);
        assertThat(mlp.warmupReference()).isEqualTo(Suite.PYTORCH_WARMUP_CAP);
        assertThat(mlp.timedSteps(1.0, 100, true)).isEqualTo(500); // no time limit
        SuiteEstimate.ConfigSteps quick = SuiteEstimate.ConfigSteps.of(BenchConfig.named("mae"), true, -1, -1);
        assertThat(quick).isEqualTo(new SuiteEstimate.ConfigSteps(2, 0, 2, 5, 0, 3, 5));
    }

    @Test
    void recordedChoicesAreReusedAndMissingOnesTuned() throws IOException {
        TuningRecord recorded = novemberRecord();
        // the 2026-11-22 run's choices (BENCHMARKS.md's "PyTorch best setting" column)
        assertThat(recorded.get("pytorch", "simclr-cnn", 1).setting()).isEqualTo("openblas-pthread Haswell");
        assertThat(recorded.get("pytorch", "causal-lm", 2).setting()).isEqualTo("openblas-openmp SkylakeX");
        assertThat(recorded.get("pytorch", "simclr-mlp", 2).rates()).containsEntry("openblas-openmp SkylakeX", 138.99);
        int[] both = {1, 2};
        assertThat(Suite.toTune(List.of("simclr-cnn", "dino-cnn"), both, true, false, false, recorded))
                .containsExactly("pytorch/dino-cnn/1", "pytorch/dino-cnn/2");
        assertThat(Suite.toTune(List.of("simclr-cnn"), both, true, true, false, recorded))
                .containsExactly("pytorch26/simclr-cnn/1", "pytorch26/simclr-cnn/2");
        assertThat(Suite.toTune(List.of("simclr-cnn"), both, true, false, true, recorded))
                .containsExactly("pytorch/simclr-cnn/1", "pytorch/simclr-cnn/2");
        assertThat(Suite.toTune(List.of("simclr-cnn"), both, false, false, true, recorded)).isEmpty();
        // what a run adds survives a write and a read, beside what was there
        recorded.put("pytorch26", "dino-cnn", 2, new TuningRecord.Choice("openblas-openmp", "2026-12-06",
                Map.of("openblas-pthread", 3.1, "openblas-openmp", 3.4)));
        assertThat(recorded.toJson()).contains("the benchmark suite's tuning runs"); // no \u0027 for the apostrophe
        TuningRecord back = TuningRecord.parse(recorded.toJson(), AVX512);
        assertThat(back.get("pytorch26", "dino-cnn", 2)).isEqualTo(recorded.get("pytorch26", "dino-cnn", 2));
        assertThat(back.get("pytorch", "mae", 1)).isEqualTo(recorded.get("pytorch", "mae", 1));
        assertThat(back.get("pytorch26", "dino-cnn", 1)).isNull();
    }

    /** The CPU the committed choices were measured on (the 2026-11-22 to 2026-12-06 runs). */
    static final String AVX512 = "AMD EPYC, AVX-512";
    static final List<String> AVX512_SETS = List.of("Haswell", "SkylakeX");

    @Test
    void choicesAreKeptPerCpuAndAnotherCpusAreNotReused() throws IOException {
        TuningRecord avx512 = novemberRecord();
        // the same file on a CPU without AVX-512: its SkylakeX choices would stop 1.13 with an illegal instruction
        TuningRecord avx2 = TuningRecord.parse(avx512.toJson(), "AMD EPYC, AVX2");
        assertThat(avx2.get("pytorch", "causal-lm", 2)).isNull();
        assertThat(avx2.otherCpus()).containsExactly(AVX512);
        int[] both = {1, 2};
        assertThat(Suite.toTune(List.of("causal-lm"), both, true, true, false, avx2)).containsExactly(
                "pytorch/causal-lm/1", "pytorch26/causal-lm/1", "pytorch/causal-lm/2", "pytorch26/causal-lm/2");
        // what the AVX2 machine tunes goes under its CPU, and the AVX-512 choices stay as they were
        avx2.put("pytorch", "causal-lm", 2, new TuningRecord.Choice("openblas-openmp Haswell", "2026-12-07",
                Map.of("openblas-pthread Haswell", 9.0, "openblas-openmp Haswell", 17.0)));
        String written = avx2.toJson();
        assertThat(TuningRecord.parse(written, "AMD EPYC, AVX2").get("pytorch", "causal-lm", 2).setting())
                .isEqualTo("openblas-openmp Haswell");
        assertThat(TuningRecord.parse(written, AVX512).get("pytorch", "causal-lm", 2).setting())
                .isEqualTo("openblas-openmp SkylakeX");
        assertThat(TuningRecord.parse(written, AVX512).otherCpus()).containsExactly("AMD EPYC, AVX2");
    }

    @Test
    void aFileWithoutCpusKeepsItsChoicesButNeverReusesThem() {
        String legacy = "{\"pytorch\": {\"mae\": {\"1\": {\"setting\": \"openblas-pthread SkylakeX\","
                + " \"measured\": \"2026-11-22\", \"rates\": {}}}}}";
        TuningRecord r = TuningRecord.parse(legacy, AVX512);
        assertThat(r.get("pytorch", "mae", 1)).isNull();
        assertThat(r.otherCpus()).containsExactly(TuningRecord.UNRECORDED_CPU);
        assertThat(TuningRecord.parse(r.toJson(), TuningRecord.UNRECORDED_CPU).get("pytorch", "mae", 1).setting())
                .isEqualTo("openblas-pthread SkylakeX");
    }

    @Test
    void theKernelSetsAreThoseTheCpuRuns() {
        String zen4 = "processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse2 avx avx2 fma avx512f avx512dq"
                + " avx512cd avx512bw avx512vl avx512_bf16\n\nprocessor\t: 1\nmodel name\t: other\n";
        CpuKind a = CpuKind.parse(zen4);
        assertThat(a.signature()).isEqualTo(AVX512);
        assertThat(a.kernelSets()).containsExactly("Haswell", "SkylakeX");
        CpuKind zen3 = CpuKind.parse("model name : AMD EPYC\nflags : fpu sse2 avx avx2 fma\n");
        assertThat(zen3.signature()).isEqualTo("AMD EPYC, AVX2");
        assertThat(zen3.kernelSets()).containsExactly("Haswell");
        // AVX-512 F alone (Xeon Phi) is not what OpenBLAS's SkylakeX kernels need
        assertThat(CpuKind.parse("model name : X\nflags : avx avx2 fma avx512f avx512cd\n").kernelSets())
                .containsExactly("Haswell");
        assertThat(CpuKind.parse("model name : old\nflags : sse2 avx\n").kernelSets()).containsExactly(CpuKind.AUTO);
        assertThat(CpuKind.parse("model name : old\nflags : sse2 avx\n").signature()).isEqualTo("old, AVX");
    }

    private static Path projectFile(String relative) {
        Path root = Path.of(System.getProperty("pretext.projectRoot", ".."));
        Path p = root.resolve(relative);
        return Files.exists(p) ? p : Path.of(relative.substring("bench/".length()));
    }

    /**
     * bench/tuning.json as the 2026-11-22 run left it (1.13's choices for the four first configurations,
     * none for dino-cnn or PyTorch 2.6): a fixed record, so that what is "missing" does not change when a
     * later run records more choices in the live file.
     */
    private static TuningRecord novemberRecord() throws IOException {
        try (var in = SuiteTest.class.getResourceAsStream("/tuning-2026-11-22.json")) {
            Path copy = Files.createTempFile("tuning", ".json");
            Files.write(copy, in.readAllBytes());
            try {
                return TuningRecord.load(copy, AVX512);
            } finally {
                Files.delete(copy);
            }
        }
    }
    @Test
    void onACpuWithoutAvx512TheEstimateCountsOnlyTheHaswellRunsOf113() {
        BenchConfig cnn = BenchConfig.named("simclr-cnn");
        int[] one = {1};
        SuiteEstimate.Plan avx2 = new SuiteEstimate.Plan(List.of(cnn), one, 1, 1, 0, false, false,
                Set.of("pytorch/simclr-cnn/1"), 2048, List.of("Haswell"), false, false, -1, -1);
        SuiteEstimate.Plan avx512 = new SuiteEstimate.Plan(List.of(cnn), one, 1, 1, 0, false, false,
                Set.of("pytorch/simclr-cnn/1"), 2048, AVX512_SETS, false, false, -1, -1);
        Map<String, Double> e2 = SuiteEstimate.estimate(avx2, SuiteEstimate.Assumed.DEFAULT);
        Map<String, Double> e512 = SuiteEstimate.estimate(avx512, SuiteEstimate.Assumed.DEFAULT);
        // tuning: both OpenBLAS builds with each kernel set, each run 2 x 3 steps at 2.15 steps/s (1.13, 1 thread)
        double run = SuiteEstimate.PYTORCH_START + 2 * 3 / 2.15;
        assertThat(e2.get("simclr-cnn: BLAS tuning")).isCloseTo(2 * run, within(1e-9));
        assertThat(e512.get("simclr-cnn: BLAS tuning")).isCloseTo(4 * run, within(1e-9));
        // GEMM: 1.13 on both builds with the Haswell kernels only, against also SkylakeX's
        double gemm = 13 * 2 * Math.pow(2048, 3) / 1e9;
        assertThat(e512.get("GEMM peak") - e2.get("GEMM peak")).isCloseTo(
                2 * (SuiteEstimate.PYTORCH_START + gemm / 104), within(1e-6));
    }

    /** A results file as the suite writes it: one configuration's medians and two GEMM runs per side. */
    static Map<String, Object> resultsOf(String cpu, boolean quick) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("machine", Map.of("cpu", "AMD EPYC", "tuningKey", cpu, "date", "2026-12-07"));
        if (quick) {
            json.put("quick", true);
        }
        json.put("gemm", List.of(
                Map.of("side", "pretext", "threads", 2.0, "gflopsPerSecond", 124.0, "mklOverride", "loaded"),
                Map.of("side", "pretext", "threads", 2.0, "gflopsPerSecond", 117.0, "mklOverride", "disabled"),
                Map.of("side", "pytorch", "threads", 2.0, "gflopsPerSecond", 164.0, "torch", "1.13.0a0",
                        "coretype", "Haswell"),
                Map.of("side", "pytorch", "threads", 2.0, "gflopsPerSecond", 122.0, "torch", "1.13.0a0",
                        "coretype", "Haswell"),
                Map.of("side", "pytorch", "threads", 1.0, "gflopsPerSecond", 84.0, "torch", "2.6.0+debian",
                        "coretype", "auto"),
                Map.of("side", "pytorch", "threads", 1.0, "gflopsPerSecond", 76.0, "torch", "2.6.0+debian",
                        "coretype", "auto")));
        Map<String, Object> medians = new LinkedHashMap<>();
        medians.put("pretext-1", Map.of("stepsPerSecond", 12.4));
        medians.put("pretext-2", Map.of("stepsPerSecond", 15.6));
        medians.put("pytorch-2", Map.of("stepsPerSecond", 14.2));
        medians.put("pytorch26-eager-2", Map.of("stepsPerSecond", 13.4));
        medians.put("pytorch26-eager-channels-last-2", Map.of("stepsPerSecond", 99.0)); // not a causal-lm side; ignored
        medians.put("pytorch26-default-2", Map.of("stepsPerSecond", 8.5, "compileSecondsCold", 33.0,
                "compileSecondsWarm", Double.NaN));
        json.put("configs", Map.of("causal-lm", Map.of("medians", medians, "batch", 12)));
        return json;
    }

    @Test
    void theEstimateTakesTheRatesOfTheLastRunOnTheSameKindOfCpu(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException {
        SuiteEstimate.Assumed a = SuiteEstimate.Assumed.fromResults(resultsOf("AMD EPYC, AVX2", false), "AMD EPYC, AVX2");
        assertThat(a).isNotNull();
        assertThat(a.source()).contains("2026-12-07", "AMD EPYC, AVX2");
        SuiteEstimate.Rates r = a.rates(BenchConfig.named("causal-lm"));
        SuiteEstimate.Rates assumed = SuiteEstimate.ASSUMED.get("causal-lm");
        assertThat(r.pretext()).containsExactly(12.4, 15.6);
        // what the run did not measure keeps the assumed rate: 1.13 and 2.6 eager at 1 thread, max-autotune
        assertThat(r.pytorch()).containsExactly(assumed.pytorch()[0], 14.2);
        assertThat(r.eager()).containsExactly(assumed.eager()[0], 13.4);
        assertThat(r.compiled()).containsExactly(8.5, assumed.compiled()[1]);
        assertThat(r.coldCompile()).containsExactly(33.0, assumed.coldCompile()[1]);
        // configurations the run did not measure keep theirs
        assertThat(a.rates(BenchConfig.named("mae"))).isSameAs(SuiteEstimate.ASSUMED.get("mae"));
        // GEMM: each side's mean over its OpenBLAS builds; a thread count not run keeps the assumed rate
        assertThat(a.gemmRate("pretext-override", 2)).isEqualTo(124.0);
        assertThat(a.gemmRate("pretext", 2)).isEqualTo(117.0);
        assertThat(a.gemmRate("pytorch-Haswell", 2)).isEqualTo(143.0);
        assertThat(a.gemmRate("pytorch26", 1)).isEqualTo(80.0);
        assertThat(a.gemmRate("pytorch26", 2)).isEqualTo(188.0);
        // another CPU's run and a quick run are not used
        assertThat(SuiteEstimate.Assumed.fromResults(resultsOf("AMD EPYC, AVX-512", false), "AMD EPYC, AVX2")).isNull();
        assertThat(SuiteEstimate.Assumed.fromResults(resultsOf("AMD EPYC, AVX2", true), "AMD EPYC, AVX2")).isNull();
        // from the file the suite writes (NaN included), and the defaults where it is missing or unreadable
        CpuKind avx2 = CpuKind.parse("model name\t: AMD EPYC\nflags\t\t: fpu sse avx avx2 fma\n");
        Path file = dir.resolve("results.json");
        Files.writeString(file, Suite.GSON.toJson(resultsOf("AMD EPYC, AVX2", false)));
        SuiteEstimate.Assumed read = SuiteEstimate.Assumed.forCpu(avx2, file);
        assertThat(read.rates(BenchConfig.named("causal-lm")).pretext()).containsExactly(12.4, 15.6);
        assertThat(SuiteEstimate.Assumed.forCpu(avx2, dir.resolve("missing.json"))).isSameAs(
                SuiteEstimate.Assumed.DEFAULT);
        Files.writeString(file, "{\"machine\": ");
        SuiteEstimate.Assumed broken = SuiteEstimate.Assumed.forCpu(avx2, file);
        assertThat(broken.rates()).isSameAs(SuiteEstimate.Assumed.DEFAULT.rates());
        assertThat(broken.gemm()).isSameAs(SuiteEstimate.Assumed.DEFAULT.gemm());
        // the suite's start-up message names the file it could not use
        assertThat(broken.source()).startsWith(SuiteEstimate.Assumed.DEFAULT.source()).contains(file.toString(),
                "could not be read");
        // the measured rates change the estimate: causal-lm's Pretext runs at 15.6 instead of 28.3 steps/s
        BenchConfig lm = BenchConfig.named("causal-lm");
        SuiteEstimate.Plan p = new SuiteEstimate.Plan(List.of(lm), new int[] {2}, 1, 0, 0, false, false, Set.of(), 2048,
                List.of("Haswell"), false, false, -1, -1);
        SuiteEstimate.ConfigSteps st = SuiteEstimate.ConfigSteps.of(lm, false, -1, -1);
        assertThat(SuiteEstimate.estimate(p, a).get("causal-lm: Pretext, 1.13 and 2.6 eager runs")).isCloseTo(
                SuiteEstimate.JAVA_START + Math.max(st.warmup() / 15.6, st.warmupSeconds())
                + st.timedSteps(15.6, st.warmup(), false) / 15.6, within(1e-9));
    }
}
