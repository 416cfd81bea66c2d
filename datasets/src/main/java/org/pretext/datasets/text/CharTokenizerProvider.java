package org.pretext.datasets.text;

import org.pretext.registry.ProviderBase;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import org.pretext.Versions;
import org.pretext.param.Param;
import org.pretext.text.Tokenizer;
import org.pretext.text.TokenizerProvider;

/** {@code char}: one token per character seen in the pretraining text, byte fallback for the rest. */
public final class CharTokenizerProvider extends ProviderBase implements TokenizerProvider {
    public CharTokenizerProvider() {
        super(Versions.SPI_VERSION, CharTokenizer.KIND, "Character-level: a token per character of the pretraining text, UTF-8 byte fallback (hex digits) for others",
                List.of());
    }

    @Override
    public Tokenizer fit(String corpus, int vocabularySize) {
        return CharTokenizer.fit(corpus);
    }

    @Override
    public Tokenizer read(byte[] data, String source) {
        JsonObject o = TokenizerJson.parse(data, source, CharTokenizer.KIND, CharTokenizer.VERSION);
        JsonArray cps = TokenizerJson.array(o, "codePoints", source);
        int[] v = new int[cps.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = TokenizerJson.intAt(cps, i, "codePoints", source);
            if (!Character.isValidCodePoint(v[i])) {
                throw TokenizerJson.bad(source, "codePoints[" + i + "] = " + v[i] + " is not a Unicode code point");
            }
        }
        return new CharTokenizer(v);
    }
}
