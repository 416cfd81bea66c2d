package org.pretext.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apiguardian.api.API;

/** Deleting a folder with everything in it, for the modules that write temporary or replaced folders. */
@API(status = API.Status.INTERNAL, since = "0.4")
public final class FileTrees {
    private FileTrees() {}

    /**
     * Deletes {@code dir} and everything under it, deepest first; nothing when it does not exist.
     *
     * @throws IOException naming the first entry that could not be deleted
     */
    public static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
