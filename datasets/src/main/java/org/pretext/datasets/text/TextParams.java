package org.pretext.datasets.text;

import org.pretext.PretextException;
import org.pretext.param.Param;
import org.pretext.text.Tokenizer;
import org.pretext.text.TokenizerProvider;
import org.pretext.text.Tokenizers;

/** Parameters shared by the text dataset providers, and fitting the tokenizer they name. */
final class TextParams {
    /** The tokenizer kind. */
    static final Param<String> TOKENIZER = Param.ofString("tokenizer", "char",
            "tokenizer fitted on the pretraining text: 'char' (characters, UTF-8 byte fallback) or 'bpe' (byte-level BPE)");
    /** BPE's target vocabulary size. */
    static final Param<Integer> VOCABULARY = Param.ofInt("vocabulary", 1024,
            "target vocabulary size of a learned tokenizer (bpe), specials and the 256 byte tokens included;"
                    + " ignored by 'char'").atLeast(258);
    /** Random context windows per nominal epoch. */
    static final Param<Long> WINDOWS_PER_EPOCH = Param.ofLong("windows-per-epoch", 0,
            "random context windows per nominal pretraining epoch (0: about one pass over the pretraining tokens)")
            .atLeast(0);

    private TextParams() {}

    /** Fits the named tokenizer on a corpus; an unknown name lists the known ones. */
    static Tokenizer fit(String kind, String corpus, int vocabularySize) {
        if (CharTokenizer.KIND.equals(kind)) {
            return CharTokenizer.fit(corpus);
        }
        if (BpeTokenizer.KIND.equals(kind)) {
            return BpeTrainer.train(corpus, vocabularySize);
        }
        TokenizerProvider p = Tokenizers.registry().get(kind);
        return p.fit(corpus, vocabularySize);
    }

    static String require(String value, String key, String dataset, String what) {
        if (value == null || value.isBlank()) {
            throw new PretextException("Dataset '" + dataset + "' needs parameter '" + key + "': " + what);
        }
        return value;
    }
}
