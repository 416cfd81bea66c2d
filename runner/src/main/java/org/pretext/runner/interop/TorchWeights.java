package org.pretext.runner.interop;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.pretext.PretextException;
import org.pretext.checkpoint.Provenance;
import org.pretext.checkpoint.SafetensorsFile;
import org.pretext.checkpoint.TokenizerEntry;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.EncoderProvider;
import org.pretext.encoders.interop.TorchStateDict;
import org.pretext.param.ParamValues;
import org.pretext.text.Tokenizer;

/**
 * An encoder's weights as a PyTorch state dict in safetensors, both ways: {@link #export} writes a
 * folder ({@code model.safetensors}, {@code config.json}, {@code tokenizer.json} for text) that
 * {@code python/pretext_encoders.py} loads; {@link #load} copies such weights (from Pretext or
 * from PyTorch) into an initialised encoder of the same architecture ({@code encoder.init}).
 */
public final class TorchWeights {
    /** {@code config.json}'s format tag. */
    public static final String FORMAT = "pretext-safetensors/1";

    private TorchWeights() {}

    /**
     * Writes the encoder as a folder.
     *
     * @param provider the encoder's provider (for its parameters)
     * @param step the pretraining step the weights are from
     */
    public static void export(Path dir, Encoder encoder, EncoderProvider provider, Provenance provenance, long step)
            throws IOException {
        TorchStateDict sd = stateDict(encoder, provider, provenance.encoderParams());
        Files.createDirectories(dir);
        try (NDManager scratch = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : sd.toTorch(parameters(encoder)).entrySet()) {
                // a copy in the scratch manager, in PyTorch's layout (contiguous)
                NDArray c = scratch.create(e.getValue().toFloatArray(), e.getValue().getShape());
                tensors.put(e.getKey(), c);
            }
            SafetensorsFile.write(dir.resolve(SafetensorsFile.WEIGHTS), tensors);
        }
        Optional<Tokenizer> tokenizer = TokenizerEntry.of(encoder);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("format", FORMAT);
        config.put("model", sd.model());
        config.put("weights", SafetensorsFile.WEIGHTS);
        Map<String, Object> input = new LinkedHashMap<>();
        if (tokenizer.isPresent()) {
            input.put("kind", "token ids");
            input.put("dtype", "int64");
            input.put("shape", encoder.inputShape().getShape());
            input.put("tokenizer", SafetensorsFile.TOKENIZER);
            input.put("tokenizer_description", tokenizer.get().describe());
            input.put("padding", "on the right with pad_id");
        } else {
            input.put("kind", "tensor");
            input.put("dtype", "float32");
            input.put("shape", encoder.inputShape().getShape());
            input.put("preprocessing", "as dataset '" + provenance.dataset() + "' gives examples to the encoder"
                    + " (image datasets: pixels in [0, 1], channels first); objective '" + provenance.objective()
                    + "'");
        }
        config.put("input", input);
        config.put("encoder", provenance.encoder());
        config.put("encoder_params", provenance.encoderParams());
        config.put("step", step);
        config.put("provenance", provenance);
        Files.writeString(dir.resolve(SafetensorsFile.CONFIG),
                new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(config) + "\n", StandardCharsets.UTF_8);
        if (tokenizer.isPresent()) {
            Files.write(dir.resolve(SafetensorsFile.TOKENIZER), tokenizer.get().toBytes());
        }
    }

    /**
     * Copies weights into an initialised encoder.
     *
     * @param path a folder written by {@link #export} (its {@code model.safetensors}) or a
     *     {@code .safetensors} file holding a PyTorch state dict of the same architecture
     * @param encoderName the encoder provider's name
     * @param params the encoder's resolved parameters
     * @throws PretextException naming the file and the first tensor whose name or shape does not fit
     */
    public static void load(Path path, Encoder encoder, EncoderProvider provider, Map<String, Object> params) {
        Path file = Files.isDirectory(path) ? path.resolve(SafetensorsFile.WEIGHTS) : path;
        TorchStateDict sd = stateDict(encoder, provider, params);
        try (NDManager scratch = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = SafetensorsFile.read(file, scratch);
            sd.load(tensors, parameters(encoder), file.toString());
        }
    }

    /**
     * Opens a folder of weights as an encoder: {@code config.json} names the encoder provider
     * ({@code encoder}), its parameters ({@code encoder_params}) and the input shape ({@code input.shape}),
     * as {@link #export} writes them; {@code tokenizer.json}, when present, sizes a text encoder.
     *
     * @throws PretextException when config.json is missing or incomplete, or the weights do not fit
     */
    public static org.pretext.checkpoint.ExportedEncoder open(Path folder, ai.djl.Device device, ClassLoader loader) {
        Path configFile = folder.resolve(SafetensorsFile.CONFIG);
        if (!Files.isRegularFile(configFile)) {
            throw new PretextException(folder + " holds no " + SafetensorsFile.CONFIG + " (write the folder with: pretext"
                    + " export --run DIR --format safetensors --out FOLDER)");
        }
        com.google.gson.Gson gson = new com.google.gson.Gson();
        com.google.gson.JsonObject config;
        try {
            config = gson.fromJson(Files.readString(configFile, StandardCharsets.UTF_8), com.google.gson.JsonObject.class);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + configFile, e);
        } catch (com.google.gson.JsonParseException e) {
            throw new PretextException(configFile + " is not valid JSON: " + e.getMessage(), e);
        }
        if (config == null || !config.has("encoder") || !config.has("input")
                || !config.getAsJsonObject("input").has("shape")) {
            throw new PretextException(configFile + " needs \"encoder\" (the provider's name), \"encoder_params\" and"
                    + " \"input\": {\"shape\": [...]}, as export --format safetensors writes them");
        }
        String name = config.get("encoder").getAsString();
        @SuppressWarnings("unchecked")
        Map<String, Object> params = config.has("encoder_params")
                ? gson.fromJson(config.get("encoder_params"), Map.class) : Map.of();
        long[] shape = gson.fromJson(config.getAsJsonObject("input").get("shape"), long[].class);
        Provenance provenance = config.has("provenance") ? gson.fromJson(config.get("provenance"), Provenance.class)
                : new Provenance("unknown", "", Map.of(), name, params, "unknown", Map.of(), 0, Map.of(), null);
        org.pretext.runtime.EngineSetup.engine();
        EncoderProvider provider = org.pretext.registry.ProviderRegistry.load(EncoderProvider.class, "encoder", loader)
                .get(name);
        ParamValues values = ParamValues.resolve("encoder '" + name + "' in " + configFile, provider.parameters(),
                params);
        Path tokenizerFile = folder.resolve(SafetensorsFile.TOKENIZER);
        org.pretext.text.Tokenizer tokenizer;
        try {
            tokenizer = Files.isRegularFile(tokenizerFile)
                    ? org.pretext.text.Tokenizers.read(Files.readAllBytes(tokenizerFile), tokenizerFile.toString())
                    : null;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + tokenizerFile, e);
        }
        // read once; every encoder of the architecture (fine-tuning builds one per draw) shares the tokenizer
        java.util.function.Supplier<Encoder> architecture = () -> tokenizer != null
                ? provider.createForTokens(values, tokenizer)
                : provider.create(values, new ai.djl.ndarray.types.Shape(shape));
        Encoder encoder = architecture.get();
        NDManager manager = NDManager.newBaseManager(device);
        try {
            encoder.block().initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32,
                    org.pretext.model.PretextModel.batched(encoder.inputShape(), 2));
            load(folder, encoder, provider, values.asMap());
            return org.pretext.checkpoint.ExportedEncoder.of(encoder, manager, provenance, device, architecture);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static TorchStateDict stateDict(Encoder encoder, EncoderProvider provider, Map<String, Object> params) {
        ParamValues values = ParamValues.resolve("encoder '" + provider.name() + "'", provider.parameters(), params);
        return TorchStateDict.of(provider.name(), encoder, values);
    }

    private static Map<String, Parameter> parameters(Encoder encoder) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : encoder.block().getParameters()) {
            out.put(p.getKey(), p.getValue());
        }
        return out;
    }
}
