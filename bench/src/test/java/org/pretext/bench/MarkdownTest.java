package org.pretext.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The suite renders BENCHMARKS.md only at its very end: a format error there would lose the whole run. */
class MarkdownTest {
    @Test
    void theStepsColumnShowsPyTorchsWarmUpWhereItDiffersFromPretexts() {
        assertThat(Markdown.steps(Map.of("warmup", 20, "warmup26", 3, "steps", 15, "seconds", 10.0)))
                .isEqualTo("20 (PyTorch 3) + ≤15 or 10 s");
        assertThat(Markdown.steps(Map.of("warmup", 500, "warmup26", 100, "steps", 500, "seconds", 0.0)))
                .isEqualTo("500 (PyTorch 100) + 500");
        assertThat(Markdown.steps(Map.of("warmup", 50, "warmup26", 50, "steps", 150, "seconds", 10.0)))
                .isEqualTo("50 + ≤150 or 10 s");
        assertThat(Markdown.steps(Map.of("warmup", 50, "warmupSeconds", 5.0, "warmup26", 50, "steps", 150,
                "seconds", 10.0))).isEqualTo("50, ≥5 s + ≤150 or 10 s");
    }

    @Test
    @SuppressWarnings("unchecked")
    void rendersEveryConfig() {
        Map<String, Object> r = results(false);
        r.put("torch26Skipped", "the PyTorch 2.6 root is not usable (...); set it up once with `sudo scripts/pytorch-root.sh setup`");
        String md = Markdown.render(r, List.of("log line"));
        assertThat(md).contains("| simclr-mlp | 256 | 500 + 500 |", "| causal-lm | 12 | 50 + ≤150 or 10 s |",
                "| mae | 256 | 3 + ≤15 or 10 s |", "| dino-cnn | 64 | 3 + ≤30 or 10 s |", "token windows/s",
                "- mae consumes 512 images/s", "- simclr-mlp consumes 1024 views/s", "- dino-cnn consumes 128 images/s",
                "Not measured in this run: the PyTorch 2.6 root is not usable (...); set it up once with"
                        + " `sudo scripts/pytorch-root.sh setup`.",
                "| simclr-mlp | PyTorch 1.13 | 1 | 100 | 1.00e-06 | 2.00e-07 |", "| mae | PyTorch 1.13 | 1 | 20 |",
                "medians over rounds (Pretext and PyTorch 2.6 eager: 2, PyTorch 1.13: 1, each torch.compile mode: 1)",
                "Suite wall time: 900 s (estimated beforehand from assumed step rates: 1500 s).");
        // without PyTorch 1.13 (--no-torch113) a configuration has no 1.13 equal-loss row, and renders
        ((Map<String, Object>) ((Map<String, Object>) r.get("configs")).get("mae")).remove("equalLoss");
        assertThat(Markdown.render(r, List.of())).doesNotContain("| mae | PyTorch 1.13 |")
                .contains("| simclr-mlp | PyTorch 1.13 | 1 | 100 |");
    }

    @Test
    @SuppressWarnings("unchecked")
    void rendersPyTorch26EagerAndCompiledBesidePretext() {
        Map<String, Object> r = results(true);
        String md = Markdown.render(r, List.of("log line"));
        // Pretext's best 2.0 steps/s against 2.6's best: max-autotune at 2 threads, 4.0 steps/s
        assertThat(md).contains("## Training step: Pretext against PyTorch 2.6, eager and torch.compile",
                "| config | Pretext best (steps/s) | eager 1 thr | eager 2 thr | eager-channels-last 1 thr |"
                        + " eager-channels-last 2 thr | default 1 thr | default 2 thr |"
                        + " max-autotune-no-cudagraphs 1 thr | max-autotune-no-cudagraphs 2 thr |",
                // channels-last runs for the convolutional configurations only
                "| simclr-mlp | 2.0 | 1.5 | 2.0 | — | — | 2.5 | 3.0 | 3.5 | 4.0 | max-autotune-no-cudagraphs, 2 thr | **0.50** |",
                "| simclr-cnn | 2.0 | 1.5 | 2.0 | 5.0 | 6.0 | 2.5 | 3.0 | 3.5 | 4.0 | eager-channels-last, 2 thr | **0.33** |",
                "| simclr-cnn | PyTorch 2.6 eager channels-last | 2 | 20 |",
                "| 22.0 / 4.0 | 60.0 / 9.0 | {1=openblas-openmp, 2=openblas-pthread} |",
                "| simclr-mlp | PyTorch 2.6 compile default | 2 | 100 | 3.00e-06 |",
                "| simclr-mlp | PyTorch 2.6 compile max-autotune-no-cudagraphs | 2 |",
                "| simclr-mlp | PyTorch 2.6 compile default | 2 | 0.10 | 0.20 | 0.10 | 0.00 | 0.40 |", // a compiled side's phases
                "| simclr-mlp | PyTorch 2.6 eager, 2 thr | 1.50 | 300 |", // start-up at the most threads
                "| pytorch 2.6.0+debian | 2 | openblas-openmp auto | 250 |");
        // 2.6's best at 4 steps/s of 1.61 GFLOP against the 250 GFLOP/s peak: 2.6 %
        double flops = BenchConfig.named("simclr-mlp").flopsPerStep();
        assertThat(md).contains(String.format(java.util.Locale.ROOT, "| **0.50** | %.0f%% |", 100 * 4 * flops / 1e9 / 250));
        // compiled at one thread count only: the other cells are dashes, the warm time is that run's
        Map<String, Object> med = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) r.get("configs"))
                .get("simclr-mlp")).get("medians");
        med.remove("pytorch26-default-2");
        med.remove("pytorch26-max-autotune-no-cudagraphs-2");
        assertThat(Markdown.render(r, List.of())).contains(
                "| simclr-mlp | 2.0 | 1.5 | 2.0 | — | — | 2.5 | — | 3.5 | — | max-autotune-no-cudagraphs, 1 thr | **0.57** |");
    }

    @Test
    void rendersTheScalingSweep() {
        Map<String, Object> row = Map.of("config", "causal-lm", "batch", 1024, "width", 128, "threads", 2,
                "flopsPerStep", 2e10, "stepsPerSecond", rates("Pretext", 4.0, "PyTorch 2.6 eager", 2.0,
                        "PyTorch 2.6 compile default", 5.0));
        String md = Markdown.scaling(List.of(row));
        // 250, 500 and 200 ms per step; the best PyTorch (200 ms) against Pretext's 250 ms: 0.80; 4 × 20 GFLOP/s
        assertThat(md).contains("| config | batch | width | threads | GFLOP/step | Pretext (ms/step) |"
                + " PyTorch 2.6 eager (ms/step) | PyTorch 2.6 compile default (ms/step) | ratio | Pretext GFLOP/s |",
                "| causal-lm | 1024 | 128 | 2 | 20.00 | 250.00 | 500.00 | 200.00 | **0.80** | 80 |");
    }

    @Test
    void keepsTheSectionsOtherProgramsWrote() {
        String previous = "# Benchmarks\n\n_old_\n\n## Machine and versions\n\nold machine\n\n"
                + "## fp32 GEMM 2048³ (GFLOP/s)\n\nold gemm\n\n## A shared machine: the default job beside other work\n\n"
                + "shared text\n\n## Embedding and probing on Spark\n\nspark text\n";
        String generated = "# Benchmarks\n\n## Machine and versions\n\nnew machine\n\n## fp32 GEMM 512³ (GFLOP/s)\n\nnew\n";
        String out = Markdown.keepOtherSections(generated, previous);
        assertThat(out).isEqualTo(generated + "\n## A shared machine: the default job beside other work\n\nshared text\n\n"
                + "## Embedding and probing on Spark\n\nspark text\n");
        assertThat(Markdown.keepOtherSections(generated, "")).isEqualTo(generated);
    }

    @Test
    @SuppressWarnings("unchecked")
    void rendersTheMixedPrecisionSidesBesideTheirFloat32Steps() {
        Map<String, Object> r = results(true);
        assertThat(Markdown.render(r, List.of())).contains("## Mixed precision (bf16)\n\nNot measured in this run:");
        Map<String, Object> configs = (Map<String, Object>) r.get("configs");
        ((Map<String, Object>) configs.get("simclr-mlp")).put("bf16Medians", Map.of(
                Suite.PRETEXT_BF16 + "-2", Map.of("stepsPerSecond", 3.0),
                Suite.TORCH26_AUTOCAST + "-2", Map.of("stepsPerSecond", 4.0)));
        ((Map<String, Object>) configs.get("simclr-cnn")).put("bf16Medians", Map.of(
                Suite.PRETEXT_BF16 + "-2", Map.of("stepsPerSecond", 9.0))); // without the root: no autocast side
        String md = Markdown.render(r, List.of());
        // simclr-mlp: Pretext 2.0 -> 3.0; 2.6 eager 2.0 (2 threads) -> 4.0 under autocast
        assertThat(md).contains("| simclr-mlp | 2 | 2.0 | 3.0 | 1.50 | 2.0 | 4.0 | 2.00 | **0.75** |",
                // the convolutional ones against 2.6's better float32 eager step, channels-last here (6.0)
                "| simclr-cnn | 2 | 2.0 | 9.0 | 4.50 | 6.0 | — | — | — |");
        assertThat(md).doesNotContain("| causal-lm | 2 | 2.0 |"); // no bf16 sides: no row
        assertThat(md.indexOf("## Mixed precision")).isGreaterThan(md.indexOf("## Training step: Pretext against PyTorch 2.6"));
    }

    private static Map<String, Object> results(boolean torch26) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("machine", Map.of("date", "2026-11-21", "cpu", "cpu", "cores", 2, "memoryGiB", 8, "avx512", true,
                "pretext", "0.1", "pythonTorchNumpy", "1.13 1.24"));
        r.put("peakGflops", 200.0);
        Map<String, Object> configs = new LinkedHashMap<>();
        for (BenchConfig c : BenchConfig.ALL) {
            Map<String, Object> cr = new LinkedHashMap<>();
            Map<String, Object> medians = new LinkedHashMap<>();
            for (String side : List.of("pretext-1", "pretext-2", "pytorch-1", "pytorch-2")) {
                medians.put(side, Map.of("stepsPerSecond", 2.0, "samplesPerSecond", 2.0 * c.batch(),
                        "coldStartSeconds", 1.5, "peakRssMb", 300.0, "rounds", List.of(2.0)));
            }
            if (torch26) {
                double rate = 1.5;
                for (String mode : Suite.TORCH26_MODES) {
                    for (String t : List.of("1", "2")) {
                        Map<String, Object> m = new LinkedHashMap<>(Map.of("stepsPerSecond", rate, "coldStartSeconds",
                                1.5, "peakRssMb", 300.0, "phaseMillisPerStep", Map.of("forward", 0.1, "backward", 0.2,
                                        "update", 0.1)));
                        if (!mode.equals("eager")) {
                            boolean autotune = mode.startsWith("max");
                            m.put("compileSecondsWarm", autotune ? 9.0 : 4.0);
                            if (t.equals("1")) {
                                m.put("compileSecondsCold", autotune ? 60.0 : 22.0);
                            }
                        }
                        medians.put("pytorch26-" + mode + "-" + t, m);
                        rate += 0.5;
                    }
                }
                if (c.convolutional()) {
                    for (String t : List.of("1", "2")) {
                        medians.put("pytorch26-" + Suite.EAGER_CHANNELS_LAST + "-" + t, Map.of("stepsPerSecond",
                                t.equals("1") ? 5.0 : 6.0, "coldStartSeconds", 1.5, "peakRssMb", 300.0));
                    }
                }
                cr.put("pytorch26Best", new java.util.TreeMap<>(Map.of("1", "openblas-openmp", "2", "openblas-pthread")));
                Map<String, Object> equal26 = new LinkedHashMap<>();
                equal26.put("default", Map.of("steps", 100, "threads", 2, "maxAbsDifference", 3e-6,
                        "maxRelativeDifference", 5e-7, "firstLossPretext", 4.2, "firstLossPytorch", 4.2,
                        "lastLossPretext", 4.1, "lastLossPytorch", 4.1));
                if (c.convolutional()) {
                    equal26.put(Suite.EAGER_CHANNELS_LAST, Map.of("steps", 20, "threads", 2, "maxAbsDifference", 2e-3,
                            "maxRelativeDifference", 4e-4, "firstLossPretext", 5.8, "firstLossPytorch", 5.8,
                            "lastLossPretext", 5.7, "lastLossPytorch", 5.7));
                }
                cr.put("equalLoss26", equal26);
            }
            cr.put("medians", medians);
            cr.put("pytorchBest", Map.of("1", "openblas-pthread Haswell", "2", "openblas-openmp SkylakeX"));
            cr.put("flopsPerStep", c.flopsPerStep());
            cr.put("batch", c.batch());
            cr.put("warmup", c.suite().warmup());
            cr.put("steps", c.suite().steps());
            cr.put("seconds", c.suite().seconds());
            cr.put("equalLoss", Map.of("steps", c.suite().equalLoss(), "maxAbsDifference", 1e-6,
                    "maxRelativeDifference", 2e-7, "firstLossPretext", 4.2, "firstLossPytorch", 4.2,
                    "lastLossPretext", 4.1, "lastLossPytorch", 4.1));
            configs.put(c.name(), cr);
        }
        r.put("configs", configs);
        r.put("gemm", List.of(Map.of("side", "pytorch", "threads", 1, "blas", "openblas-pthread", "coretype",
                "Haswell", "gflopsPerSecond", 200.0), Map.of("side", "pytorch", "torch", "2.6.0+debian", "threads", 2,
                "blas", "openblas-openmp", "coretype", "auto", "gflopsPerSecond", 250.0)));
        r.put("peakGflops", 250.0);
        r.put("throughput", Map.of("decode", List.of(), "augment", List.of(), "stream", Map.of("what", "x",
                "perSecond", 1.0, "perCpuSecond", 1.0), "threads", 1, "featureImagesPerSecond", 5000.0));
        r.put("suiteSeconds", 900.0);
        r.put("estimatedSeconds", 1500.0);
        r.put("settings", Map.of("rounds", 2, "rounds113", 1, "compiledRounds", 1));
        return r;
    }

    /** Side → steps/s in the order given (the table's columns follow it; Map.of's order varies between JVMs). */
    private static Map<String, Object> rates(Object... sideRate) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < sideRate.length; i += 2) {
            m.put((String) sideRate[i], sideRate[i + 1]);
        }
        return m;
    }
}
