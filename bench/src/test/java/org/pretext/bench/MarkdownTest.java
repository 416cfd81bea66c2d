package org.pretext.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The suite renders BENCHMARKS.md only at its very end: a format error there would lose the whole run. */
class MarkdownTest {
    @Test
    void rendersEveryConfig() {
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
            cr.put("medians", medians);
            cr.put("pytorchBest", Map.of("1", "openblas-pthread Haswell", "2", "openblas-openmp SkylakeX"));
            cr.put("flopsPerStep", c.flopsPerStep());
            cr.put("batch", c.batch());
            cr.put("warmup", c.suite().warmup());
            cr.put("steps", c.suite().steps());
            cr.put("equalLoss", Map.of("steps", c.suite().equalLoss(), "maxAbsDifference", 1e-6,
                    "maxRelativeDifference", 2e-7, "firstLossPretext", 4.2, "firstLossPytorch", 4.2,
                    "lastLossPretext", 4.1, "lastLossPytorch", 4.1));
            configs.put(c.name(), cr);
        }
        r.put("configs", configs);
        r.put("gemm", List.of(Map.of("side", "pytorch", "threads", 1, "blas", "openblas-pthread", "coretype",
                "Haswell", "gflopsPerSecond", 200.0)));
        r.put("throughput", Map.of("augmentedViewsPerSecond", 1000.0, "featureImagesPerSecond", 5000.0));
        r.put("suiteSeconds", 900.0);
        String md = Markdown.render(r, List.of("log line"));
        assertThat(md).contains("| causal-lm | 12 | 30 + 100 |", "| mae | 256 | 5 + 15 |", "token windows/s",
                "- mae consumes 512 images/s", "- simclr-mlp consumes 1024 views/s");
    }
}
