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
 * whose data is absent (the public datasets in {@code ../shared/data}, or the labelled file a
 * {@code mine} command writes first) is checked up to its data and the rest is skipped with a message.
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
        RunConfig resolved = ConfigLoader.resolve(tree); // every key and value, finetune and mining included
        assertThat(resolved.objective().name()).isNotBlank();
        assumeTrue(data == null || Files.exists(data), "skipped after resolving: " + data + " is absent (the public"
                + " datasets live in ../shared/data beside the project root; a mining config's file is written by"
                + " its `mine` command)");
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        RunPipeline pipeline = Guice.createInjector(new RunModule(resolved, loader, run)).getInstance(RunPipeline.class);
        pipeline.preflight(true);
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
