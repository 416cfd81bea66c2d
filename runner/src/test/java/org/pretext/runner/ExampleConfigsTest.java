package org.pretext.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.inject.Guice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pretext.runner.config.ConfigLoader;
import org.pretext.runner.config.RunConfig;
import org.pretext.runner.pipeline.RunPipeline;
import org.pretext.runner.wiring.RunModule;
import org.pretext.testing.SharedData;

/**
 * Every config in {@code examples/configs}, which the README tells users to run, still resolves
 * (every key and value valid for today's settings and providers) and passes the run's preflight on
 * its data (the dataset opens, the encoder is built for the objective, the probe's label budgets
 * fit the classes), without training. A renamed key or parameter fails here, not in a user's run.
 * Dataset paths are taken from the project root, where the README runs these configs from; a config
 * whose data is absent (the public datasets in {@code ../shared/data}) is checked up to its data and
 * the rest is skipped with a message. {@code agnews-mining.yaml} reads the split its header's first
 * command writes ({@code scripts/agnews-split.py}), which this test runs into a temporary folder.
 */
class ExampleConfigsTest {
    static Stream<Path> examples() throws IOException {
        Path dir = SharedData.projectRoot().resolve("examples/configs");
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> yaml = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
            assertThat(yaml).as("configs in " + dir).hasSizeGreaterThanOrEqualTo(14);
            return yaml.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void resolvesAndPassesThePreflight(Path config, @TempDir Path run) {
        Map<String, Object> tree = ConfigLoader.defaults();
        ConfigLoader.merge(tree, ConfigLoader.read(config));
        Path data = fromProjectRoot(tree);
        if (config.getFileName().toString().equals("agnews-mining.yaml") && data != null && !Files.exists(data)) {
            data = agnewsSplit(run.resolve("agnews")); // as its header's first command makes runs/agnews
            ConfigLoader.set(tree, "dataset.path=" + data);
        }
        RunConfig resolved = ConfigLoader.resolve(tree); // every key and value, finetune and mining included
        assertThat(resolved.objective().name()).isNotBlank();
        assumeTrue(data == null || Files.exists(data), "skipped after resolving: " + data + " is absent (the public"
                + " datasets live in ../shared/data beside the project root; agnews-mining.yaml's split is made from"
                + " ag_news/test.csv by python3 scripts/agnews-split.py)");
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        RunPipeline pipeline = Guice.createInjector(new RunModule(resolved, loader, run)).getInstance(RunPipeline.class);
        pipeline.preflight(true);
    }

    /**
     * The AG News corpus and test rows that {@code scripts/agnews-split.py} writes from
     * {@code ../shared/data/ag_news/test.csv}, written here, or {@code folder} unwritten where the data or
     * python3 is missing (the test then skips).
     */
    private static Path agnewsSplit(Path folder) {
        Path csv = SharedData.projectRoot().resolve("../shared/data/ag_news/test.csv").normalize();
        if (!Files.isReadable(csv)) {
            return folder;
        }
        try {
            Process p = new ProcessBuilder("python3", SharedData.projectRoot().resolve("scripts/agnews-split.py")
                    .toString(), csv.toString(), folder.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as("scripts/agnews-split.py: " + out).isZero();
        } catch (IOException e) {
            return folder; // no python3 here
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return folder;
    }

    /** Keys of the example configs that hold paths, relative to the project root in the files. */
    private static final List<String> PATH_KEYS = List.of("dataset.path", "dataset.dir", "mining.patterns",
            "mining.corpus");

    /**
     * Sets every relative path of {@link #PATH_KEYS} from the project root (as {@code --set KEY=...}
     * would) and returns the dataset's, or null when the dataset names no file (a bundled one).
     */
    private static Path fromProjectRoot(Map<String, Object> tree) {
        Path data = null;
        for (String key : PATH_KEYS) {
            String[] parts = key.split("\\.");
            if (tree.get(parts[0]) instanceof Map<?, ?> section && section.get(parts[1]) instanceof String s
                    && !s.isBlank() && !Path.of(s).isAbsolute()) {
                Path absolute = SharedData.projectRoot().resolve(s).normalize();
                ConfigLoader.set(tree, key + "=" + absolute);
                if (parts[0].equals("dataset")) {
                    data = absolute;
                }
            }
        }
        return data;
    }
}
