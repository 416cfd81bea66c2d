package org.pretext.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.runner.report.RunReport;
import org.pretext.runtime.MallocTuning;

/**
 * {@code pretext run} does its work in a child JVM started with glibc's allocator settings for large
 * arrays ({@link MallocTuning#GLIBC_TUNABLES}); the numbers are those of a run in one JVM.
 */
class RelaunchTest {
    private static final String[] RUN = {"run", "--steps", "20", "--seed", "3", "--threads", "2",
        "--set", "dataset.train-limit=512", "--set", "dataset.test-limit=200", "--set", "training.batch-size=64",
        "--set", "probe.enabled=false", "--set", "probe.monitor-every=0"};

    @Test
    void commandsThatRunTheEngineGetAChild() {
        assertThat(Main.usesTheEngine(new String[] {"run"})).isTrue();
        assertThat(Main.usesTheEngine(new String[] {"pretrain", "--config", "x.yaml"})).isTrue();
        assertThat(Main.usesTheEngine(new String[] {})).isFalse();
        assertThat(Main.usesTheEngine(new String[] {"list"})).isFalse();
        assertThat(Main.usesTheEngine(new String[] {"run", "--help"})).isFalse();
        assertThat(Main.usesTheEngine(new String[] {"--version"})).isFalse();
    }

    @Test
    void theChildRunsWithTheSettingsAndGivesTheNumbersOfOneJvm(@TempDir Path work) throws Exception {
        assumeTrue(!MallocTuning.childEnvironment(Map.of()).isEmpty(),
                "no child JVM here (not Linux with glibc, or switched off)");
        Path child = work.resolve("child");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", Processes.classPath(), Main.class.getName()));
        cmd.addAll(List.of(RUN));
        cmd.addAll(List.of("--out", child.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true);
        pb.environment().put("DJL_OFFLINE", "true");
        pb.environment().remove(MallocTuning.TUNABLES_VARIABLE);
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(log).isZero();
        RunReport viaChild = RunReport.read(child.resolve("report.json"));
        assertThat(viaChild.provenance().versions().get("allocator")).as("the child's allocator")
                .isEqualTo("applied, GLIBC_TUNABLES=" + MallocTuning.GLIBC_TUNABLES);

        Path one = work.resolve("one");
        List<String> args = new ArrayList<>(List.of(RUN));
        args.addAll(List.of("--out", one.toString()));
        Processes.Result r = Processes.run(work, null, args.toArray(String[]::new)); // -Dpretext.glibcTunables=false
        assertThat(r.exit()).as(r.output()).isZero();
        RunReport inOneJvm = RunReport.read(one.resolve("report.json"));
        assertThat(inOneJvm.provenance().versions().get("allocator")).isEqualTo("applied, no GLIBC_TUNABLES");
        assertThat(viaChild.pretrain().finalLoss()).isEqualTo(inOneJvm.pretrain().finalLoss());
    }
}
