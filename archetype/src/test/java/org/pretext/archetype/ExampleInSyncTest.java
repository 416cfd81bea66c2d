package org.pretext.archetype;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * examples/plugin-example is what the archetype generates for align-uniform: the templates, with
 * the example's properties put in as Velocity would, give the example's files byte for byte, and
 * the example has no other file. (The templates use plain ${...} references only, so putting the
 * values in is the whole of Velocity's work here.) Regenerate the example after changing the
 * archetype; docs/plugin-guide.md gives the command.
 */
class ExampleInSyncTest {
    private static final Map<String, String> PROPERTIES = Map.of("groupId", "org.example", "artifactId",
            "align-uniform-plugin", "version", "1.0", "package", "org.example.pretext", "objectiveName",
            "align-uniform", "className", "AlignUniform", "pretextVersion", "0.1.0-SNAPSHOT");

    private static Path root() {
        String p = System.getProperty("pretext.projectRoot");
        return p != null ? Path.of(p) : Path.of("..");
    }

    @Test
    void theExamplePluginIsTheArchetypesOutput() throws IOException {
        Path templates = root().resolve("archetype/src/main/resources/archetype-resources");
        Path example = root().resolve("examples/plugin-example");
        Map<String, String> expected = new TreeMap<>();
        try (Stream<Path> s = Files.walk(templates)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                String rel = templates.relativize(f).toString().replace('\\', '/');
                if (rel.endsWith(".java")) { // packaged: under the package's folders
                    String dir = rel.substring(0, rel.lastIndexOf("java/") + 5);
                    rel = dir + PROPERTIES.get("package").replace('.', '/') + "/" + rel.substring(dir.length());
                }
                expected.put(render(rel.replace("__className__", PROPERTIES.get("className"))),
                        render(Files.readString(f)));
            }
        }
        Map<String, String> actual = new TreeMap<>();
        try (Stream<Path> s = Files.walk(example)) {
            for (Path f : s.filter(Files::isRegularFile).filter(f -> !example.relativize(f).startsWith("target"))
                    .toList()) {
                actual.put(example.relativize(f).toString().replace('\\', '/'), Files.readString(f));
            }
        }
        assertThat(actual.keySet()).as("files of examples/plugin-example").isEqualTo(expected.keySet());
        expected.forEach((file, text) -> assertThat(actual.get(file)).as(file).isEqualTo(text));
    }

    private static String render(String text) {
        String out = text;
        for (Map.Entry<String, String> e : PROPERTIES.entrySet()) {
            out = out.replace("${" + e.getKey() + "}", e.getValue());
        }
        assertThat(out).as("a template reference left unfilled").doesNotContainPattern("\\$\\{");
        return out;
    }
}
