package org.pretext.datasets.text;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pretext.text.Tokenizer;

/**
 * Byte-level byte-pair encoding as in GPT-2 (Sennrich et al. 2016; Radford et al. 2019): text is
 * split into pre-tokens by GPT-2's pattern (words with their leading space, numbers, punctuation
 * runs, whitespace), each pre-token's UTF-8 bytes are the initial symbols, and the learned merges
 * are applied in the order they were learned. Every byte has a token, so any UTF-8 text
 * round-trips. Ids: padding 0, mask 1, bytes 2..257, merge r is id 258 + r.
 *
 * <p>Trained by {@link BpeTrainer}; serialised as its merge list (plain JSON).
 */
public final class BpeTokenizer implements Tokenizer {
    /** The provider name. */
    public static final String KIND = "bpe";
    /** GPT-2's pre-tokenisation pattern. */
    public static final String GPT2_PATTERN =
            "'(?:[sdmt]|ll|ve|re)| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    private static final int CACHE_LIMIT = 1 << 18;
    private final Pattern pattern;
    private final int[][] merges;
    private final Map<Long, Integer> rank;
    private final byte[][] bytesOf;
    private final byte[] data;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param merges pairs of ids (a, b); merge r creates id 258 + r and may use only earlier ids
     * @param pattern the pre-tokenisation regular expression
     */
    public BpeTokenizer(int[][] merges, String pattern) {
        this.pattern = Pattern.compile(pattern);
        this.merges = new int[merges.length][];
        this.rank = new HashMap<>();
        int v = ByteTokens.FIRST_LEARNED + merges.length;
        this.bytesOf = new byte[v][];
        for (int b = 0; b < 256; b++) {
            bytesOf[ByteTokens.BYTE_BASE + b] = new byte[] {(byte) b};
        }
        for (int r = 0; r < merges.length; r++) {
            int a = merges[r][0];
            int b = merges[r][1];
            int id = ByteTokens.FIRST_LEARNED + r;
            if (merges[r].length != 2 || a < ByteTokens.BYTE_BASE || b < ByteTokens.BYTE_BASE || a >= id || b >= id) {
                throw new IllegalArgumentException("merge " + r + " " + Arrays.toString(merges[r])
                        + " must join two earlier non-special ids");
            }
            this.merges[r] = new int[] {a, b};
            if (rank.putIfAbsent(key(a, b), r) != null) {
                throw new IllegalArgumentException("merge " + r + " " + Arrays.toString(merges[r]) + " is repeated");
            }
            byte[] x = bytesOf[a];
            byte[] y = bytesOf[b];
            byte[] xy = Arrays.copyOf(x, x.length + y.length);
            System.arraycopy(y, 0, xy, x.length, y.length);
            bytesOf[id] = xy;
        }
        JsonObject o = new JsonObject();
        o.addProperty("kind", KIND);
        o.addProperty("version", 1);
        o.addProperty("pattern", pattern);
        JsonArray ms = new JsonArray();
        for (int[] m : this.merges) {
            JsonArray p = new JsonArray();
            p.add(m[0]);
            p.add(m[1]);
            ms.add(p);
        }
        o.add("merges", ms);
        this.data = o.toString().getBytes(StandardCharsets.UTF_8);
    }

    static long key(int a, int b) {
        return ((long) a << 32) | (b & 0xffffffffL);
    }

    /** The learned merges, in order. */
    public int[][] merges() {
        int[][] out = new int[merges.length][];
        for (int i = 0; i < merges.length; i++) {
            out[i] = merges[i].clone();
        }
        return out;
    }

    /** The pre-tokenisation pattern. */
    public String pattern() {
        return pattern.pattern();
    }

    /** The bytes a token stands for (empty for specials). */
    public byte[] bytesOf(int id) {
        ByteTokens.checkId(id, vocabularySize());
        return bytesOf[id] == null ? new byte[0] : bytesOf[id].clone();
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public int vocabularySize() {
        return ByteTokens.FIRST_LEARNED + merges.length;
    }

    @Override
    public int[] encode(String text) {
        int[] out = new int[Math.max(16, text.length())];
        int n = 0;
        Matcher m = pattern.matcher(text);
        int last = 0;
        while (m.find()) {
            if (m.start() > last) { // text the pattern skipped (cannot happen with GPT-2's, which matches everything)
                int[] gap = encodeWord(text.substring(last, m.start()));
                out = append(out, n, gap);
                n += gap.length;
            }
            int[] w = encodeWord(m.group());
            out = append(out, n, w);
            n += w.length;
            last = m.end();
        }
        if (last < text.length()) {
            int[] w = encodeWord(text.substring(last));
            out = append(out, n, w);
            n += w.length;
        }
        return Arrays.copyOf(out, n);
    }

    private static int[] append(int[] out, int n, int[] w) {
        if (n + w.length > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, n + w.length));
        }
        System.arraycopy(w, 0, out, n, w.length);
        return out;
    }

    /** The tokens of one pre-token: its bytes, merged by rank until no learned pair is left. */
    int[] encodeWord(String word) {
        int[] cached = cache.get(word);
        if (cached != null) {
            return cached;
        }
        byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
        int[] s = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            s[i] = ByteTokens.ofByte(bytes[i]);
        }
        int n = s.length;
        while (n > 1) {
            int best = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < n; i++) {
                Integer r = rank.get(key(s[i], s[i + 1]));
                if (r != null && r < best) {
                    best = r;
                }
            }
            if (best == Integer.MAX_VALUE) {
                break;
            }
            int a = merges[best][0];
            int b = merges[best][1];
            int id = ByteTokens.FIRST_LEARNED + best;
            int w = 0;
            for (int i = 0; i < n; i++) {
                if (i + 1 < n && s[i] == a && s[i + 1] == b) {
                    s[w++] = id;
                    i++;
                } else {
                    s[w++] = s[i];
                }
            }
            n = w;
        }
        int[] result = Arrays.copyOf(s, n);
        if (cache.size() < CACHE_LIMIT) {
            cache.put(word, result);
        }
        return result;
    }

    @Override
    public String decode(int[] tokens) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(tokens.length * 4);
        int v = vocabularySize();
        for (int id : tokens) {
            ByteTokens.checkId(id, v);
            if (bytesOf[id] != null) {
                bytes.writeBytes(bytesOf[id]);
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
