package org.pretext.text;

import org.apiguardian.api.API;
import java.nio.charset.StandardCharsets;

/**
 * Turns text into token ids and back. A tokenizer is fitted on the pretraining text, saved with
 * every checkpoint as plain data ({@link #toBytes()}, read back by the {@link TokenizerProvider}
 * of its {@link #kind()}), and identified by a {@link #fingerprint()} so that a model is never
 * paired with another vocabulary.
 *
 * <p>Contract: {@code decode(encode(s)).equals(s)} for every string s of valid Unicode (no unpaired
 * surrogates), including characters never seen in fitting (byte fallback or byte-level tokens).
 * Ids are {@code 0..vocabularySize()-1}; the special ids ({@link #padId()}, {@link #maskId()})
 * are never produced by {@link #encode} and are skipped by {@link #decode}.
 */
@API(status = API.Status.STABLE, since = "0.1")
public interface Tokenizer {
    /** The name of the {@link TokenizerProvider} that reads this tokenizer back, e.g. "char" or "bpe". */
    String kind();

    /** Number of token ids, specials included: the rows of a model's embedding table. */
    int vocabularySize();

    /** Token ids of a text. */
    int[] encode(String text);

    /**
     * The text of token ids. Special ids are skipped; byte tokens that do not form valid UTF-8
     * (possible in sampled text) become U+FFFD.
     *
     * @throws IllegalArgumentException for an id outside {@code 0..vocabularySize()-1}
     */
    String decode(int[] ids);

    /** The id that pads sequences on the right; never produced by {@link #encode}. */
    int padId();

    /** The id of a masked position (for masked language modelling); never produced by {@link #encode}. */
    int maskId();

    /** Whether an id is special (padding, mask) rather than text. */
    boolean isSpecial(int id);

    /** The tokenizer as plain data (UTF-8 JSON holding its {@code "kind"}), enough to rebuild it exactly. */
    byte[] toBytes();

    /** A short stable identity of the vocabulary: the first 16 hex digits of SHA-256 of {@link #toBytes()}. */
    default String fingerprint() {
        return Tokenizers.fingerprint(toBytes());
    }

    /** A description for messages, e.g. {@code "char tokenizer (323 tokens, 1a2b3c4d5e6f7a8b)"}. */
    default String describe() {
        return kind() + " tokenizer (" + vocabularySize() + " tokens, " + fingerprint() + ")";
    }

    /** UTF-8 bytes of a string (a helper for implementations). */
    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
