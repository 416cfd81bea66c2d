package org.pretext.testkit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The contract every objective plug-in should pass, as JUnit 5 tests. Implement it in one test
 * class and give the fixture:
 *
 * <pre>{@code
 * class MyObjectiveContractTest implements ObjectiveContract {
 *     @Override
 *     public ObjectiveFixture fixture() {
 *         return ObjectiveFixture.of(new MyObjectiveProvider(), Map.of("temperature", 0.2));
 *     }
 * }
 * }</pre>
 *
 * Each check trains the objective briefly with pretext-core's loop on the fixture's data and
 * encoder (see {@link ObjectiveChecks} for what each proves). A check the fixture exempts is
 * reported as skipped (aborted, in JUnit's words), with the fixture's reason. The uninterrupted
 * run that three checks compare with is made once per test class, so {@link #fixture()} must
 * describe the same fixture every time it is called.
 */
public interface ObjectiveContract {
    /** The objective under test and what to run it on; called once per check. */
    ObjectiveFixture fixture();

    @Test
    @DisplayName("loss is finite and falls over a short run")
    default void lossIsFiniteAndFalls() {
        check(Check.LOSS_FALLS);
    }

    @Test
    @DisplayName("gradients agree with central finite differences")
    default void gradientsAgreeWithFiniteDifferences() {
        check(Check.GRADIENTS);
    }

    @Test
    @DisplayName("the same seed gives bit-identical losses")
    default void sameSeedGivesTheSameLosses() {
        check(Check.SAME_SEED);
    }

    @Test
    @DisplayName("resuming from a mid-run checkpoint continues exactly")
    default void resumeFromSavedStateIsExact() {
        check(Check.EXACT_RESUME);
    }

    @Test
    @DisplayName("a step leaves no arrays behind")
    default void noArraysAreLeftAfterAStep() {
        check(Check.NO_ARRAYS_LEFT);
    }

    @Test
    @DisplayName("bad parameters are refused with a message naming the key")
    default void parametersAreValidatedByName() {
        check(Check.PARAMETERS);
    }

    @Test
    @DisplayName("one step on several CPU replicas is one step on one (objectives that declare a distribution)")
    default void oneStepOnSeveralReplicasIsOneStepOnOne() {
        ObjectiveFixture f = fixture();
        if (f.newObjective().distribution() == org.pretext.objective.Distribution.SINGLE_DEVICE) {
            Assumptions.abort("the objective declares Distribution.SINGLE_DEVICE: it is trained on one device");
        }
        check(Check.DATA_PARALLEL);
    }

    private void check(Check check) {
        ObjectiveFixture f = fixture();
        f.exemption(check).ifPresent(reason -> Assumptions.abort(
                "exempt from '" + check.title() + "' by the fixture: " + reason));
        ObjectiveChecks.run(check, f, ReferenceRuns.of(getClass(), f));
    }
}
