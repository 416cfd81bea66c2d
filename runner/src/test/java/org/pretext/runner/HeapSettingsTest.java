package org.pretext.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.runner.report.RunReport;

/**
 * The same seed gives the same numbers whatever the JVM's heap and collector. A garbage collection
 * before MKL's first call used to unload the library that lets MKL take its AVX-512 kernels on AMD
 * CPUs (its JNA handle was not held), so a small heap, another collector, or load on the machine
 * changed the losses in the 8th digit after one step and slowed the step: killed-and-resumed runs
 * and the README's table disagreed with runs made under other conditions.
 */
class HeapSettingsTest {
    private static final String[] RUN = {"run", "--steps", "40", "--seed", "5", "--threads", "2",
        "--set", "dataset.train-limit=1024", "--set", "dataset.test-limit=200", "--set", "training.batch-size=64",
        "--set", "probe.enabled=false", "--set", "probe.monitor-every=0"};

    @Test
    void aSmallHeapWithManyCollectionsGivesTheSameLossesAsALargeOne(@TempDir Path work) throws Exception {
        double small = finalLoss(work, "small", List.of("-Xms16m", "-Xmx1g", "-XX:+UseSerialGC"));
        double large = finalLoss(work, "large", List.of("-Xmx6g")); // G1 with young collections late
        assertThat(small).isEqualTo(large);
    }

    private static double finalLoss(Path work, String name, List<String> jvm) throws Exception {
        Path out = work.resolve(name);
        String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(RUN), java.util.stream.Stream.of(
                "--out", out.toString())).toArray(String[]::new);
        Process p = Processes.runner(work, null, jvm, args).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(log).isZero();
        return RunReport.read(out.resolve("report.json")).pretrain().finalLoss();
    }
}
