package org.pretext.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.runner.report.RunReport;
import org.pretext.testing.SharedData;

/**
 * Builds the example plug-in of examples/plugin-example from its sources against the api alone,
 * puts its jar on a fresh runner process's class path (and in a --plugins folder), and sees it
 * listed and trained.
 */
class PluginTest {
    static Path buildExamplePlugin(Path work) throws IOException {
        return buildPlugin(work, "examples/plugin-example", "align-uniform-plugin.jar");
    }

    /**
     * Compiles the main sources of an example plug-in project against the api alone and jars them,
     * with its resources (the service file), into {@code work/plugins/JAR}.
     */
    static Path buildPlugin(Path work, String projectDir, String jarName) throws IOException {
        Path project = SharedData.projectRoot().resolve(projectDir);
        Path classes = work.resolve("classes");
        Files.createDirectories(classes);
        List<String> sources = new ArrayList<>();
        try (Stream<Path> s = Files.walk(project.resolve("src/main/java"))) {
            s.filter(p -> p.toString().endsWith(".java")).forEach(p -> sources.add(p.toString()));
        }
        // compile against pretext-api and what it brings (DJL's engine-neutral api, apiguardian) only,
        // as a plug-in author does: no pretext-core, no PyTorch engine classes
        String apiOnly = apiClassPath();
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-cp", apiOnly, "--release", "17"));
        args.addAll(sources);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac.run(null, null, null, args.toArray(String[]::new))).as(projectDir + " compiles against the api").isZero();
        Path jar = work.resolve("plugins/" + jarName);
        Files.createDirectories(jar.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            add(out, classes, classes);
            Path services = project.resolve("src/main/resources");
            add(out, services, services);
        }
        return jar;
    }

    /** pretext-api and what it brings (DJL's engine-neutral api, apiguardian): no core, no PyTorch engine. */
    static String apiClassPath() {
        return Stream.of(Processes.classPath().split(java.io.File.pathSeparator))
                .filter(e -> e.replace('\\', '/').matches(".*(/api/target/classes|/pretext-api-[^/]*\\.jar|/ai/djl/api/.*|/apiguardian-api-.*)"))
                .reduce((a, b) -> a + java.io.File.pathSeparator + b).orElseThrow();
    }

    private static void add(JarOutputStream out, Path root, Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(root.relativize(p).toString().replace('\\', '/')));
                try (var in = Files.newInputStream(p)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
        }
    }

    @Test
    void examplePluginIsListedAndTrainsInAFreshRunner(@TempDir Path work) throws Exception {
        Path jar = buildExamplePlugin(work);
        Processes.Result list = Processes.run(work, jar.toString(), "list");
        assertThat(list.exit()).as(list.output()).isZero();
        assertThat(list.output()).contains("align-uniform — Alignment and uniformity").contains(jar.toString());
        assertThat(list.output()).as("list shows the text feature maps too").contains("feature maps:")
                .contains("conditional-mean — ").contains("last-token — ").contains("mean — ");

        Processes.Result run = Processes.run(work, null, "run", "--plugins", jar.getParent().toString(),
                "--objective", "align-uniform", "--steps", "30", "--set", "dataset.train-limit=1024",
                "--set", "dataset.test-limit=500", "--set", "training.batch-size=128", "--set", "probe.enabled=false",
                "--out", work.resolve("run").toString());
        assertThat(run.exit()).as(run.output()).isZero();
        RunReport r = RunReport.read(work.resolve("run/report.json"));
        assertThat(r.objective()).isEqualTo("align-uniform");
        assertThat(r.pretrain().steps()).isEqualTo(30);
        // alignment ≥ 0 and uniformity ≥ −4 (t = 2, unit vectors): the loss is bounded below by −4
        assertThat(r.pretrain().finalLoss()).isBetween(-4.0, 2.0);
    }

    @Test
    void pluginBuiltAgainstAnotherSpiIsRefusedByName(@TempDir Path work) throws Exception {
        Path jar = buildExamplePlugin(work);
        // rewrite the provider so spiVersion() returns another version, as an incompatible build would
        Path src = work.resolve("src/org/example/pretext");
        Files.createDirectories(src);
        Path original = SharedData.projectRoot().resolve(
                "examples/plugin-example/src/main/java/org/example/pretext/AlignUniformObjectiveProvider.java");
        Files.writeString(src.resolve("AlignUniformObjectiveProvider.java"),
                Files.readString(original).replace("super(Versions.SPI_VERSION,", "super(99,"));
        String apiOnly = apiClassPath();
        Path classes = work.resolve("classes");
        assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), "-cp",
                apiOnly + java.io.File.pathSeparator + classes, "--release", "17",
                src.resolve("AlignUniformObjectiveProvider.java").toString())).isZero();
        Files.delete(jar);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            add(out, classes, classes);
            Path services = SharedData.projectRoot().resolve("examples/plugin-example/src/main/resources");
            add(out, services, services);
        }
        Processes.Result list = Processes.run(work, jar.toString(), "list");
        assertThat(list.exit()).isZero();
        assertThat(list.output()).doesNotContain("align-uniform —")
                .contains("problem: objective provider org.example.pretext.AlignUniformObjectiveProvider in " + jar)
                .contains("SPI version 99");
    }

}
