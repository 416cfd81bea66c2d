package org.pretext.testkit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.pretext.testkit.ObjectiveChecks.ReferenceRun;

/** The uninterrupted run of each contract test class, shared by its checks. */
final class ReferenceRuns {
    private static final Map<Class<?>, ReferenceRun> RUNS = new ConcurrentHashMap<>();

    private ReferenceRuns() {}

    static ReferenceRun of(Class<?> contract, ObjectiveFixture fixture) {
        return RUNS.computeIfAbsent(contract, c -> new ReferenceRun(fixture));
    }
}
