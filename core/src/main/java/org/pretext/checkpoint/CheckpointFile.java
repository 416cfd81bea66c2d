package org.pretext.checkpoint;

import org.pretext.CheckpointException;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The on-disk container of checkpoints and exported encoders: a ZIP of named byte entries, the
 * last of which, {@code SHA256SUMS}, holds the SHA-256 of every other entry. It is written to a
 * temporary file, forced to disk and renamed into place, so a crash leaves either the old file or
 * the complete new one; reading verifies every checksum. Entries are plain data (JSON and raw
 * arrays): nothing in a file is ever deserialised as Java objects or executed.
 */
public final class CheckpointFile {
    /** Entry that describes the file: format, kind, step, provenance. */
    public static final String META = "meta.json";
    private static final String SUMS = "SHA256SUMS";
    /** Refuse entries above this size when reading (a hostile file cannot exhaust memory). */
    private static final long MAX_ENTRY_BYTES = 4L << 30;
    static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

    private CheckpointFile() {}

    /** Writes entries atomically: temporary file, fsync, rename. */
    public static void write(Path file, Map<String, byte[]> entries) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        StringBuilder sums = new StringBuilder();
        try (OutputStream raw = Files.newOutputStream(tmp, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
                ZipOutputStream zip = new ZipOutputStream(raw)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
                sums.append(sha256(e.getValue())).append("  ").append(e.getKey()).append('\n');
            }
            zip.putNextEntry(new ZipEntry(SUMS));
            zip.write(sums.toString().getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // some file systems cannot sync a directory; the rename is still atomic
        }
    }

    /**
     * Reads and verifies every entry.
     *
     * @throws CheckpointException naming the file when it is truncated, corrupt or not a checkpoint
     */
    public static Map<String, byte[]> read(Path file) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                String name = e.getName();
                if (name.contains("..") || name.startsWith("/")) {
                    throw new CheckpointException(file + " holds an entry with an unsafe name '" + name + "'");
                }
                entries.put(name, readLimited(zip, file, name));
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new CheckpointException("Checkpoint " + file + " does not exist");
        } catch (IOException | IllegalArgumentException e) {
            throw new CheckpointException("Checkpoint " + file + " is damaged or not a Pretext checkpoint ("
                    + e.getMessage() + ")", e);
        }
        byte[] sums = entries.remove(SUMS);
        if (sums == null) {
            throw new CheckpointException("Checkpoint " + file + " is truncated or not a Pretext checkpoint: no "
                    + SUMS + " entry (it is written last)");
        }
        Map<String, String> expected = new LinkedHashMap<>();
        for (String line : new String(sums, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                int sp = line.indexOf("  ");
                if (sp < 0) {
                    throw new CheckpointException("Checkpoint " + file + " has a malformed " + SUMS + " line: " + line);
                }
                expected.put(line.substring(sp + 2), line.substring(0, sp));
            }
        }
        if (!expected.keySet().equals(entries.keySet())) {
            throw new CheckpointException("Checkpoint " + file + " lists entries " + expected.keySet()
                    + " but holds " + entries.keySet());
        }
        for (Map.Entry<String, byte[]> en : entries.entrySet()) {
            if (!sha256(en.getValue()).equals(expected.get(en.getKey()))) {
                throw new CheckpointException("Checkpoint " + file + " is corrupt: checksum mismatch in entry '"
                        + en.getKey() + "'");
            }
        }
        if (!entries.containsKey(META)) {
            throw new CheckpointException("Checkpoint " + file + " has no " + META + " entry");
        }
        return entries;
    }

    /** Parses the meta entry as a JSON object. */
    public static Map<String, Object> meta(Path file, Map<String, byte[]> entries) {
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = GSON.fromJson(new String(entries.get(META), StandardCharsets.UTF_8), Map.class);
            if (m == null) {
                throw new JsonParseException("empty");
            }
            return m;
        } catch (JsonParseException e) {
            throw new CheckpointException("Checkpoint " + file + " has a malformed " + META + ": " + e.getMessage(), e);
        }
    }

    /** JSON bytes of an object (maps, records, numbers, strings). */
    public static byte[] json(Object o) {
        return GSON.toJson(o).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] readLimited(InputStream in, Path file, String name) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > MAX_ENTRY_BYTES) {
                throw new CheckpointException("Checkpoint " + file + " entry '" + name + "' exceeds 4 GiB");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** Stream over an entry's bytes. */
    public static InputStream open(Map<String, byte[]> entries, String name) {
        byte[] b = entries.get(name);
        if (b == null) {
            throw new CheckpointException("checkpoint has no entry '" + name + "'");
        }
        return new ByteArrayInputStream(b);
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
