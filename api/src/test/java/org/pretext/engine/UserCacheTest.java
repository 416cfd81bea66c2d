package org.pretext.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 17, item 11: the per-user cache is written once, reused, and cleaned of killed writers' leftovers. */
class UserCacheTest {
    @Test
    void writesOnceReusesAndCleansStaleLeftovers(@TempDir Path dir) throws Exception {
        String old = System.getProperty("pretext.cacheDir");
        System.setProperty("pretext.cacheDir", dir.toString());
        try {
            byte[] v1 = "library one".getBytes();
            Path first = UserCache.file("native", "libx", ".so", v1);
            assertThat(first.getParent()).isEqualTo(dir.resolve("native"));
            assertThat(first.getFileName().toString()).matches("libx-[0-9a-f]{16}\\.so");
            FileTime written = Files.getLastModifiedTime(first);
            Files.setLastModifiedTime(first, FileTime.fromMillis(written.toMillis() - 3_600_000L));
            assertThat(UserCache.file("native", "libx", ".so", v1)).isEqualTo(first);
            assertThat(Files.getLastModifiedTime(first).toMillis()).as("reused, not rewritten")
                    .isEqualTo(written.toMillis() - 3_600_000L);

            Path killed = dir.resolve("native/" + first.getFileName() + ".tmp-4242-1");
            Files.writeString(killed, "half a libr");
            Files.setLastModifiedTime(killed, FileTime.fromMillis(System.currentTimeMillis() - 3_600_000L));
            Path writing = dir.resolve("native/" + first.getFileName() + ".tmp-4343-2");
            Files.writeString(writing, "being written now");
            Path second = UserCache.file("native", "libx", ".so", "library two".getBytes());
            assertThat(second).isNotEqualTo(first);
            assertThat(killed).as("a killed writer's temporary file").doesNotExist();
            assertThat(writing).as("a concurrent writer's temporary file").exists();
            assertThat(first).as("the other version, unused for an hour").doesNotExist();
            assertThat(Files.readString(second)).isEqualTo("library two");
            try (Stream<Path> s = Files.list(dir.resolve("native"))) {
                assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                        second.getFileName().toString(), writing.getFileName().toString());
            }
        } finally {
            if (old == null) {
                System.clearProperty("pretext.cacheDir");
            } else {
                System.setProperty("pretext.cacheDir", old);
            }
        }
    }
}
