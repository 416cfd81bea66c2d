package org.pretext.lm;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Map;
import org.pretext.CheckpointException;
import org.pretext.checkpoint.CheckpointFile;
import org.pretext.checkpoint.ParameterDeclarations;
import org.pretext.blocks.ParameterIO;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.EncoderProvider;
import org.pretext.encoder.TokenEmbeddings;
import org.pretext.model.PretextModel;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderRegistry;
import org.pretext.checkpoint.TokenizerEntry;
import org.pretext.text.Tokenizer;

/**
 * A causal language model read back from a pretraining checkpoint, for sampling or features: the
 * encoder is rebuilt by the provider and parameters its provenance names, for the tokenizer stored
 * beside its weights, then the weights are loaded. Everything is read as data.
 *
 * @param model the model (close it when done)
 * @param tokenizer the tokenizer it was trained with
 */
public record CausalLmCheckpoint(PretextModel model, Tokenizer tokenizer) implements AutoCloseable {

    /** Loads a checkpoint written by a {@code causal-lm} pretraining run. */
    public static CausalLmCheckpoint load(Path file, Device device) {
        CheckpointFile.Contents contents = CheckpointFile.verify(file, CheckpointFile.Limits.defaults(), null);
        Map<String, Object> meta = contents.meta();
        Map<String, byte[]> entries = contents.has(TokenizerEntry.NAME)
                ? Map.of(TokenizerEntry.NAME, contents.bytes(TokenizerEntry.NAME)) : Map.of();
        if (!(meta.get("provenance") instanceof Map<?, ?> prov) || !(prov.get("encoder") instanceof String name)) {
            throw new CheckpointException("Checkpoint " + file + " records no encoder in its provenance, so its"
                    + " model cannot be rebuilt");
        }
        Object objective = prov.get("objective");
        if (!"causal-lm".equals(objective)) {
            throw new CheckpointException("Checkpoint " + file + " was written by objective '" + objective
                    + "', not 'causal-lm'");
        }
        Tokenizer tokenizer = TokenizerEntry.read(file, entries).orElseThrow(() -> new CheckpointException(
                "Checkpoint " + file + " holds no tokenizer (" + TokenizerEntry.NAME + ")"));
        EncoderProvider provider = ProviderRegistry.load(EncoderProvider.class, "encoder").get(name);
        @SuppressWarnings("unchecked")
        Map<String, ?> raw = prov.get("encoderParams") instanceof Map<?, ?> m ? (Map<String, ?>) m : Map.of();
        ParamValues params = ParamValues.resolve("encoder '" + name + "' of " + file, provider.parameters(), raw);
        Encoder encoder = provider.createForTokens(params, tokenizer);
        long context = encoder.inputShape().get(0);
        PretextModel model = PretextModel.create(encoder, new CausalLmObjective(0), new Shape(context + 1), device, 0);
        try {
            if (meta.get(CheckpointFile.PARAMETERS) != null) {
                ParameterDeclarations.checkDeclared(file, meta.get(CheckpointFile.PARAMETERS), model.parameters());
            }
            contents.read(Map.of(CheckpointFile.PARAMETERS_ENTRY, in -> ParameterIO.read(in, model.parameters(),
                    file.toString())));
        } catch (RuntimeException e) {
            model.close();
            throw e instanceof CheckpointException c ? c
                    : new CheckpointException("Checkpoint " + file + " could not be read: " + e.getMessage(), e);
        }
        return new CausalLmCheckpoint(model, tokenizer);
    }

    /** A sampler over this model. */
    public TextSampler sampler() {
        return new TextSampler((TokenEmbeddings) model.encoder(), model.parameterStore(), tokenizer);
    }

    @Override
    public void close() {
        model.close();
    }
}
