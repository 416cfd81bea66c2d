package org.pretext.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, item 11: a run writes into its run folder and Pretext's per-user cache folder, and
 * nothing into java.io.tmpdir (every JVM used to leave an empty pretext-native* folder there).
 */
class RunFootprintTest {
    @Test
    void aRunLeavesNothingInTheTempFolder(@TempDir Path dir) throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path cache = dir.resolve("user-cache");
        Path run = dir.resolve("run");
        Process p = Processes.runner(dir, null, List.of("-Djava.io.tmpdir=" + tmp, "-Dpretext.cacheDir=" + cache),
                "run", "--steps", "2", "--set", "training.batch-size=64", "--set", "dataset.train-limit=300", "--set",
                "dataset.test-limit=100", "--set", "probe.labels-per-class=all", "--set", "probe.probes=mean", "--set",
                "probe.features=pretrained", "--set", "probe.monitor-every=0", "--out", run.toString()).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(run.resolve("report.html")).exists();
        try (Stream<Path> s = Files.walk(tmp)) {
            assertThat(s.filter(f -> !f.equals(tmp)).toList()).as("left in java.io.tmpdir").isEmpty();
        }
        try (Stream<Path> s = Files.walk(cache)) {
            assertThat(s.filter(Files::isRegularFile).map(f -> cache.relativize(f).toString()).toList())
                    .singleElement().asString().matches("native/libpretext_mkl_override-[0-9a-f]{16}\\.so");
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(f -> f.getFileName().toString()).toList()).as("nothing beside the run folder")
                    .containsExactlyInAnyOrder("tmp", "user-cache", "run");
        }
    }
}
