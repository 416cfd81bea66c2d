package org.pretext.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pretext.Versions;
import org.pretext.encoder.Features;
import org.pretext.evaluation.Probe;
import org.pretext.evaluation.ProbeProvider;
import org.pretext.param.ParamException;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderBase;
import org.pretext.registry.ProviderRegistry;
import org.pretext.runtime.EngineSetup;

/**
 * Probes are providers: the three built-ins are found through ServiceLoader, their parameters
 * reach the classifier, and a fourth probe written against the api alone runs in the suite beside
 * them with no change to the suite.
 */
class ProbeProviderTest {
    @BeforeAll
    static void start() {
        EngineSetup.engine();
    }

    @Test
    void theBuiltInProbesAreFoundByName() {
        ProviderRegistry<ProbeProvider> r = ProviderRegistry.load(ProbeProvider.class, "probe",
                ProbeProviderTest.class.getClassLoader(), List.of());
        assertThat(r.all().keySet()).containsExactly("knn", "logistic", "mean");
        assertThat(r.problems()).isEmpty();
    }

    @Test
    void knnParametersReachTheClassifierAndAreReported() {
        Features.Matrix train = NonFiniteFeaturesTest.blobs(300, 11, 3);
        Features.Matrix test = NonFiniteFeaturesTest.blobs(200, 12, 3);
        NamedProbe oneNeighbour = NamedProbe.of(new KnnProbeProvider(), Map.of("k", 1));
        ProbeResult r = new ProbeSuite(ProbeOptions.defaults(Device.cpu()).withBudgets(List.of(LabelBudget.all()))
                .withProbes(List.of(oneNeighbour))).run("x", train, test).get(0);
        assertThat(r.probe()).isEqualTo("knn");
        assertThat(r.settings()).containsEntry("k", 1).containsEntry("temperature", 0.07);
        // k = 1 is the nearest training row by cosine: computed here on the host, independently
        assertThat(r.accuracy()).isEqualTo(nearestCosineAccuracy(train, test));
        assertThat(r.l2()).as("kNN chooses no L2 strength").isNull();
    }

    @Test
    void badProbeParametersNameTheProbeAndKey() {
        assertThatThrownBy(() -> NamedProbe.of(new KnnProbeProvider(), Map.of("k", 0)))
                .isInstanceOf(ParamException.class)
                .hasMessage("Invalid value '0' for parameter 'k' of probe 'knn': expected an integer >= 1");
        assertThatThrownBy(() -> NamedProbe.of(new LogisticProbeProvider(), Map.of("c-grid", "0.1,lots")))
                .isInstanceOf(ParamException.class)
                .hasMessageContaining("'c-grid' of probe 'logistic': expected comma-separated numbers > 0");
    }

    @Test
    void aFourthProbeRunsBesideTheBuiltInsOnTheSameDraws() {
        Features.Matrix train = NonFiniteFeaturesTest.blobs(300, 21, 3);
        Features.Matrix test = NonFiniteFeaturesTest.blobs(150, 22, 3);
        List<int[]> seen = new java.util.ArrayList<>();
        ProbeOptions options = ProbeOptions.defaults(Device.cpu()).withBudgets(List.of(LabelBudget.of(5)))
                .withDraws(3).withProbes(List.of(NamedProbe.builtIn("mean"),
                        NamedProbe.of(new MajorityClassProvider(seen), Map.of())));
        List<ProbeResult> results = new ProbeSuite(options).run("x", train, test);
        assertThat(results).extracting(ProbeResult::probe).containsExactly("mean", "majority");
        ProbeResult majority = results.get(1);
        assertThat(seen).hasSize(3).allSatisfy(rows -> assertThat(rows).hasSize(15));
        // 5 labels per class: every class ties, the lowest index wins; test rows cycle 3 classes
        assertThat(majority.drawAccuracies()).containsOnly(50.0 / 150);
        assertThat(majority.drawSeeds()).isEqualTo(results.get(0).drawSeeds());
        assertThat(results.get(0).accuracy()).isGreaterThan(0.7);
    }

    @Test
    void progressIsReportedAfterEveryDraw() {
        Features.Matrix train = NonFiniteFeaturesTest.blobs(300, 31, 3);
        Features.Matrix test = NonFiniteFeaturesTest.blobs(90, 32, 3);
        List<String> lines = new java.util.ArrayList<>();
        new ProbeSuite(ProbeOptions.defaults(Device.cpu()).withBudgets(List.of(LabelBudget.of(2), LabelBudget.all()))
                .withDraws(3).withProbes("mean")).withProgress(lines::add).run("pretrained", train, test);
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).startsWith("pretrained: 2 labels per class, draw 1 of 3 (1 of 4 draws, ")
                .contains("s left)");
        assertThat(lines.get(3)).startsWith("pretrained: all labels, draw 1 of 1 (4 of 4 draws, ").doesNotContain("left");
    }

    /** Accuracy of the nearest training row by cosine similarity, ties to the lower row. */
    private static double nearestCosineAccuracy(Features.Matrix train, Features.Matrix test) {
        int correct = 0;
        for (int q = 0; q < test.rows(); q++) {
            double best = Double.NEGATIVE_INFINITY;
            int label = -1;
            for (int i = 0; i < train.rows(); i++) {
                double dot = 0;
                double nq = 0;
                double ni = 0;
                for (int j = 0; j < train.cols(); j++) {
                    dot += test.get(q, j) * train.get(i, j);
                    nq += test.get(q, j) * test.get(q, j);
                    ni += train.get(i, j) * train.get(i, j);
                }
                double cos = dot / Math.sqrt(nq * ni);
                if (cos > best) {
                    best = cos;
                    label = train.labels()[i];
                }
            }
            correct += label == test.labels()[q] ? 1 : 0;
        }
        return correct / (double) test.rows();
    }

    /** A plug-in's probe: predicts the most frequent labelled class (ties to the lowest index). */
    static final class MajorityClassProvider extends ProviderBase implements ProbeProvider {
        private final List<int[]> seen;

        MajorityClassProvider(List<int[]> seen) {
            super(Versions.SPI_VERSION, "majority", "Predicts the most frequent labelled class", List.of());
            this.seen = seen;
        }

        @Override
        public Probe create(ParamValues params) {
            return draw -> {
                seen.add(draw.rows().clone());
                int[] counts = new int[draw.numClasses()];
                for (int y : draw.labels()) {
                    counts[y]++;
                }
                int best = 0;
                for (int c = 1; c < counts.length; c++) {
                    best = counts[c] > counts[best] ? c : best;
                }
                int correct = 0;
                for (int y : draw.testLabelValues()) {
                    correct += y == best ? 1 : 0;
                }
                return Probe.Outcome.accuracy(correct / (double) draw.testLabelValues().length);
            };
        }
    }
}
