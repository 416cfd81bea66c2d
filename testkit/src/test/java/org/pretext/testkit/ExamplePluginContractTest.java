package org.pretext.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * examples/plugin-example (what the archetype generates) passes the kit in the default build:
 * its main and test sources are compiled here, against the kit's own class path, and its contract
 * test is run through JUnit's EngineTestKit. (The archetype's integration test, behind the
 * archetype-it profile, builds the same project with Maven from installed artifacts.)
 */
class ExamplePluginContractTest {
    @Test
    void theExamplePluginPassesEveryCheck(@TempDir Path work) throws Exception {
        String root = System.getProperty("pretext.projectRoot", "..");
        Path example = Path.of(root, "examples/plugin-example");
        List<String> args = new ArrayList<>(List.of("-d", work.toString(), "-cp",
                System.getProperty("java.class.path"), "--release", "17", "-proc:none"));
        for (String dir : List.of("src/main/java", "src/test/java")) {
            try (Stream<Path> s = Files.walk(example.resolve(dir))) {
                s.filter(p -> p.toString().endsWith(".java")).forEach(p -> args.add(p.toString()));
            }
        }
        assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(String[]::new)))
                .as("the example compiles").isZero();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {work.toUri().toURL()},
                getClass().getClassLoader())) {
            Class<?> contract = loader.loadClass("org.example.pretext.AlignUniformObjectiveContractTest");
            Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(contract)).execute()
                    .testEvents();
            assertThat(tests.failed().list()).as("failed checks").isEmpty();
            assertThat(tests.succeeded().count()).isEqualTo(Check.values().length);
        }
        assertThat(new File(work.toFile(), "org/example/pretext/AlignUniformLoss.class")).exists();
    }
}
