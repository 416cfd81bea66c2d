package org.pretext.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.pretext.testkit.ToyDenoising.Fault;

/**
 * Every check of the contract can fail: the suite runs (through JUnit's EngineTestKit, as a
 * plug-in's build would run it) against the kit's toy objective, once correct and once with each
 * of its faults, and exactly the checks each fault breaks report a failure, with the check's
 * title in the message.
 */
class ContractFailuresTest {
    /** Test method of the contract for each check. */
    private static final Map<Check, String> METHODS = new LinkedHashMap<>();

    static {
        METHODS.put(Check.LOSS_FALLS, "lossIsFiniteAndFalls");
        METHODS.put(Check.GRADIENTS, "gradientsAgreeWithFiniteDifferences");
        METHODS.put(Check.SAME_SEED, "sameSeedGivesTheSameLosses");
        METHODS.put(Check.EXACT_RESUME, "resumeFromSavedStateIsExact");
        METHODS.put(Check.NO_ARRAYS_LEFT, "noArraysAreLeftAfterAStep");
        METHODS.put(Check.PARAMETERS, "parametersAreValidatedByName");
        METHODS.put(Check.DATA_PARALLEL, "oneStepOnSeveralReplicasIsOneStepOnOne");
    }

    static ObjectiveFixture fixture(Fault fault) {
        return ObjectiveFixture.of(new ToyDenoising.Provider(fault), Map.of("noise", 0.2)).withSteps(12);
    }

    static class Correct implements ObjectiveContract {
        @Override
        public ObjectiveFixture fixture() {
            return ContractFailuresTest.fixture(Fault.NONE);
        }
    }

    static class Leaking implements ObjectiveContract {
        @Override
        public ObjectiveFixture fixture() {
            return ContractFailuresTest.fixture(Fault.LEAK);
        }
    }

    static class OwnManager implements ObjectiveContract {
        @Override
        public ObjectiveFixture fixture() {
            return ContractFailuresTest.fixture(Fault.OWN_MANAGER);
        }
    }

    static class Unseeded implements ObjectiveContract {
        @Override
        public ObjectiveFixture fixture() {
            return ContractFailuresTest.fixture(Fault.UNSEEDED);
        }
    }

    static class UnsavedState implements ObjectiveContract {
        @Override
        public ObjectiveFixture fixture() {
            return ContractFailuresTest.fixture(Fault.UNSAVED_STATE);
        }
    }

    static class Ascending implements ObjectiveContract {
        @Override
        public ObjectiveFixture fixture() {
            return ContractFailuresTest.fixture(Fault.ASCENT);
        }
    }

    static class DoubleGradient implements ObjectiveContract {
        @Override
        public ObjectiveFixture fixture() {
            return ContractFailuresTest.fixture(Fault.DOUBLE_GRADIENT);
        }
    }

    static class NumberConstant implements ObjectiveContract {
        @Override
        public ObjectiveFixture fixture() {
            return ContractFailuresTest.fixture(Fault.NUMBER_CONSTANT);
        }
    }

    static class HandParsed implements ObjectiveContract {
        @Override
        public ObjectiveFixture fixture() {
            return ObjectiveFixture.of(new ToyDenoising.HandParsingProvider(), Map.of()).withSteps(12);
        }
    }

    static class ShardStatistics implements ObjectiveContract {
        @Override
        public ObjectiveFixture fixture() {
            return ContractFailuresTest.fixture(Fault.SHARD_STATISTICS);
        }
    }

    static class Exempting implements ObjectiveContract {
        @Override
        public ObjectiveFixture fixture() {
            return ContractFailuresTest.fixture(Fault.DOUBLE_GRADIENT)
                    .exempt(Check.GRADIENTS, "the toy's gradient is doubled on purpose");
        }
    }

    /** Runs the contract in a class; the checks that failed, each with its message. */
    private static Map<Check, String> failures(Class<?> contract) {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(contract)).execute().testEvents();
        assertThat(tests.started().count()).as("tests started").isEqualTo(METHODS.size());
        assertThat(tests.aborted().count()).as("tests aborted").isZero();
        Map<Check, String> failed = new LinkedHashMap<>();
        for (Event e : tests.failed().list()) {
            String method = ((MethodSource) e.getTestDescriptor().getSource().orElseThrow()).getMethodName();
            Check check = METHODS.entrySet().stream().filter(m -> m.getValue().equals(method)).findFirst()
                    .orElseThrow().getKey();
            TestExecutionResult r = e.getRequiredPayload(TestExecutionResult.class);
            failed.put(check, r.getThrowable().map(Throwable::getMessage).orElse(""));
        }
        return failed;
    }

    private static void expectFailures(Class<?> contract, Check... checks) {
        Map<Check, String> failed = failures(contract);
        assertThat(failed.keySet()).as("checks failed by %s: %s", contract.getSimpleName(), failed)
                .containsExactlyInAnyOrder(checks);
        failed.forEach((check, message) -> assertThat(message).startsWith(check.title() + ": "));
    }

    @Test
    void aCorrectObjectivePassesEveryCheck() {
        expectFailures(Correct.class);
    }

    @Test
    void anArrayLeftInTheModelsManagerIsReported() {
        expectFailures(Leaking.class, Check.NO_ARRAYS_LEFT);
        assertThat(failures(Leaking.class).get(Check.NO_ARRAYS_LEFT)).contains("+1.0 per step");
    }

    @Test
    void arraysKeptInAManagerOfTheObjectivesOwnAreReported() {
        Map<Check, String> failed = failures(OwnManager.class);
        assertThat(failed.keySet()).containsExactly(Check.NO_ARRAYS_LEFT);
        assertThat(failed.get(Check.NO_ARRAYS_LEFT)).contains("after it was closed");
    }

    @Test
    void randomnessOutsideTheSeedIsReported() {
        expectFailures(Unseeded.class, Check.SAME_SEED, Check.EXACT_RESUME);
    }

    @Test
    void stateLeftOutOfTheCheckpointIsReported() {
        Map<Check, String> failed = failures(UnsavedState.class);
        assertThat(failed.keySet()).containsExactly(Check.EXACT_RESUME);
        assertThat(failed.get(Check.EXACT_RESUME)).contains("must be written by saveState");
    }

    @Test
    void aLossThatRisesAndItsWrongGradientAreReported() {
        expectFailures(Ascending.class, Check.LOSS_FALLS, Check.GRADIENTS);
    }

    @Test
    void aGradientOfTheWrongSizeIsReported() {
        Map<Check, String> failed = failures(DoubleGradient.class);
        assertThat(failed.keySet()).containsExactly(Check.GRADIENTS);
        assertThat(failed.get(Check.GRADIENTS)).contains("directional derivatives disagree");
    }

    @Test
    void aConstantThatDjlFreesBeforeTheBackwardPassIsReported() {
        // the gradient check collects garbage between forward and backward and writes over the freed memory
        Map<Check, String> failed = failures(NumberConstant.class);
        assertThat(failed).containsKey(Check.GRADIENTS);
        assertThat(failed.get(Check.GRADIENTS)).contains("use org.pretext.engine.Scalars");
    }

    @Test
    void aParameterParsedByHandIsReported() {
        Map<Check, String> failed = failures(HandParsed.class);
        assertThat(failed.keySet()).containsExactly(Check.PARAMETERS);
        assertThat(failed.get(Check.PARAMETERS)).contains("string parameter 'noise'")
                .contains("does not name the key");
    }

    @Test
    void aBatchStatisticTakenPerShardIsReported() {
        Map<Check, String> failed = failures(ShardStatistics.class);
        assertThat(failed.keySet()).containsExactly(Check.DATA_PARALLEL);
        assertThat(failed.get(Check.DATA_PARALLEL)).contains("declares PER_EXAMPLE").contains("on 2 CPU replicas")
                .contains("the loss is");
    }

    @Test
    void anExemptCheckIsReportedAsSkippedWithItsReason() {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(Exempting.class)).execute()
                .testEvents();
        assertThat(tests.failed().count()).isZero();
        // Assumptions.abort: JUnit reports the test as aborted, Maven's Surefire as skipped, both with the reason
        assertThat(tests.aborted().list()).singleElement().satisfies(e -> assertThat(
                e.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow().getMessage())
                .contains("the toy's gradient is doubled on purpose"));
        assertThat(EnumSet.allOf(Check.class)).hasSize(METHODS.size());
    }
}
