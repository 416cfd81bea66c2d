package org.pretext.datasets.text;

import org.pretext.registry.ProviderBase;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import org.pretext.Versions;
import org.pretext.param.Param;
import org.pretext.text.Tokenizer;
import org.pretext.text.TokenizerProvider;

/** {@code bpe}: byte-level BPE (GPT-2 style) trained on the pretraining text to a target vocabulary size. */
public final class BpeTokenizerProvider extends ProviderBase implements TokenizerProvider {
    public BpeTokenizerProvider() {
        super(Versions.SPI_VERSION, BpeTokenizer.KIND, "Byte-level BPE (GPT-2 pre-tokenisation) trained on the pretraining text to the target vocabulary size",
                List.of());
    }

    @Override
    public Tokenizer fit(String corpus, int vocabularySize) {
        return BpeTrainer.train(corpus, vocabularySize);
    }

    @Override
    public Tokenizer read(byte[] data, String source) {
        JsonObject o = TokenizerJson.parse(data, source, BpeTokenizer.KIND, 1);
        if (!o.has("pattern") || !o.get("pattern").isJsonPrimitive()) {
            throw TokenizerJson.bad(source, "no \"pattern\" string");
        }
        JsonArray ms = TokenizerJson.array(o, "merges", source);
        int[][] merges = new int[ms.size()][];
        for (int i = 0; i < merges.length; i++) {
            if (!ms.get(i).isJsonArray() || ms.get(i).getAsJsonArray().size() != 2) {
                throw TokenizerJson.bad(source, "merges[" + i + "] is not a pair of ids");
            }
            JsonArray p = ms.get(i).getAsJsonArray();
            merges[i] = new int[] {TokenizerJson.intAt(p, 0, "merges[" + i + "]", source),
                    TokenizerJson.intAt(p, 1, "merges[" + i + "]", source)};
        }
        try {
            return new BpeTokenizer(merges, o.get("pattern").getAsString());
        } catch (IllegalArgumentException e) {
            throw TokenizerJson.bad(source, e.getMessage());
        }
    }
}
