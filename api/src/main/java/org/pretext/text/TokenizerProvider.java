package org.pretext.text;

import org.apiguardian.api.API;
import org.pretext.registry.NamedProvider;

/**
 * A named kind of tokenizer, found by {@link java.util.ServiceLoader} through
 * {@code META-INF/services/org.pretext.text.TokenizerProvider}: fits a tokenizer on a corpus and
 * reads one back from the plain data it wrote.
 */
@API(status = API.Status.STABLE, since = "0.1")
public interface TokenizerProvider extends NamedProvider {
    /**
     * Fits a tokenizer on the pretraining text.
     *
     * @param corpus the text
     * @param vocabularySize the target vocabulary size for tokenizers that learn one (BPE); others ignore it
     */
    Tokenizer fit(String corpus, int vocabularySize);

    /**
     * Reads a tokenizer from {@link Tokenizer#toBytes()} data.
     *
     * @param source where the data came from, for messages (a checkpoint file)
     * @throws org.pretext.PretextException naming the source when the data is malformed
     */
    Tokenizer read(byte[] data, String source);
}
