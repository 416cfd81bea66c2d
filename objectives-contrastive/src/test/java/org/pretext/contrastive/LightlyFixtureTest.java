package org.pretext.contrastive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pretext.blocks.Norms;
import org.pretext.engine.Scalars;

/**
 * Pretext's losses against lightly's loss modules (an independent implementation, run under
 * PyTorch 2.6 by {@code python/fixtures/generate.py}; see that script and
 * {@code python/fixtures/lightly/} for the commit and licence). Each fixture holds seeded inputs,
 * lightly's loss in float64 and its gradient with respect to every input; Pretext's float32 loss
 * and autograd gradients must match them within {@link LightlyFixture#LOSS_TOLERANCE} and
 * {@link LightlyFixture#GRADIENT_TOLERANCE}. Where Pretext differs from lightly by design, the test
 * applies the documented mapping, named in the test:
 * <ul>
 *   <li>BYOL: {@link ByolLoss#symmetric} = 4 + 4 × lightly's symmetrised negative cosine.</li>
 *   <li>DCLW: Pretext's weights w_i carry gradient (as in the DCL authors' code), lightly's are
 *       detached; the expected gradient adds that of −1/N Σ_i stopgrad(s_i/τ)·w_i.</li>
 *   <li>TiCo: lightly adds the constant 1 and detaches the batch term B_t of the covariance; Pretext
 *       follows the paper's pseudo-code (no constant, gradient through B_t): the expected loss is
 *       lightly's − 1 and the expected gradient adds that of ρ(1−β)/N Σ_i stopgrad(z_i)ᵀ B_t stopgrad(z_i).</li>
 *   <li>NNCLR: the nearest neighbours match lightly's {@code NNMemoryBankModule}; lightly's example
 *       applies its 2N-way NT-Xent to (neighbour, prediction) pairs while the NNCLR paper (eq. 2) and
 *       Pretext use the N-way cross-entropy, so the loss is checked against the paper's form evaluated
 *       in PyTorch by the generator, and lightly's value is shown to differ.</li>
 *   <li>LeJEPA: lightly's {@code LeJEPALoss} with every view passed as both a global and a local view
 *       (Pretext has no local views), which leaves the loss unchanged.</li>
 *   <li>MMCR: lightly's {@code MMCRLoss} takes views already normalised, split between an online and
 *       a momentum network; the generator normalises Pretext's raw views (the gradient is with
 *       respect to the raw ones) and passes the first half as online, the rest as momentum, which
 *       lightly concatenates back into the k views.</li>
 * </ul>
 * DINO and SwAV are checked as lightly computes them: {@link DinoLoss} with lightly's centre before
 * its update (and the centre after {@link DinoLoss#updateCentre} against lightly's updated one), and
 * {@link SwavLoss} with its Sinkhorn-Knopp codes against lightly's {@code sinkhorn} (with a queue,
 * over the batch's and the queue's rows, the batch's codes kept). MSN is checked against lightly's
 * {@code MSNLoss} with and without Sinkhorn-Knopp, including the prototypes' gradient and lightly's
 * target probabilities (softmax at τ, sharpened by 0.25: Pretext's softmax at τ⁺ = 0.025).
 */
class LightlyFixtureTest {

    @ParameterizedTest
    @ValueSource(strings = {"ntxent-t0.5", "ntxent-t0.1"})
    void ntXentMatchesLightlysNtXentLoss(String name) {
        try (LightlyFixture f = LightlyFixture.load(name)) {
            double tau = f.scalar("temperature");
            check(f, List.of("z1", "z2"), in -> NtXentLoss.compute(in.get("z1"), in.get("z2"), tau), Map.of());
        }
    }

    @Test
    void infoNceWithABankMatchesLightlysNtXentLossWithAMemoryBank() {
        try (LightlyFixture f = LightlyFixture.load("infonce-bank")) {
            double tau = f.scalar("temperature");
            NDArray negatives = f.constant("negatives");
            check(f, List.of("q", "key"), in -> InfoNceLoss.compute(in.get("q"), in.get("key"), negatives, tau),
                    Map.of());
        }
    }

    @Test
    void simSiamMatchesLightlysSymmetrisedNegativeCosineSimilarity() {
        try (LightlyFixture f = LightlyFixture.load("simsiam")) {
            check(f, List.of("p1", "p2", "z1", "z2"),
                    in -> SimSiamLoss.symmetric(in.get("p1"), in.get("p2"), in.get("z1"), in.get("z2")), Map.of());
        }
    }

    @Test
    void byolIsFourPlusFourTimesLightlysSymmetrisedNegativeCosineSimilarity() {
        // By design: BYOL's normalised MSE 2 − 2cos, summed over the two directions, = 4 + 4 × (−½ cos₁ − ½ cos₂)
        try (LightlyFixture f = LightlyFixture.load("byol")) {
            LightlyFixture.Evaluation e = f.evaluate(List.of("p1", "p2", "z1", "z2"),
                    in -> ByolLoss.symmetric(in.get("p1"), in.get("p2"), in.get("z1"), in.get("z2")));
            f.assertLoss(e.loss(), 4 + 4 * f.scalar("loss64"));
            for (String k : e.gradients().keySet()) {
                double[] expected = f.doubles("grad64_" + k);
                for (int i = 0; i < expected.length; i++) {
                    expected[i] *= 4;
                }
                f.assertGradient(k, e.gradients().get(k), expected);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"barlow-l0.005", "barlow-l0.05"})
    void barlowTwinsMatchesLightlysBarlowTwinsLoss(String name) {
        try (LightlyFixture f = LightlyFixture.load(name)) {
            double lambda = f.scalar("lambda");
            check(f, List.of("z1", "z2"), in -> BarlowTwinsLoss.compute(in.get("z1"), in.get("z2"), lambda), Map.of());
        }
    }

    @Test
    void vicRegMatchesLightlysVicRegLoss() {
        try (LightlyFixture f = LightlyFixture.load("vicreg")) {
            double l = f.scalar("invariance_weight");
            double mu = f.scalar("variance_weight");
            double nu = f.scalar("covariance_weight");
            check(f, List.of("z1", "z2"), in -> VicRegLoss.compute(in.get("z1"), in.get("z2"), l, mu, nu).total(),
                    Map.of());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dcl-t0.1", "dcl-t0.5"})
    void dclMatchesLightlysDclLoss(String name) {
        try (LightlyFixture f = LightlyFixture.load(name)) {
            double tau = f.scalar("temperature");
            check(f, List.of("z1", "z2"), in -> DclLoss.compute(in.get("z1").concat(in.get("z2"), 0), tau, 0),
                    Map.of());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dclw-t0.1", "dclw-t0.5"})
    void dclwMatchesLightlysDclwLossPlusTheWeightsGradient(String name) {
        try (LightlyFixture f = LightlyFixture.load(name)) {
            double tau = f.scalar("temperature");
            double sigma = f.scalar("sigma");
            // By design: lightly detaches the weights w_i; Pretext's carry gradient. The difference of the
            // gradients is the gradient of −1/N Σ_i stopgrad(s_i/τ)·w_i(s), s_i the pair cosines.
            Map<String, double[]> weightPath = f.evaluate(List.of("z1", "z2"), in -> {
                NDArray cos = Norms.unitRows(in.get("z1")).mul(Norms.unitRows(in.get("z2"))).sum(new int[] {1});
                long n = cos.getShape().get(0);
                NDArray w = Scalars.mul(Scalars.div(cos, sigma).softmax(0), -n).add(2f);
                return Scalars.div(cos.stopGradient(), tau).mul(w).mean().neg();
            }).gradients();
            check(f, List.of("z1", "z2"), in -> DclLoss.compute(in.get("z1").concat(in.get("z2"), 0), tau, sigma),
                    weightPath);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tico-b0.9", "tico-b1.0"})
    void ticoIsLightlysTicoLossMinusOnePlusTheBatchCovariancesGradient(String name) {
        try (LightlyFixture f = LightlyFixture.load(name)) {
            double beta = f.scalar("beta");
            double rho = f.scalar("rho");
            NDArray previous = f.constant("previous");
            // By design: lightly's loss is 1 + Pretext's and detaches B_t = 1/N Σ z_i z_iᵀ; Pretext lets the
            // gradient through B_t, whose part is the gradient of ρ(1−β)/N Σ_i stopgrad(z_i)ᵀ B_t stopgrad(z_i).
            Map<String, double[]> batchPath = f.evaluate(List.of("z1", "z2"), in -> {
                NDArray u = Norms.unitRows(in.get("z1"));
                long n = u.getShape().get(0);
                NDArray b = Scalars.div(u.transpose().matMul(u), n);
                NDArray fixed = u.stopGradient();
                return Scalars.mul(fixed.matMul(b).mul(fixed).sum(new int[] {1}).mean(), rho * (1 - beta));
            }).gradients();
            LightlyFixture.Evaluation e = f.evaluate(List.of("z1", "z2"),
                    in -> TicoLoss.compute(in.get("z1"), in.get("z2"), previous, beta, rho).loss());
            f.assertLoss(e.loss(), f.scalar("loss64") - 1);
            for (String k : e.gradients().keySet()) {
                f.assertGradient(k, e.gradients().get(k), plus(f.doubles("grad64_" + k), batchPath.get(k)));
            }
            if (beta == 1) {
                assertThat(max(batchPath.get("z1"))).as("no batch term at β = 1").isZero();
            }
        }
    }

    @Test
    void nnclrTakesLightlysNearestNeighboursAndThePapersLoss() {
        try (LightlyFixture f = LightlyFixture.load("nnclr")) {
            double tau = f.scalar("temperature");
            NDArray support = f.constant("support");
            NDArray z1 = f.constant("z1");
            NDArray z2 = f.constant("z2");
            assertThat(NnclrLoss.nearestNeighbours(z1, support).toFloatArray()).as("NN(z1)")
                    .containsExactly(f.array("nn1").toFloatArray());
            assertThat(NnclrLoss.nearestNeighbours(z2, support).toFloatArray()).as("NN(z2)")
                    .containsExactly(f.array("nn2").toFloatArray());
            LightlyFixture.Evaluation e = f.evaluate(List.of("p1", "p2"),
                    in -> NnclrLoss.compute(z1, z2, in.get("p1"), in.get("p2"), support, tau));
            f.assertLoss(e.loss(), f.scalar("paper_loss"));
            f.assertGradient("p1", e.gradients().get("p1"), f.doubles("paper_grad_p1"));
            f.assertGradient("p2", e.gradients().get("p2"), f.doubles("paper_grad_p2"));
            // lightly's example loss (2N-way NT-Xent on the same pairs) is a different function by design
            assertThat(Math.abs(e.loss() - f.scalar("loss64"))).as("lightly's NT-Xent form differs").isGreaterThan(0.1);
        }
    }

    @Test
    void leJepaMatchesLightlysLeJepaLossWithStoredDirections() {
        try (LightlyFixture f = LightlyFixture.load("lejepa")) {
            double lambda = f.scalar("lambda");
            NDArray directions = f.constant("directions");
            check(f, List.of("views"), in -> {
                NDArray views = in.get("views");
                List<NDArray> list = new ArrayList<>();
                for (int v = 0; v < views.getShape().get(0); v++) {
                    list.add(views.get(v));
                }
                return SigRegLoss.compute(list, directions, lambda).total();
            }, Map.of());
        }
    }

    /** MMCR's nuclear norms by Newton–Schulz against lightly's SVD, both Gram sides, with and without λ. */
    @ParameterizedTest
    @ValueSource(strings = {"mmcr-2views", "mmcr-4views"})
    void mmcrMatchesLightlysMmcrLoss(String name) {
        try (LightlyFixture f = LightlyFixture.load(name)) {
            double lambda = f.scalar("lambda");
            check(f, List.of("views"), in -> MmcrLoss.compute(in.get("views"), lambda).total(), Map.of());
        }
    }

    /**
     * Evaluates {@code loss} on the fixture's inputs and asserts the loss against lightly's and each
     * gradient against lightly's plus {@code addedGradients} (the by-design part, where there is one).
     */
    @ParameterizedTest
    @ValueSource(strings = {"dino-2views", "dino-4views"})
    void dinoMatchesLightlysDinoLossAndItsCentreUpdate(String name) {
        try (LightlyFixture f = LightlyFixture.load(name)) {
            double tauT = f.scalar("teacher_temperature");
            double tauS = f.scalar("student_temperature");
            NDArray teacher = f.constant("teacher"); // (2, N, K): the two global views
            long n = teacher.getShape().get(1);
            long k = teacher.getShape().get(2);
            NDArray centre = f.constant("centre");
            NDArray globals = teacher.reshape(2 * n, k);
            check(f, List.of("student"), in -> {
                NDArray student = in.get("student");
                return DinoLoss.crossEntropy(student.reshape(student.getShape().get(0) * n, k),
                        DinoLoss.teacherProbabilities(globals, centre, tauT), tauS);
            }, Map.of());
            // the centre moves as lightly's update_center moves it: c <- m c + (1 - m) mean of the teacher rows
            NDArray moved = centre.duplicate();
            DinoLoss.updateCentre(moved, DinoLoss.batchCentre(globals), f.scalar("centre_momentum"));
            double[] expected = f.doubles("centre_after");
            float[] got = moved.toFloatArray();
            for (int i = 0; i < expected.length; i++) {
                assertThat((double) got[i]).as("centre[%d]", i).isCloseTo(expected[i], within(1e-6));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"swav", "swav-queue"})
    void swavMatchesLightlysSwavLossAndItsSinkhornCodes(String name) {
        try (LightlyFixture f = LightlyFixture.load(name)) {
            double tau = f.scalar("temperature");
            double eps = f.scalar("sinkhorn_epsilon");
            int iterations = (int) f.scalar("sinkhorn_iterations");
            NDArray queue = name.endsWith("queue") ? f.constant("queue") : null; // (2, R, K)
            double[] expectedCodes = f.doubles("codes"); // (2, N, K), lightly's in float64
            check(f, List.of("high", "low"), in -> {
                NDArray high = in.get("high");
                NDArray low = in.get("low");
                long n = high.getShape().get(1);
                long k = high.getShape().get(2);
                NDList codes = new NDList();
                for (int i = 0; i < 2; i++) {
                    NDArray s = high.get(i);
                    NDArray q = SwavLoss.sinkhorn(queue == null ? s : s.concat(queue.get(i), 0), eps, iterations)
                            .get("0:" + n);
                    float[] got = q.toFloatArray();
                    for (int j = 0; j < got.length; j++) {
                        assertThat((double) got[j]).as("code of view %d, entry %d", i, j)
                                .isCloseTo(expectedCodes[(int) (i * n * k) + j], within(2e-6));
                    }
                    codes.add(q);
                }
                NDArray scores = NDArrays.concat(new NDList(high.reshape(2 * n, k), low.reshape(-1, k)), 0);
                return SwavLoss.swappedPrediction(scores, NDArrays.concat(codes, 0), tau);
            }, Map.of());
        }
    }

    /**
     * MSN as lightly's {@code MSNLoss} computes it (anchors, targets and prototypes unnormalised; τ⁺ =
     * τ × its sharpening temperature 0.25): {@link MsnLoss} on {@link MsnLoss#cosines}, with the target
     * probabilities against lightly's, and the targets' gradient zero in both.
     */
    @ParameterizedTest
    @ValueSource(strings = {"msn", "msn-no-sinkhorn"})
    void msnMatchesLightlysMsnLossAndItsTargetProbabilities(String name) {
        try (LightlyFixture f = LightlyFixture.load(name)) {
            double tau = f.scalar("temperature");
            double tauPlus = f.scalar("target_temperature");
            int iterations = (int) f.scalar("sinkhorn_iterations");
            double weight = f.scalar("me_max_weight");
            double[] expected = f.doubles("target_probabilities");
            check(f, List.of("anchors", "targets", "prototypes"), in -> {
                NDArray prototypes = in.get("prototypes");
                NDArray targets = MsnLoss.targetProbabilities(MsnLoss.cosines(in.get("targets"), prototypes), tauPlus,
                        iterations);
                float[] got = targets.toFloatArray();
                for (int i = 0; i < got.length; i++) {
                    assertThat((double) got[i]).as("target probability %d", i).isCloseTo(expected[i], within(2e-6));
                }
                return MsnLoss.loss(MsnLoss.cosines(in.get("anchors"), prototypes), targets, tau, weight);
            }, Map.of());
        }
    }

    private static void check(LightlyFixture f, List<String> inputs, Function<Map<String, NDArray>, NDArray> loss,
            Map<String, double[]> addedGradients) {
        LightlyFixture.Evaluation e = f.evaluate(inputs, loss);
        f.assertLoss(e.loss(), f.scalar("loss64"));
        for (String k : inputs) {
            double[] expected = f.doubles("grad64_" + k);
            double[] added = addedGradients.get(k);
            f.assertGradient(k, e.gradients().get(k), added == null ? expected : plus(expected, added));
        }
    }

    private static double[] plus(double[] a, double[] b) {
        double[] out = a.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += b[i];
        }
        return out;
    }

    private static double max(double[] a) {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
