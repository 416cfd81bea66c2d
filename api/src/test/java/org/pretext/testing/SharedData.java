package org.pretext.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The public datasets in {@code ../shared/data} relative to the project root. Tests that need them
 * call {@link #require}, which skips the test with a clear message where the folder is absent (a
 * user's machine, a clone without it).
 */
public final class SharedData {
    private SharedData() {}

    /** The project root: the {@code pretext.projectRoot} property set by the build, else the working dir's parent. */
    public static Path projectRoot() {
        String root = System.getProperty("pretext.projectRoot");
        return root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
    }

    /** {@code ../shared/data/NAME}, or the test is skipped with a message naming the folder. */
    public static Path require(String name) {
        Path dir = projectRoot().resolve("../shared/data").resolve(name).normalize();
        assumeTrue(Files.isDirectory(dir), "skipped: " + dir + " is absent (the public datasets live in ../shared/data"
                + " beside the project root; see ../shared/data/README.md)");
        return dir;
    }
}
