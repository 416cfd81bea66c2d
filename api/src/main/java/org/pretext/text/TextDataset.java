package org.pretext.text;

import org.apiguardian.api.API;
import java.util.Optional;
import org.pretext.data.Dataset;
import org.pretext.data.Split;

/**
 * Capability of datasets of text. The tokenizer is fitted on the pretraining text when the dataset
 * is opened; the pretraining split is cut into windows of the length a model needs, which is only
 * known once the encoder exists, so a runner asks for windows after building the encoder:
 *
 * <pre>{@code
 * TextDataset text = (TextDataset) dataset;
 * Encoder encoder = encoderProvider.createForTokens(encoderParams, text.tokenizer());
 * int context = (int) encoder.inputShape().get(0);
 * Split pretrain = text.pretrainWindows(context);                  // (context + 1) tokens per example
 * Optional<TokenWindowSplit> validation = text.validationWindows(context);
 * }</pre>
 *
 * Labelled splits ({@link #train()}, {@link #test()}) hold one sentence per example as token ids
 * padded on the right with {@link Tokenizer#padId()} to the longest sentence; {@link TextFeatures}
 * turns them into features. {@link #pretrain()} is {@code pretrainWindows(DEFAULT_CONTEXT)}.
 */
@API(status = API.Status.STABLE, since = "0.1")
public interface TextDataset extends Dataset {
    /** The context {@link #pretrain()} cuts windows for. */
    int DEFAULT_CONTEXT = 64;

    /** The tokenizer fitted on the pretraining text. */
    Tokenizer tokenizer();

    /** Random windows of {@code context + 1} tokens of the pretraining text (inputs and next-token targets). */
    TokenWindowSplit pretrainWindows(int context);

    /** Non-overlapping windows of {@code context + 1} tokens of held-out text; empty when there is none. */
    Optional<TokenWindowSplit> validationWindows(int context);

    @Override
    default Split pretrain() {
        return pretrainWindows(DEFAULT_CONTEXT);
    }
}
