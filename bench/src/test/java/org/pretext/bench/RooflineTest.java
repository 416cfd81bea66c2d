package org.pretext.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The roofline bound from roofline.py's op list, and the "How close to the machine's limit" table. */
class RooflineTest {
    /**
     * Two op kinds, worked out by hand at a 400 GFLOP/s peak and 40 GB/s: a matmul of 4 GFLOP and
     * 0.1 GB, called twice (10 ms of FLOPs against 2.5 ms of bytes: 10 ms each), and an element-wise op
     * of 0.2 GB, called three times (5 ms each). Per op: 2 × 10 + 3 × 5 = 35 ms; the whole step's
     * 8 GFLOP and 0.8 GB take max(20 ms, 20 ms) = 20 ms, less than the per-op sum.
     */
    static Map<String, Object> twoOps() {
        Map<String, Object> mm = new LinkedHashMap<>(Map.of("op", "aten.mm", "count", 2, "flops", 8e9, "bytes", 2e8,
                "shapes", List.of(List.of(2, 4e9, 1e8))));
        Map<String, Object> relu = new LinkedHashMap<>(Map.of("op", "aten.relu", "count", 3, "flops", 0, "bytes", 6e8,
                "shapes", List.of(List.of(3, 0, 2e8))));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("config", "dino-cnn");
        r.put("flops", 8e9);
        r.put("bytes", 8e8);
        r.put("opCalls", 5);
        r.put("torch", "2.6.0+debian");
        r.put("ops", List.of(mm, relu));
        return r;
    }

    @Test
    void eachOpIsAtLeastAsSlowAsItsOwnRoofline() {
        List<Roofline.OpShape> shapes = Roofline.shapes(twoOps());
        assertThat(shapes).containsExactly(new Roofline.OpShape(2, 4e9, 1e8), new Roofline.OpShape(3, 0, 2e8));
        assertThat(Roofline.boundSeconds(shapes, 400, 40)).isCloseTo(0.035, within(1e-12));
        assertThat(Roofline.wholeStepBoundSeconds(8e9, 8e8, 400, 40)).isCloseTo(0.020, within(1e-12));
        // at ten times the bandwidth the matmul stays at 10 ms, the element-wise op drops to 0.5 ms
        assertThat(Roofline.boundSeconds(shapes, 400, 400)).isCloseTo(0.0215, within(1e-12));
        Map<String, Object> e = Roofline.entry(twoOps(), 400, 40);
        assertThat((double) e.get("flopsPerByte")).isEqualTo(10.0);
        assertThat((double) e.get("boundSeconds")).isCloseTo(0.035, within(1e-12));
        assertThat((double) e.get("wholeStepBoundSeconds")).isCloseTo(0.020, within(1e-12));
    }

    @Test
    void aMissingMeasurementOrOpListIsRefusedByName() {
        assertThatThrownBy(() -> Roofline.boundSeconds(List.of(), 0, 40)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("GEMM peak (0.0 GFLOP/s)").hasMessageContaining("must be positive");
        assertThatThrownBy(() -> Roofline.wholeStepBoundSeconds(1, 1, 400, Double.NaN))
                .hasMessageContaining("bandwidth (NaN GB/s)");
        Map<String, Object> noOps = twoOps();
        noOps.remove("ops");
        assertThatThrownBy(() -> Roofline.shapes(noOps)).hasMessageContaining("no \"ops\" list");
        Map<String, Object> badShape = twoOps();
        badShape.put("ops", List.of(Map.of("op", "aten.mm", "shapes", List.of(List.of(2, 4e9)))));
        assertThatThrownBy(() -> Roofline.shapes(badShape)).hasMessageContaining("aten.mm")
                .hasMessageContaining("expected [calls, flops, bytes]");
    }

    static Map<String, Object> rate(double stepsPerSecond) {
        return Map.of("stepsPerSecond", stepsPerSecond);
    }

    static Map<String, Object> results() {
        Map<String, Object> med = new LinkedHashMap<>();
        med.put("pretext-1", rate(15));
        med.put("pretext-2", rate(20));
        med.put("pytorch-1", rate(8));
        med.put("pytorch-2", rate(5));
        med.put("pytorch26-eager-1", rate(10));
        med.put("pytorch26-eager-2", rate(Double.NaN));
        med.put("pytorch26-max-autotune-no-cudagraphs-2", rate(12.5));
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("medians", med);
        c.put("flopsPerStep", 12.2e9);
        c.put("roofline", Roofline.entry(twoOps(), 400, 40));
        Map<String, Object> configs = new LinkedHashMap<>();
        configs.put("dino-cnn", c);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("peakGflops", 400.0);
        r.put("bandwidthGBps", 40.0);
        r.put("bandwidth", List.of(Map.of("threads", 1, "scaleGBps", 30.5, "addGBps", 38.2, "gbPerSecond", 38.2),
                Map.of("threads", 2, "scaleGBps", 35.0, "addGBps", 40.0, "gbPerSecond", 40.0)));
        r.put("configs", configs);
        return r;
    }

    @Test
    @SuppressWarnings("unchecked")
    void theTableGivesEachSidesShareOfThePeakAndOfTheBound() {
        Map<String, Object> r = results();
        String md = Markdown.roofline(r, (Map<String, Object>) r.get("configs"));
        // Pretext 20 steps/s = 50 ms: 20 × 8 GFLOP / 400 = 40 % of the peak, 35 / 50 = 70 % of the bound;
        // 2.6's best is max-autotune's 12.5 (80 ms: 25 %, 43.75 %), 1.13's is 8 at 1 thread (125 ms: 16 %, 28 %)
        assertThat(md).contains("## How close to the machine's limit",
                " 1 thr: scale `a *= s` 30.5, add `a += b` 38.2; 2 thr: scale `a *= s` 35.0, add `a += b` 40.0. Best:"
                        + " 40.0 GB/s; best fp32 GEMM of the run: 400 GFLOP/s (the table's bound uses both).",
                "| dino-cnn | 8.00 / 12.20 | 0.800 | 10.0 | 400 | 40.0 | 35.00 / 20.00 | 50.00 | 40% | 70% | 80.00 | 25% |"
                        + " 44% | 125.00 | 16% | 28% |");
        // without 1.13 (--no-torch113) its cells are dashes
        Map<String, Object> med = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) r.get("configs"))
                .get("dino-cnn")).get("medians");
        med.remove("pytorch-1");
        med.remove("pytorch-2");
        assertThat(Markdown.roofline(r, (Map<String, Object>) r.get("configs"))).contains("| 80.00 | 25% | 44% | — | — | — |");
        assertThat(Markdown.bestRate(med, "pytorch26")).isEqualTo(12.5);
        assertThat(Markdown.bestRate(med, "pytorch")).isNaN();
    }

    @Test
    @SuppressWarnings("unchecked")
    void withoutTheRootTheTableSaysWhyItIsMissing() {
        Map<String, Object> r = results();
        r.put("rooflineSkipped", "roofline.py needs PyTorch 2.1 or later (the root is not usable)");
        String md = Markdown.roofline(r, (Map<String, Object>) r.get("configs"));
        assertThat(md).contains("Best: 40.0 GB/s; best fp32 GEMM of the run: 400 GFLOP/s.\n",
                "Roofline table not made in this run: roofline.py needs PyTorch 2.1 or later (the root is not usable).")
                .doesNotContain("| dino-cnn |");
        // the suite regenerates the section: an old one is not kept beside the new
        assertThat(Markdown.keepOtherSections("# new\n", "## How close to the machine's limit\n\nold table\n"
                + "## A shared machine\n\nkept\n")).isEqualTo("# new\n\n## A shared machine\n\nkept\n");
    }
}
