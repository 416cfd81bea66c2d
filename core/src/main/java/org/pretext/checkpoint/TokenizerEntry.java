package org.pretext.checkpoint;

import org.pretext.text.Tokenizer;
import org.pretext.text.Tokenizers;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.pretext.CheckpointException;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.SequenceEncoder;
import org.pretext.model.PretextModel;

/**
 * The tokenizer's entry in a checkpoint: the plain data of the tokenizer of a model's sequence
 * encoder, written beside its parameters and checked on restore, so that a model's weights are
 * never paired with another vocabulary.
 */
public final class TokenizerEntry {
    /** Entry name in a checkpoint. */
    public static final String NAME = "tokenizer.json";

    private TokenizerEntry() {}

    /** The tokenizer of an encoder, when it is a sequence encoder built for one. */
    public static Optional<Tokenizer> of(Encoder encoder) {
        return encoder instanceof SequenceEncoder s ? s.tokenizer() : Optional.empty();
    }

    /** Adds the model's tokenizer, if it has one, to checkpoint entries. */
    public static void put(PretextModel model, Map<String, byte[]> entries) {
        of(model.encoder()).ifPresent(t -> entries.put(NAME, t.toBytes()));
    }

    /** The tokenizer stored in checkpoint entries, read back by its provider; empty when there is none. */
    public static Optional<Tokenizer> read(Path file, Map<String, byte[]> entries) {
        byte[] data = entries.get(NAME);
        return data == null ? Optional.empty() : Optional.of(Tokenizers.read(data, file + "!" + NAME));
    }

    /** Key of a checkpoint's {@code meta.json} that describes its tokenizer (fingerprint and description). */
    public static final String META_KEY = "tokenizer";

    /** Declares the model's tokenizer, if it has one, in a checkpoint's {@code meta.json}. */
    public static void declare(PretextModel model, Map<String, Object> meta) {
        of(model.encoder()).ifPresent(t -> meta.put(META_KEY, Map.of("fingerprint", t.fingerprint(),
                "description", t.describe())));
    }

    /**
     * Refuses, from its {@code meta.json} alone (before its weights are read), a checkpoint that
     * declares another tokenizer than the model's, or none where the model has one, naming both;
     * {@link #check} then verifies the entry itself.
     */
    public static void checkDeclared(Path file, Map<String, Object> meta, PretextModel model) {
        Optional<Tokenizer> mine = of(model.encoder());
        Object declared = meta.get(META_KEY);
        if (mine.isEmpty() && declared == null) {
            return;
        }
        if (mine.isEmpty()) {
            throw new CheckpointException("Checkpoint " + file + " was written for text with a tokenizer ("
                    + describe(declared) + ") but this run's encoder takes no tokens");
        }
        if (!(declared instanceof Map<?, ?> d)) {
            throw new CheckpointException("Checkpoint " + file + " holds no tokenizer, but this run's encoder uses the "
                    + mine.get().describe() + "; the checkpoint's vocabulary is unknown");
        }
        if (!mine.get().fingerprint().equals(d.get("fingerprint"))) {
            throw new CheckpointException("Checkpoint " + file + " was trained with the " + describe(declared)
                    + ", but this run uses the " + mine.get().describe()
                    + ": a model must be used with the vocabulary it was trained on");
        }
    }

    private static String describe(Object declared) {
        return declared instanceof Map<?, ?> d && d.get("description") instanceof String s ? s
                : declared instanceof Map<?, ?> d2 ? "tokenizer " + d2.get("fingerprint") : String.valueOf(declared);
    }

    /**
     * Refuses a checkpoint whose tokenizer differs from the model's (or that has one when the
     * model has none, or the reverse), naming both.
     */
    public static void check(Path file, Map<String, byte[]> entries, PretextModel model) {
        Optional<Tokenizer> mine = of(model.encoder());
        byte[] data = entries.get(NAME);
        if (mine.isEmpty() && data == null) {
            return;
        }
        if (mine.isEmpty()) {
            throw new CheckpointException("Checkpoint " + file + " was written for text with a tokenizer ("
                    + Tokenizers.fingerprint(data) + ") but this run's encoder takes no tokens");
        }
        if (data == null) {
            throw new CheckpointException("Checkpoint " + file + " holds no tokenizer, but this run's encoder uses the "
                    + mine.get().describe() + "; the checkpoint's vocabulary is unknown");
        }
        String theirs = Tokenizers.fingerprint(data);
        if (!theirs.equals(mine.get().fingerprint())) {
            String described;
            try {
                described = Tokenizers.read(data, file + "!" + NAME).describe();
            } catch (RuntimeException e) {
                described = "tokenizer " + theirs;
            }
            throw new CheckpointException("Checkpoint " + file + " was trained with the " + described
                    + ", but this run uses the " + mine.get().describe()
                    + ": a model must be used with the vocabulary it was trained on");
        }
    }
}
