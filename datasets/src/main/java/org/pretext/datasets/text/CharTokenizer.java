package org.pretext.datasets.text;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.pretext.text.Tokenizer;

/**
 * Character-level tokenizer (as nanoGPT's Shakespeare model): one token per Unicode code point
 * seen in the fitting text, and a compact byte fallback for any other character: each byte of its
 * UTF-8 encoding is written as two hexadecimal-digit tokens (high nibble, low nibble), so every
 * text round-trips with only 16 fallback ids rather than 256, which keeps the output layer close to
 * the character set (Tiny Shakespeare: 65 characters, 83 ids). Ids: padding 0, mask 1, nibbles
 * 2..17, the seen code points in ascending order from 18.
 */
public final class CharTokenizer implements Tokenizer {
    /** The provider name. */
    public static final String KIND = "char";
    /** Id of the nibble 0; nibble n is {@code NIBBLE_BASE + n}. */
    static final int NIBBLE_BASE = 2;
    /** Id of the first seen code point. */
    static final int FIRST_CHAR = NIBBLE_BASE + 16;
    /** Format version of {@link #toBytes()}. */
    static final int VERSION = 2;
    private final int[] codePoints;
    private final Map<Integer, Integer> ids;
    private final byte[][] bytesOf;
    private final byte[] data;

    /** A tokenizer of the given code points (sorted and deduplicated here). */
    public CharTokenizer(int[] codePoints) {
        this.codePoints = Arrays.stream(codePoints).distinct().sorted().toArray();
        this.ids = new HashMap<>();
        this.bytesOf = new byte[this.codePoints.length][];
        for (int i = 0; i < this.codePoints.length; i++) {
            ids.put(this.codePoints[i], FIRST_CHAR + i);
            bytesOf[i] = Character.toString(this.codePoints[i]).getBytes(StandardCharsets.UTF_8);
        }
        JsonObject o = new JsonObject();
        o.addProperty("kind", KIND);
        o.addProperty("version", VERSION);
        JsonArray cps = new JsonArray();
        for (int cp : this.codePoints) {
            cps.add(cp);
        }
        o.add("codePoints", cps);
        this.data = o.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Fits on a text: its distinct code points. */
    public static CharTokenizer fit(String text) {
        TreeSet<Integer> seen = new TreeSet<>();
        text.codePoints().forEach(seen::add);
        return new CharTokenizer(seen.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The code points with their own token, ascending. */
    public int[] codePoints() {
        return codePoints.clone();
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public int vocabularySize() {
        return FIRST_CHAR + codePoints.length;
    }

    @Override
    public int[] encode(String text) {
        int[] out = new int[text.length() * 2];
        int n = 0;
        for (int i = 0; i < text.length();) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            Integer id = ids.get(cp);
            if (out.length - n < 8) {
                out = Arrays.copyOf(out, out.length * 2 + 8);
            }
            if (id != null) {
                out[n++] = id;
            } else {
                for (byte b : Character.toString(cp).getBytes(StandardCharsets.UTF_8)) {
                    out[n++] = NIBBLE_BASE + ((b >> 4) & 0xF);
                    out[n++] = NIBBLE_BASE + (b & 0xF);
                }
            }
        }
        return Arrays.copyOf(out, n);
    }

    @Override
    public String decode(int[] tokens) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(tokens.length + 16);
        int v = vocabularySize();
        int high = -1; // a pending high nibble
        for (int id : tokens) {
            ByteTokens.checkId(id, v);
            if (id >= NIBBLE_BASE && id < FIRST_CHAR) {
                if (high < 0) {
                    high = id - NIBBLE_BASE;
                } else {
                    bytes.write(high << 4 | (id - NIBBLE_BASE));
                    high = -1;
                }
                continue;
            }
            if (high >= 0) { // a lone nibble (possible in sampled text): an invalid byte, shown as U+FFFD
                bytes.write(0xFF);
                high = -1;
            }
            if (id >= FIRST_CHAR) {
                bytes.writeBytes(bytesOf[id - FIRST_CHAR]);
            }
        }
        if (high >= 0) {
            bytes.write(0xFF);
        }
        return ByteTokens.decodeLenient(bytes);
    }

    @Override
    public int padId() {
        return ByteTokens.PAD;
    }

    @Override
    public int maskId() {
        return ByteTokens.MASK;
    }

    @Override
    public boolean isSpecial(int id) {
        return ByteTokens.isSpecial(id);
    }

    @Override
    public byte[] toBytes() {
        return data.clone();
    }

    @Override
    public String toString() {
        return describe();
    }
}
