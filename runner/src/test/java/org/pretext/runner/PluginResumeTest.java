package org.pretext.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run folders remember their plug-ins (issue 14, item 8): a run made with {@code --plugins}
 * records the jar of each plug-in provider (name, version, SHA-256) in {@code plugins.json} and its
 * provenance; {@code --resume} finds the jar again without the flag while it is where it was, and
 * names the jar and the {@code --plugins} flag when it is not.
 */
class PluginResumeTest {
    @Test
    @SuppressWarnings("unchecked")
    void aRunRemembersItsPluginJarAndResumeFindsItOrNamesIt(@TempDir Path work) throws Exception {
        Path jar = PluginTest.buildExamplePlugin(work);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(jar)));
        Path run = work.resolve("run");
        String[] tail = {"--steps", "20", "--set", "dataset.train-limit=512", "--set", "dataset.test-limit=200",
            "--set", "training.batch-size=64", "--set", "training.checkpoint-every=10", "--set", "probe.enabled=false"};
        HostileInputTest.Outcome first = HostileInputTest.run(concat(new String[] {"run", "--plugins",
            jar.getParent().toString(), "--objective", "align-uniform", "--out", run.toString()}, tail));
        assertThat(first.exit()).as(first.err()).isZero();

        List<Map<String, Object>> recorded = new Gson().fromJson(Files.readString(run.resolve("plugins.json")), List.class);
        assertThat(recorded).singleElement().satisfies(j -> assertThat(j).containsEntry("kind", "objective")
                .containsEntry("provider", "align-uniform").containsEntry("version", "1")
                .containsEntry("jar", jar.toAbsolutePath().toString()).containsEntry("sha256", sha));
        Map<String, Object> report = new Gson().fromJson(Files.readString(run.resolve("report.json")), Map.class);
        assertThat(((Map<String, Object>) report.get("provenance")).get("plugins").toString()).contains(sha);

        // unfinished (no report): --resume finds the jar where the run found it, with no --plugins
        Files.delete(run.resolve("report.json"));
        HostileInputTest.Outcome resumed = HostileInputTest.run("run", "--resume", run.toString());
        assertThat(resumed.exit()).as(resumed.err()).isZero();
        assertThat(run.resolve("report.json")).exists();

        // the jar moved: the error names it, the objective and the flag
        Path moved = Files.createDirectories(work.resolve("elsewhere")).resolve(jar.getFileName());
        Files.move(jar, moved);
        Files.delete(run.resolve("report.json"));
        HostileInputTest.Outcome lost = HostileInputTest.run("run", "--resume", run.toString());
        assertThat(lost.exit()).isEqualTo(2);
        assertThat(lost.err()).contains("was made with objective 'align-uniform' (version 1) from plug-in jar"
                + " align-uniform-plugin.jar (SHA-256 " + sha.substring(0, 12) + "…)").contains("is not there any more")
                .contains("pass the folder that holds that jar with --plugins DIR");
        HostileInputTest.Outcome found = HostileInputTest.run("run", "--resume", run.toString(), "--plugins",
                moved.getParent().toString());
        assertThat(found.exit()).as(found.err()).isZero();
    }

    private static String[] concat(String[] a, String[] b) {
        return java.util.stream.Stream.concat(java.util.Arrays.stream(a), java.util.Arrays.stream(b))
                .toArray(String[]::new);
    }
}
