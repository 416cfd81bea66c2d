package org.pretext.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pretext.probe.ProbeResult;
import org.pretext.runner.report.Verdict;

/** The report's answer to "did pretraining help?", against margins and t statistics worked out by hand. */
class VerdictTest {
    private static ProbeResult result(String features, String probe, Integer k, double[] draws, long[] seeds) {
        double mean = java.util.Arrays.stream(draws).average().orElseThrow();
        return new ProbeResult(features, probe, k, mean, 0, draws.length, draws, seeds, 100, 1000, null, null, null,
                Map.of(), 1.0);
    }

    @Test
    void marginIsPairedOverTheSharedDraws() {
        long[] seeds = {11, 12, 13};
        List<ProbeResult> results = List.of(
                result("pretrained", "logistic", 10, new double[] {0.90, 0.80, 0.85}, seeds),
                result("random-encoder", "logistic", 10, new double[] {0.60, 0.62, 0.58}, seeds),
                result("pretrained", "logistic", null, new double[] {0.97}, new long[] {5}),
                result("random-encoder", "logistic", null, new double[] {0.95}, new long[] {5}),
                result("raw-input", "logistic", 10, new double[] {0.7, 0.7, 0.7}, seeds));
        // differences 30, 18, 27 points: mean 25, sd √((25 + 49 + 4) / 2) = √39, t = 25 / (√39 / √3)
        List<Verdict.Comparison> cs = Verdict.comparisons(results);
        assertThat(cs).hasSize(2);
        Verdict.Comparison ten = cs.get(0);
        assertThat(ten.margin()).isCloseTo(25, within(1e-9));
        assertThat(ten.sd()).isCloseTo(Math.sqrt(39), within(1e-9));
        assertThat(ten.pairedT()).isCloseTo(25 / (Math.sqrt(39) / Math.sqrt(3)), within(1e-9));
        assertThat(cs.get(1).pairedT()).isNaN();
        assertThat(Verdict.line(results)).hasValue("Pretraining helped: pretrained features against the same encoder"
                + " untrained, logistic probe at 10 labels per class: +25.0 points (paired t = 6.9 over 3 draws).");
    }

    @Test
    void noClearDifferenceAndHarmAreSaidAsSuch() {
        long[] seeds = {1, 2, 3, 4};
        List<ProbeResult> noisy = List.of(result("pretrained", "knn", 5, new double[] {0.6, 0.5, 0.62, 0.5}, seeds),
                result("random-encoder", "knn", 5, new double[] {0.55, 0.56, 0.57, 0.52}, seeds));
        assertThat(Verdict.line(noisy)).get().asString().startsWith("No clear difference from pretraining:");
        List<ProbeResult> worse = List.of(result("pretrained", "knn", 5, new double[] {0.40, 0.41, 0.39, 0.40}, seeds),
                result("random-encoder", "knn", 5, new double[] {0.60, 0.60, 0.61, 0.59}, seeds));
        assertThat(Verdict.line(worse)).get().asString().startsWith("Pretraining hurt:");
        // draws that were not shared are not compared
        List<ProbeResult> unpaired = List.of(result("pretrained", "knn", 5, new double[] {0.9}, new long[] {1}),
                result("random-encoder", "knn", 5, new double[] {0.5}, new long[] {2}));
        assertThat(Verdict.line(unpaired)).isEmpty();
    }
}
