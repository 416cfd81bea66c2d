package org.pretext.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
}
