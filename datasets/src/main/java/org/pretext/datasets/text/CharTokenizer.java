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
 * seen in the fitting text, and byte fallback for any other character, which is written as the
 * byte tokens of its UTF-8 encoding, so every text round-trips. Ids: padding 0, mask 1, bytes
 * 2..257, the seen code points in ascending order from 258.
 */
public final class CharTokenizer implements Tokenizer {
    /** The provider name. */
    public static final String KIND = "char";
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
            ids.put(this.codePoints[i], ByteTokens.FIRST_LEARNED + i);
            bytesOf[i] = Character.toString(this.codePoints[i]).getBytes(StandardCharsets.UTF_8);
        }
        JsonObject o = new JsonObject();
        o.addProperty("kind", KIND);
        o.addProperty("version", 1);
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
        return ByteTokens.FIRST_LEARNED + codePoints.length;
    }

    @Override
    public int[] encode(String text) {
        int[] out = new int[text.length() * 2];
        int n = 0;
        for (int i = 0; i < text.length();) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            Integer id = ids.get(cp);
            if (out.length - n < 4) {
                out = Arrays.copyOf(out, out.length * 2 + 4);
            }
            if (id != null) {
                out[n++] = id;
            } else {
                for (byte b : Character.toString(cp).getBytes(StandardCharsets.UTF_8)) {
                    out[n++] = ByteTokens.ofByte(b);
                }
            }
        }
        return Arrays.copyOf(out, n);
    }

    @Override
    public String decode(int[] tokens) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(tokens.length + 16);
        int v = vocabularySize();
        for (int id : tokens) {
            ByteTokens.checkId(id, v);
            if (id >= ByteTokens.FIRST_LEARNED) {
                bytes.writeBytes(bytesOf[id - ByteTokens.FIRST_LEARNED]);
            } else if (id >= ByteTokens.BYTE_BASE) {
                bytes.write(id - ByteTokens.BYTE_BASE);
            }
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
