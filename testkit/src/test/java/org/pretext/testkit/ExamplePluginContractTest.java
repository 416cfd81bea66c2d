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
import org.junit.platform.engine.discovery.ClassSelector;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The example plug-ins pass the kit in the default build: examples/plugin-example (what the
 * archetype generates) and examples/dino-plugin (DINO, with an EMA teacher). Each one's main and
 * test sources are compiled here, against the kit's own class path, and its tests are run through
 * JUnit's EngineTestKit. (The archetype's integration test, behind the archetype-it profile, builds
 * the first with Maven from installed artifacts.)
 */
class ExamplePluginContractTest {
    @Test
    void theExamplePluginPassesEveryCheck(@TempDir Path work) throws Exception {
        compile("examples/plugin-example", work);
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

    @Test
    void theDinoExamplePassesEveryCheckAndItsOwnTests(@TempDir Path work) throws Exception {
        compile("examples/dino-plugin", work);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {work.toUri().toURL()},
                getClass().getClassLoader())) {
            List<ClassSelector> selectors = new ArrayList<>();
            for (String test : List.of("DinoObjectiveContractTest", "DinoLossTest", "DinoHooksTest")) {
                selectors.add(selectClass(loader.loadClass("org.example.dino." + test)));
            }
            Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectors.toArray(ClassSelector[]::new))
                    .execute().testEvents();
            assertThat(tests.failed().list()).as("failed tests").isEmpty();
            assertThat(tests.skipped().list()).as("skipped tests").isEmpty();
            // the contract's checks, five tests of the loss, two of the hooks
            assertThat(tests.succeeded().count()).isEqualTo(Check.values().length + 5 + 2);
        }
    }

    private static void compile(String project, Path out) throws Exception {
        String root = System.getProperty("pretext.projectRoot", "..");
        Path example = Path.of(root, project);
        List<String> args = new ArrayList<>(List.of("-d", out.toString(), "-cp",
                System.getProperty("java.class.path"), "--release", "17", "-proc:none"));
        for (String dir : List.of("src/main/java", "src/test/java")) {
            try (Stream<Path> s = Files.walk(example.resolve(dir))) {
                s.filter(p -> p.toString().endsWith(".java")).forEach(p -> args.add(p.toString()));
            }
        }
        assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(String[]::new)))
                .as(project + " compiles").isZero();
    }
}
