package org.pretext.engine;

import org.apiguardian.api.API;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * The one folder outside a run folder that Pretext itself writes: a per-user cache for files that
 * must exist on disk to be used, today the native MKL override library ({@link MklCpuOverride}).
 * It is {@code -Dpretext.cacheDir}, else the environment variable {@code PRETEXT_CACHE_DIR}, else
 * {@code $XDG_CACHE_HOME/pretext}, else {@code ~/.cache/pretext}. Files are named by the hash of
 * their content, written to a temporary name in the same folder and renamed, so concurrent JVMs
 * share one copy and a JVM killed while writing leaves only a temporary file, which the next start
 * removes. Nothing is written to {@code java.io.tmpdir}.
 */
@API(status = API.Status.INTERNAL, since = "0.2")
public final class UserCache {
    /** Temporary files older than this are leftovers of a killed writer. */
    private static final long STALE_MILLIS = 10 * 60 * 1000L;

    private UserCache() {}

    /** The cache folder (not created). */
    public static Path folder() {
        String p = System.getProperty("pretext.cacheDir");
        if (p == null || p.isBlank()) {
            p = System.getenv("PRETEXT_CACHE_DIR");
        }
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("pretext");
    }

    /**
     * The cached copy of {@code content} as {@code sub/prefix-HASH.suffix}, written if it is not
     * there yet. Stale temporary files of earlier writers in that subfolder are removed, and so
     * are other versions of the same file (other hashes) not used for an hour.
     *
     * @throws IOException when the folder cannot be written
     */
    public static Path file(String sub, String prefix, String suffix, byte[] content) throws IOException {
        Path dir = folder().resolve(sub);
        Files.createDirectories(dir);
        String hash = sha256(content).substring(0, 16);
        Path target = dir.resolve(prefix + "-" + hash + suffix);
        clean(dir, prefix, suffix, target);
        if (Files.isRegularFile(target) && Files.size(target) == content.length
                && sha256(Files.readAllBytes(target)).startsWith(hash)) {
            return target;
        }
        Path tmp = dir.resolve(target.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            Files.write(tmp, content);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    private static void clean(Path dir, String prefix, String suffix, Path keep) {
        long now = System.currentTimeMillis();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                boolean partial = n.contains(".tmp-");
                boolean otherVersion = n.startsWith(prefix + "-") && n.endsWith(suffix) && !p.equals(keep);
                try {
                    long age = now - Files.getLastModifiedTime(p).toMillis();
                    if ((partial && age > STALE_MILLIS) || (otherVersion && age > 6 * STALE_MILLIS)) {
                        Files.deleteIfExists(p);
                    }
                } catch (IOException e) {
                    // another JVM removed it first, or it cannot be removed: harmless either way
                }
            }
        } catch (IOException e) {
            // an unreadable cache folder is reported when the file is written
        }
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
