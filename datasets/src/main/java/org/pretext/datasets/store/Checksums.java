package org.pretext.datasets.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.pretext.PretextException;

/** SHA-256 digests of dataset files for provenance. */
public final class Checksums {
    private static final int SAMPLE = 1 << 20;

    private Checksums() {}

    /** A new SHA-256 digest. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The SHA-256 of a whole file, in hex. */
    public static String full(Path file) {
        MessageDigest md = sha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new PretextException("File " + file + " could not be read: " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * A quick fingerprint of a large file, in hex: the SHA-256 of its size, its first MiB and its
     * last MiB. Used for files streamed from disk, so opening them does not read them twice.
     */
    public static String sampled(Path file) {
        MessageDigest md = sha256();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            md.update(Long.toString(size).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            update(md, ch, 0, (int) Math.min(SAMPLE, size));
            if (size > SAMPLE) {
                long from = Math.max(SAMPLE, size - SAMPLE);
                update(md, ch, from, (int) (size - from));
            }
        } catch (IOException e) {
            throw new PretextException("File " + file + " could not be read: " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void update(MessageDigest md, FileChannel ch, long from, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        long pos = from;
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) {
                break;
            }
            pos += n;
        }
        b.flip();
        md.update(b);
    }

    /** The digest of a file by size: full below 256 MiB, sampled above, with the key saying which. */
    public static void record(Path file, java.util.Map<String, String> into, String name) {
        try {
            if (Files.size(file) <= 256L << 20) {
                into.put(name, full(file));
            } else {
                into.put(name + " (sampled sha256: size, first and last MiB)", sampled(file));
            }
        } catch (IOException e) {
            throw new PretextException("File " + file + " could not be read: " + e.getMessage(), e);
        }
    }
}
