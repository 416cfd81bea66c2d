package org.pretext.datasets.text;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The id layout shared by Pretext's tokenizers: {@code 0} padding, {@code 1} mask, then the 256
 * byte tokens ({@code 2 + b} for byte b), then the tokens a tokenizer learns (characters, BPE
 * merges). Byte tokens make every UTF-8 text encodable, whatever was seen in fitting.
 */
final class ByteTokens {
    /** Padding id. */
    static final int PAD = 0;
    /** Mask id (masked language modelling). */
    static final int MASK = 1;
    /** Id of byte 0x00; byte b is {@code BYTE_BASE + b}. */
    static final int BYTE_BASE = 2;
    /** First id after the specials and the byte tokens. */
    static final int FIRST_LEARNED = BYTE_BASE + 256;

    private ByteTokens() {}

    /** The id of a byte. */
    static int ofByte(int b) {
        return BYTE_BASE + (b & 0xFF);
    }

    static boolean isSpecial(int id) {
        return id == PAD || id == MASK;
    }

    /** UTF-8 bytes to text, malformed sequences (possible in sampled text) replaced by U+FFFD. */
    static String decodeLenient(ByteArrayOutputStream bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException(e);
        }
    }

    static void checkId(int id, int vocabularySize) {
        if (id < 0 || id >= vocabularySize) {
            throw new IllegalArgumentException("token id " + id + " is outside 0.." + (vocabularySize - 1));
        }
    }
}
