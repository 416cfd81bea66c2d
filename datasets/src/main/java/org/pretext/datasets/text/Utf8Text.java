package org.pretext.datasets.text;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import org.pretext.PretextException;

/**
 * Reads a file as strict UTF-8: an invalid byte sequence is an error naming the file, the line and
 * the byte; a leading byte-order mark is dropped.
 */
final class Utf8Text {
    private Utf8Text() {}

    /** A file's text and its SHA-256. */
    record Read(String text, String sha256) {}

    static Read read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new PretextException("The text file " + file + " does not exist");
        } catch (IOException e) {
            throw new PretextException("The text file " + file + " could not be read: " + e.getMessage(), e);
        }
        return new Read(decode(bytes, file), sha256(bytes));
    }

    static String decode(byte[] bytes, Path file) {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult r = dec.decode(in, out, true);
        if (r.isError()) {
            int pos = in.position();
            int line = 1;
            for (int i = 0; i < pos; i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            throw new PretextException(String.format(Locale.ROOT,
                    "%s:%d: invalid UTF-8 (byte 0x%02X at offset %d): expected UTF-8 text; convert the file, e.g."
                            + " with iconv -f latin1 -t utf-8", file, line, bytes[pos] & 0xFF, pos));
        }
        dec.flush(out);
        out.flip();
        String s = out.toString();
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
