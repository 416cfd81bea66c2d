package org.pretext.contrastive;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pretext.data.BatchPlan;
import org.pretext.data.HostTensor;
import org.pretext.model.PretextModel;
import org.pretext.training.Pretrainer;
import org.pretext.training.listener.EmbeddingStats;
import org.pretext.training.listener.RepresentationDiagnostics;

/**
 * BYOL and SimSiam rely on an asymmetry to avoid the trivial constant solution: BYOL on its
 * stop-gradient EMA target, SimSiam on its stop-gradient. Removing it (BYOL with the online
 * network as its own target and gradients through both branches; SimSiam without stop-gradient)
 * lets the loss reach its minimum by collapse: the effective rank (RankMe) of the projector's
 * embeddings falls to about 1 while with the asymmetry it stays high, and the encoder's own
 * features lose most of their rank too. The same short run (200 steps of the test MLP on the
 * bundled MNIST) with and without the asymmetry.
 */
class AsymmetryCollapseTest {

    record Ranks(double embedding, double encoder, RepresentationDiagnostics.Result diagnostics) {}

    private static Ranks train(String name, Map<String, Object> params, String projector) {
        RepresentationDiagnostics diagnostics = RepresentationDiagnostics.of(TestRuns.mnist().pretrain(), 1);
        try (PretextModel model = TestRuns.model(TestRuns.objective(name, params), 3)) {
            new Pretrainer(TestRuns.config(200).build()).run(model, TestRuns.mnist().pretrain(),
                    TestRuns.provenance(name));
            RepresentationDiagnostics.Result r = diagnostics.measure(model);
            double embedding = embeddingRank(model, projector);
            System.out.printf("%s %s: embedding rank %.2f, encoder %s%n", name, params, embedding, r);
            return new Ranks(embedding, r.effectiveRank(), r);
        }
    }

    /** Effective rank of the projector's output on 512 test images, in inference mode. */
    private static double embeddingRank(PretextModel model, String projector) {
        HostTensor x = TestRuns.mnist().test().orElseThrow().batches(BatchPlan.sequential(512)).next().inputs();
        try (NDManager m = NDManager.newBaseManager(model.device())) {
            NDArray h = model.encode(x.toNDArray(m), false);
            NDArray z = model.forward(model.objective().heads().get(projector), new NDList(h), false)
                    .singletonOrThrow();
            return EmbeddingStats.effectiveRank(z.toFloatArray(), 512, (int) z.getShape().get(1));
        }
    }

    @Test
    void byolCollapsesWithoutItsStopGradientTarget() {
        Ranks with = train("byol", Map.of(), ByolObjective.PROJECTOR);
        Ranks without = train("byol", Map.of("target", "online"), ByolObjective.PROJECTOR);
        assertThat(without.embedding()).isLessThan(2).isLessThan(with.embedding() / 5);
        assertThat(without.encoder()).isLessThan(with.encoder() / 2);
    }

    @Test
    void simSiamCollapsesWithoutStopGradient() {
        Ranks with = train("simsiam", Map.of(), SimSiamObjective.PROJECTOR);
        Ranks without = train("simsiam", Map.of("stop-gradient", false), SimSiamObjective.PROJECTOR);
        assertThat(without.embedding()).isLessThan(2).isLessThan(with.embedding() / 5);
        assertThat(without.encoder()).isLessThan(with.encoder() / 2);
    }
}
