package org.pretext.contrastive;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pretext.model.PretextModel;
import org.pretext.training.Pretrainer;
import org.pretext.training.listener.RepresentationDiagnostics;

/**
 * BYOL and SimSiam rely on an asymmetry to avoid the trivial constant solution: BYOL on its
 * stop-gradient EMA target, SimSiam on its stop-gradient. Removing it (BYOL with the online
 * network as its own target and gradients through both branches; SimSiam without stop-gradient)
 * lets the loss reach its minimum by collapse: the effective rank (RankMe) of the projector's
 * embeddings falls below 3 (about 1.5–1.9) while with the asymmetry it stays above 10 (30–45), the
 * encoder's own features lose rank too (measured: BYOL 25 → 6, SimSiam 27 → 19; how much depends on
 * the trajectory, so the test asks for a fifth at least), and the diagnostics report the collapse.
 * The same short run (200 steps of the test MLP on the bundled MNIST) with and without it.
 */
class AsymmetryCollapseTest {

    private static RepresentationDiagnostics.Result train(String name, Map<String, Object> params) {
        List<String> warnings = new ArrayList<>();
        RepresentationDiagnostics diagnostics = RepresentationDiagnostics.of(TestRuns.mnist().pretrain(), 1)
                .withWarnings(warnings::add);
        try (PretextModel model = TestRuns.model(TestRuns.objective(name, params), 3)) {
            new Pretrainer(TestRuns.config(200).build()).run(model, TestRuns.mnist().pretrain(),
                    TestRuns.provenance(name));
            RepresentationDiagnostics.Result r = diagnostics.measure(model);
            System.out.printf("%s %s: %s%n", name, params, r);
            Map<String, Double> metrics = diagnostics.measure(model, 4);
            assertThat(metrics.get("collapsed")).isEqualTo(r.collapsed() ? 1.0 : 0.0);
            assertThat(warnings).hasSize(r.collapsed() ? 1 : 0);
            return r;
        }
    }

    @Test
    void byolCollapsesWithoutItsStopGradientTarget() {
        RepresentationDiagnostics.Result with = train("byol", Map.of());
        RepresentationDiagnostics.Result without = train("byol", Map.of("target", "online"));
        assertCollapseWithoutAsymmetry(with, without);
    }

    @Test
    void simSiamCollapsesWithoutStopGradient() {
        RepresentationDiagnostics.Result with = train("simsiam", Map.of());
        RepresentationDiagnostics.Result without = train("simsiam", Map.of("stop-gradient", false));
        assertCollapseWithoutAsymmetry(with, without);
    }

    private static void assertCollapseWithoutAsymmetry(RepresentationDiagnostics.Result with,
            RepresentationDiagnostics.Result without) {
        assertThat(without.embeddingRank()).isLessThan(RepresentationDiagnostics.DEFAULT_COLLAPSE_RANK)
                .isLessThan(with.embeddingRank() / 5);
        assertThat(without.effectiveRank()).isLessThan(with.effectiveRank() * 0.8);
        assertThat(without.collapsed()).isTrue();
        assertThat(with.embeddingRank()).isGreaterThan(10);
        assertThat(with.collapsed()).isFalse();
    }
}
