package org.pretext.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pretext.PretextException;
import org.pretext.encoder.Features;
import org.pretext.engine.Engines;
import org.pretext.evaluation.Probe;

/** {@link ProbeSuite#withWorkers}: draws evaluated at once give exactly the numbers of draws one at a time. */
class ConcurrentDrawsTest {
    @BeforeAll
    static void start() {
        Engines.engine();
    }

    private static ProbeOptions options() {
        return ProbeOptions.defaults(Device.cpu()).withBudgets(LabelBudget.parseList("5,all")).withDraws(3)
                .withSeed(11);
    }

    private static List<ProbeSuite.FeatureSet> sets() {
        return List.of(
                new ProbeSuite.FeatureSet("a", ProbeSuiteTest.gaussian(40, 4, 12, 1, 50),
                        ProbeSuiteTest.gaussian(30, 4, 12, 2, 50)),
                new ProbeSuite.FeatureSet("b", ProbeSuiteTest.gaussian(50, 4, 30, 3, 60),
                        ProbeSuiteTest.gaussian(30, 4, 30, 4, 60)),
                new ProbeSuite.FeatureSet("c", ProbeSuiteTest.gaussian(30, 4, 5, 5, 70),
                        ProbeSuiteTest.gaussian(30, 4, 5, 6, 70)));
    }

    @Test
    void drawsAtOnceGiveTheNumbersOfDrawsOneAtATime() {
        List<ProbeSuite.FeatureSet> sets = sets();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        ProbeSuite parallel = new ProbeSuite(options()).withWorkers(2).withProgress(lines::add);
        assertThat(parallel.workers()).isEqualTo(2);
        List<ProbeSuite.Evaluation> together = parallel.runAll(sets, null);
        ProbeSuite serial = new ProbeSuite(options());
        assertThat(serial.workers()).isEqualTo(1);
        assertThat(together).hasSize(3);
        for (int i = 0; i < sets.size(); i++) {
            ProbeSuite.FeatureSet set = sets.get(i);
            ProbeSuite.Evaluation alone = serial.runKeepingModel(set.name(), set.train(), set.test(), null);
            // logistic, knn and mean at 5 per class (3 draws) and all labels (1)
            assertThat(together.get(i).results()).hasSize(6);
            assertThat(together.get(i).results()).usingRecursiveFieldByFieldElementComparatorIgnoringFields("seconds")
                    .containsExactlyElementsOf(alone.results());
            assertThat(together.get(i).allLabelsModel().theta()).containsExactly(alone.allLabelsModel().theta());
            assertThat(together.get(i).results()).allSatisfy(r -> assertThat(r.features()).isEqualTo(set.name()));
        }
        // one progress line per draw: 4 draws of each of the three sets
        assertThat(lines).hasSize(12).allSatisfy(l -> assertThat(l).contains(" of 12 draws; ")
                .contains(" of 4 of this feature set"));
    }

    @Test
    void eachWorkerThreadHasItsOwnCopyOfEveryProbe() {
        Map<Probe, Set<String>> threadsByInstance = new ConcurrentHashMap<>();
        Probe logistic = NamedProbe.builtIn("logistic").probe();
        java.util.function.Supplier<Probe> recording = () -> new Probe() {
            @Override
            public Outcome evaluate(Draw d) {
                threadsByInstance.computeIfAbsent(this, k -> ConcurrentHashMap.newKeySet())
                        .add(Thread.currentThread().getName());
                return logistic.evaluate(d);
            }
        };
        NamedProbe probe = new NamedProbe("recording", recording.get(), Map.of(), recording);
        List<ProbeSuite.Evaluation> e = new ProbeSuite(options().withProbes(List.of(probe))).withWorkers(2)
                .runAll(sets(), null);
        assertThat(e).hasSize(3);
        // the two workers each made their copy on first use; the suite's own instance stayed unused
        assertThat(threadsByInstance).hasSize(2);
        Set<String> threads = new java.util.HashSet<>();
        threadsByInstance.values().forEach(t -> {
            assertThat(t).hasSize(1);
            threads.addAll(t);
        });
        assertThat(threads).hasSize(2).allSatisfy(t -> assertThat(t).startsWith("pretext-probe-"));
    }

    @Test
    void aProbeWithoutCopiesHasItsDrawsRunOneAtATimeOnTheCallingThread() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        Set<String> threads = ConcurrentHashMap.newKeySet();
        Probe logistic = NamedProbe.builtIn("logistic").probe();
        Probe single = d -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            threads.add(Thread.currentThread().getName());
            try {
                return logistic.evaluate(d);
            } finally {
                running.decrementAndGet();
            }
        };
        // a plug-in's probe, as NamedProbe.of makes it: no copies
        ProbeSuite suite = new ProbeSuite(options().withProbes(List.of(new NamedProbe("plug-in", single, Map.of()))))
                .withWorkers(2);
        assertThat(suite.workers()).isEqualTo(1);
        suite.runAll(sets(), null);
        assertThat(most.get()).isEqualTo(1);
        assertThat(threads).containsExactly(Thread.currentThread().getName());
        assertThat(NamedProbe.builtIn("knn").copies()).isNotNull();
    }

    @Test
    void aFailingDrawStopsTheSuiteWithItsOwnError() {
        Probe logistic = NamedProbe.builtIn("logistic").probe();
        AtomicInteger calls = new AtomicInteger();
        java.util.function.Supplier<Probe> failing = () -> d -> {
            if (calls.incrementAndGet() == 3) {
                throw new PretextException("draw failed on purpose (seed " + d.seed() + ")");
            }
            return logistic.evaluate(d);
        };
        NamedProbe probe = new NamedProbe("failing", failing.get(), Map.of(), failing);
        ProbeSuite suite = new ProbeSuite(options().withProbes(List.of(probe))).withWorkers(2);
        assertThatThrownBy(() -> suite.runAll(sets(), null)).isInstanceOf(PretextException.class)
                .hasMessageStartingWith("draw failed on purpose (seed ");
        // the draws that had not started never ran: 12 draws, the third failed, at most one beside it
        assertThat(calls.get()).isLessThan(12);
        assertThatThrownBy(() -> new ProbeSuite(options()).withWorkers(0)).isInstanceOf(PretextException.class)
                .hasMessageContaining("Invalid number of probe workers 0");
    }
}
