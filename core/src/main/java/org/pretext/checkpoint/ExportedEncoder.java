package org.pretext.checkpoint;

import org.pretext.blocks.ParameterIO;
import org.pretext.CheckpointException;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import com.google.gson.Gson;
import com.google.gson.JsonElement;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pretext.data.HostTensor;
import org.pretext.data.Split;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.EncoderProvider;
import org.pretext.encoder.Features;
import org.pretext.runtime.EngineSetup;
import org.pretext.model.PretextModel;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderRegistry;

/**
 * A trained encoder on its own (no heads, no optimizer) with its provenance, for downstream use:
 *
 * <pre>{@code
 * try (ExportedEncoder enc = ExportedEncoder.load(Path.of("mnist-simclr.encoder"))) {
 *     float[][] features = enc.features(images);      // (n, featureSize)
 * }
 * }</pre>
 *
 * The file is a {@link CheckpointFile}: {@code meta.json} (kind "encoder", input shape, feature
 * size, provenance), {@code parameters.bin} and, for an encoder of text, the tokenizer
 * ({@link TokenizerEntry}): the lossless format. Loading rebuilds the architecture from the
 * encoder provider named in the provenance (found by ServiceLoader) and copies the weights in.
 */
public final class ExportedEncoder implements AutoCloseable {
    private static final Gson GSON = new Gson();
    private final Encoder encoder;
    private final NDManager manager;
    private final ParameterStore store;
    private final Provenance provenance;
    private final Device device;
    private java.util.function.Supplier<Encoder> architecture;

    private ExportedEncoder(Encoder encoder, NDManager manager, Provenance provenance, Device device) {
        this.encoder = encoder;
        this.manager = manager;
        this.store = new ParameterStore(manager, false);
        this.provenance = provenance;
        this.device = device;
    }

    /**
     * Writes the model's probed encoder (the one its probes measure: the trained encoder unless the
     * objective chose another, e.g. BYOL's target with {@code probe-encoder: target}) with its provenance.
     *
     * @param step the pretraining step the weights are from
     */
    public static void write(Path file, PretextModel model, Provenance provenance, long step) throws IOException {
        org.pretext.encoder.Encoder encoder = model.probedEncoder();
        Map<String, Parameter> params = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : encoder.block().getParameters()) {
            params.put(p.getKey(), p.getValue());
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("format", CheckpointStore.FORMAT);
        meta.put("kind", "encoder");
        meta.put("step", step);
        meta.put("inputShape", encoder.inputShape().getShape());
        meta.put("featureSize", encoder.featureSize());
        meta.put("provenance", provenance);
        meta.put(CheckpointFile.PARAMETERS, ParameterIO.describe(params));
        TokenizerEntry.declare(model, meta);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(CheckpointFile.PARAMETERS_ENTRY, ParameterIO.write(params));
        TokenizerEntry.put(model, entries);
        CheckpointFile.write(file, meta, entries);
    }

    /**
     * An encoder built and given its weights elsewhere (e.g. from PyTorch weights in safetensors),
     * used like a loaded one.
     *
     * @param manager the manager holding the encoder's parameters; closed with the returned object
     */
    public static ExportedEncoder of(Encoder encoder, NDManager manager, Provenance provenance, Device device) {
        return new ExportedEncoder(encoder, manager, provenance, device);
    }

    /**
     * As {@link #of(Encoder, NDManager, Provenance, Device)}, with the way to build new encoders of
     * its architecture (so that it can be fine-tuned; see {@link #architecture()}).
     */
    public static ExportedEncoder of(Encoder encoder, NDManager manager, Provenance provenance, Device device,
            java.util.function.Supplier<Encoder> architecture) {
        ExportedEncoder e = new ExportedEncoder(encoder, manager, provenance, device);
        e.architecture = architecture;
        return e;
    }

    /** Loads an exported encoder onto the CPU. */
    public static ExportedEncoder load(Path file) {
        return load(file, Device.cpu(), Thread.currentThread().getContextClassLoader());
    }

    /**
     * Loads an exported encoder.
     *
     * @param loader where to find the encoder provider (the class path by default)
     * @throws CheckpointException when the file is damaged, not an encoder, or its encoder is unknown
     */
    public static ExportedEncoder load(Path file, Device device, ClassLoader loader) {
        CheckpointFile.Contents contents = CheckpointFile.verify(file, CheckpointFile.Limits.defaults(), m -> {
            if (!"encoder".equals(m.get("kind"))) {
                throw new CheckpointException(file + " is a " + m.get("kind") + " file, not an exported encoder"
                        + " (make one with: pretext export --run DIR --out FILE)");
            }
            CheckpointStore.checkCompatible(file, m, null);
        });
        Map<String, Object> meta = contents.meta();
        JsonElement provJson = GSON.toJsonTree(meta.get("provenance"));
        Provenance provenance = GSON.fromJson(provJson, Provenance.class);
        if (provenance == null || provenance.encoder() == null) {
            throw new CheckpointException(file + " records no encoder provenance");
        }
        Shape inputShape = shapeOf(file, meta.get("inputShape"));
        EngineSetup.engine();
        EncoderProvider ep = ProviderRegistry.load(EncoderProvider.class, "encoder", loader).get(provenance.encoder());
        ParamValues params = ParamValues.resolve("encoder '" + ep.name() + "' in " + file, ep.parameters(),
                provenance.encoderParams());
        // a text encoder is rebuilt for the tokenizer it was trained with (its vocabulary comes from it)
        java.util.Optional<org.pretext.text.Tokenizer> tokenizer = contents.has(TokenizerEntry.NAME)
                ? TokenizerEntry.read(file, Map.of(TokenizerEntry.NAME, contents.bytes(TokenizerEntry.NAME)))
                : java.util.Optional.empty();
        Encoder encoder = tokenizer.isPresent() ? ep.createForTokens(params, tokenizer.get())
                : ep.create(params, inputShape);
        NDManager manager = NDManager.newBaseManager(device);
        try {
            encoder.block().initialize(manager, DataType.FLOAT32, PretextModel.batched(inputShape, 2));
            org.pretext.runtime.NativeConvolutions.check(encoder.block(), "the exported encoder " + file.getFileName());
            Map<String, Parameter> target = new LinkedHashMap<>();
            for (Pair<String, Parameter> p : encoder.block().getParameters()) {
                target.put(p.getKey(), p.getValue());
            }
            if (meta.get(CheckpointFile.PARAMETERS) != null) {
                ParameterDeclarations.checkDeclared(file, meta.get(CheckpointFile.PARAMETERS), target);
            }
            contents.read(Map.of(CheckpointFile.PARAMETERS_ENTRY, in -> ParameterIO.read(in, target, file.toString())));
            org.pretext.runtime.ChannelsLast.apply(encoder.block());
            return of(encoder, manager, provenance, device, () -> tokenizer.isPresent()
                    ? ep.createForTokens(params, tokenizer.get()) : ep.create(params, inputShape));
        } catch (RuntimeException e) {
            manager.close();
            if (e instanceof CheckpointException ce) {
                throw ce;
            }
            throw new CheckpointException(file + " could not be loaded: " + e.getMessage(), e);
        }
    }

    private static Shape shapeOf(Path file, Object o) {
        if (!(o instanceof List<?> l) || l.isEmpty()) {
            throw new CheckpointException(file + " records no input shape");
        }
        long[] dims = new long[l.size()];
        for (int i = 0; i < dims.length; i++) {
            if (!(l.get(i) instanceof Number n) || n.longValue() <= 0) {
                throw new CheckpointException(file + " records an invalid input shape " + l);
            }
            dims[i] = ((Number) l.get(i)).longValue();
        }
        return new Shape(dims);
    }

    /** Features (n, featureSize) of examples given as rows of the encoder's input shape, flattened. */
    public float[][] features(float[][] examples) {
        int d = encoder.featureSize();
        int size = Math.toIntExact(encoder.inputShape().size());
        float[] flat = new float[examples.length * size];
        for (int i = 0; i < examples.length; i++) {
            if (examples[i].length != size) {
                throw new IllegalArgumentException("example " + i + " has " + examples[i].length + " values; the encoder"
                        + " takes " + size + " (shape " + encoder.inputShape() + ")");
            }
            System.arraycopy(examples[i], 0, flat, i * size, size);
        }
        float[] f = features(flat, examples.length);
        float[][] out = new float[examples.length][];
        for (int i = 0; i < examples.length; i++) {
            out[i] = java.util.Arrays.copyOfRange(f, i * d, (i + 1) * d);
        }
        return out;
    }

    /**
     * Features of the first {@code n} examples of a batch given flattened in one array, row-major
     * (example {@code i} at {@code i × inputSize}): {@code n × featureSize} values, row-major. No
     * copy per example on the way in or out (the batch goes to the engine as it is when it holds
     * exactly {@code n} examples); every array of the batch is freed before this returns.
     *
     * @throws IllegalArgumentException when {@code flat} holds fewer than {@code n} examples
     */
    public float[] features(float[] flat, int n) {
        int size = Math.toIntExact(encoder.inputShape().size());
        if (n < 0 || flat.length < (long) n * size) {
            throw new IllegalArgumentException(n + " examples need " + (long) n * size + " values, got " + flat.length);
        }
        float[] batch = flat.length == n * size ? flat : java.util.Arrays.copyOf(flat, n * size);
        try (NDManager step = manager.newSubManager()) {
            NDArray x = HostTensor.of(batch, PretextModel.batched(encoder.inputShape(), n)).toNDArray(step);
            return encoder.block().forward(store, new NDList(x), false).singletonOrThrow().toFloatArray();
        }
    }

    /** Features of a whole split, batched. */
    public Features.Matrix features(Split split, int batchSize) {
        return Features.extract(encoder, store, split, device, batchSize);
    }

    /** The encoder (initialised, trained weights). */
    public Encoder encoder() {
        return encoder;
    }

    /**
     * New, uninitialised encoders of this one's architecture (the provider and parameters its
     * provenance names), e.g. to fine-tune from these weights or from a random initialisation.
     *
     * @throws PretextException for an encoder not loaded from a Pretext file (made with {@link #of})
     */
    public java.util.function.Supplier<Encoder> architecture() {
        if (architecture == null) {
            throw new org.pretext.PretextException("This encoder was built elsewhere (" + provenance.encoder()
                    + "), not loaded from a Pretext encoder file: its architecture cannot be rebuilt here; export the"
                    + " run with --format pretext");
        }
        return architecture;
    }

    /** The parameter store to run the encoder's block with. */
    public ParameterStore parameterStore() {
        return store;
    }

    /** Where the encoder came from. */
    public Provenance provenance() {
        return provenance;
    }

    @Override
    public void close() {
        manager.close();
    }
}
