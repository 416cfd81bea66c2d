package org.pretext.finetune;

import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.pretext.PretextException;
import org.pretext.data.HostTensor;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.SequenceEncoder;

/**
 * Sentences as a sequence encoder takes them in fine-tuning: rows of token ids padded on the right
 * with the tokenizer's pad id (a text dataset's labelled splits), each batch cut to its longest
 * sentence, and a sentence longer than the encoder's context keeping its last {@code context}
 * tokens, as {@link org.pretext.encoder.TextFeatures} does for the frozen features. The encoder
 * pools the hidden states itself (the last real token for a causal transformer, the mean over the
 * real tokens for a bidirectional one: the {@code last-token} and {@code mean} feature maps).
 *
 * @param padId the padding id
 * @param context the encoder's context length
 */
record TokenRows(int padId, int context) {
    /** The rows' layout for an encoder of sentences. */
    static TokenRows of(Encoder encoder, Shape exampleShape) {
        if (!(encoder instanceof SequenceEncoder s)) {
            throw new PretextException("Fine-tuning on sentences (token ids) needs a sequence encoder such as"
                    + " transformer, not " + encoder.getClass().getSimpleName());
        }
        if (exampleShape.dimension() != 1) {
            throw new PretextException("Fine-tuning on token ids expects sentences as rows (n, L), not examples of"
                    + " shape " + exampleShape);
        }
        int pad = s.tokenizer().orElseThrow(() -> new PretextException("The sequence encoder " + encoder
                + " carries no tokenizer, so the padding of the sentences is unknown")).padId();
        return new TokenRows(pad, (int) encoder.inputShape().get(0));
    }

    /**
     * Token ids (b, t) of the chosen rows of {@code sentences} (n, L), t the longest kept length among
     * them.
     *
     * @param which the rows, in batch order; null for all rows in order
     */
    HostTensor rows(HostTensor sentences, int[] which) {
        int width = (int) sentences.shape().get(1);
        int[] all = sentences.ints();
        int b = which == null ? all.length / width : which.length;
        int[] start = new int[b];
        int[] length = new int[b];
        int t = 1;
        for (int i = 0; i < b; i++) {
            int row = which == null ? i : which[i];
            int len = 0;
            while (len < width && all[row * width + len] != padId) {
                len++;
            }
            if (len == 0) {
                throw new PretextException("Sentence " + row + " has no tokens: expected at least one");
            }
            start[i] = Math.max(0, len - context);
            length[i] = len - start[i];
            t = Math.max(t, length[i]);
        }
        int[] out = new int[b * t];
        Arrays.fill(out, padId);
        for (int i = 0; i < b; i++) {
            int row = which == null ? i : which[i];
            System.arraycopy(all, row * width + start[i], out, i * t, length[i]);
        }
        return HostTensor.ofInts(out, new Shape(b, t));
    }
}
