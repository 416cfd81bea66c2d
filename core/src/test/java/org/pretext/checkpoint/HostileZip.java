package org.pretext.checkpoint;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes the hostile files of the tests: ZIPs whose entries are given bytes or runs of zeros that
 * inflate to far more than they take on disk (a ZIP bomb), with a matching {@code SHA256SUMS}, so
 * that only their sizes give them away.
 */
public final class HostileZip {
    private HostileZip() {}

    /** An entry: its bytes, or {@code zeros} zero bytes deflated as they are written. */
    public record Content(byte[] bytes, long zeros) {
        public static Content of(byte[] bytes) {
            return new Content(bytes, 0);
        }

        public static Content zeros(long n) {
            return new Content(null, n);
        }
    }

    /** Writes the entries in order, then {@code SHA256SUMS} of them all. */
    public static void write(Path file, Map<String, Content> entries) throws IOException {
        StringBuilder sums = new StringBuilder();
        try (OutputStream raw = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(raw)) {
            for (Map.Entry<String, Content> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                MessageDigest md = sha256();
                Content c = e.getValue();
                if (c.bytes() != null) {
                    zip.write(c.bytes());
                    md.update(c.bytes());
                } else {
                    byte[] z = new byte[1 << 20];
                    for (long left = c.zeros(); left > 0; left -= z.length) {
                        int n = (int) Math.min(z.length, left);
                        zip.write(z, 0, n);
                        md.update(z, 0, n);
                    }
                }
                zip.closeEntry();
                sums.append(HexFormat.of().formatHex(md.digest())).append("  ").append(e.getKey()).append('\n');
            }
            zip.putNextEntry(new ZipEntry("SHA256SUMS"));
            zip.write(sums.toString().getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
    }

    /** A verified file's entries, as contents to rewrite. */
    public static Map<String, Content> entries(Path file) {
        Map<String, Content> out = new LinkedHashMap<>();
        CheckpointFile.read(file).forEach((k, v) -> out.put(k, Content.of(v)));
        return out;
    }

    /** A {@code meta.json} as an older Pretext wrote it: no declared sizes or shapes. */
    public static Content undeclared(Content meta) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = CheckpointFile.GSON.fromJson(new String(meta.bytes(), StandardCharsets.UTF_8),
                Map.class);
        m.remove(CheckpointFile.ENTRY_BYTES);
        m.remove(CheckpointFile.PARAMETERS);
        return Content.of(CheckpointFile.json(m));
    }

    /** A {@code meta.json} that declares these entry sizes instead of its own. */
    public static Content declaring(Content meta, Map<String, Long> sizes) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = CheckpointFile.GSON.fromJson(new String(meta.bytes(), StandardCharsets.UTF_8),
                Map.class);
        m.put(CheckpointFile.ENTRY_BYTES, sizes);
        return Content.of(CheckpointFile.json(m));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
