package org.pretext.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.pretext.PretextException;
import org.pretext.encoder.Encoder;
import org.pretext.engine.Engines;
import org.pretext.objective.Model;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.runtime.MixedPrecision;

/**
 * An encoder with an objective's heads, initialised on one device from one seed, owning the
 * native memory of their parameters until {@link #close()}.
 */
public final class PretextModel implements Model, AutoCloseable {
    private final Encoder encoder;
    private final Objective objective;
    private final NDManager manager;
    private final Device device;
    private final ParameterStore store;
    private final Map<String, Parameter> all;
    private final Map<String, Parameter> trainable;
    private final Supplier<Encoder> factory;
    /** The training step's encoder precision; empty: float32. */
    private volatile Optional<MixedPrecision> precision = Optional.empty();

    private PretextModel(Encoder encoder, Supplier<Encoder> factory, Objective objective, NDManager manager,
            Device device) {
        this.encoder = encoder;
        this.factory = factory;
        this.objective = objective;
        this.manager = manager;
        this.device = device;
        this.store = new ParameterStore(manager, false);
        Map<String, Parameter> params = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : encoder.block().getParameters()) {
            params.put("encoder/" + p.getKey(), p.getValue());
        }
        // Sorted by head name: an objective may return any Map (Map.of iterates in a per-JVM order),
        // and the parameter order fixes the optimiser's summation order, so it must not vary.
        for (Map.Entry<String, Block> head : new java.util.TreeMap<>(objective.heads()).entrySet()) {
            for (Pair<String, Parameter> p : head.getValue().getParameters()) {
                params.put("heads/" + head.getKey() + "/" + p.getKey(), p.getValue());
            }
        }
        this.all = Collections.unmodifiableMap(params);
        Map<String, Parameter> grad = new LinkedHashMap<>();
        params.forEach((k, v) -> {
            if (v.requiresGradient()) {
                grad.put(k, v);
            }
        });
        this.trainable = Collections.unmodifiableMap(grad);
    }

    /**
     * Initialises the encoder, then lets the objective build its heads on it.
     *
     * @param exampleShape shape of one raw example of the data
     * @param seed fixes the initial weights
     */
    public static PretextModel create(Encoder encoder, Objective objective, Shape exampleShape, Device device,
            long seed) {
        return create(encoder, null, null, objective, exampleShape, device, seed);
    }

    /**
     * Like {@link #create(Encoder, Objective, Shape, Device, long)} with a factory of encoders of
     * one architecture, so objectives can build EMA targets (BYOL, MoCo).
     */
    public static PretextModel create(Supplier<Encoder> encoders, Objective objective, Shape exampleShape,
            Device device, long seed) {
        return create(encoders.get(), encoders, null, objective, exampleShape, device, seed);
    }

    /**
     * Like {@link #create(Supplier, Objective, Shape, Device, long)}, naming the encoder by its
     * provider name (e.g. {@code mlp}) in the objective's messages when the two do not fit.
     */
    public static PretextModel create(Supplier<Encoder> encoders, String encoderName, Objective objective,
            Shape exampleShape, Device device, long seed) {
        return create(encoders.get(), encoders, encoderName, objective, exampleShape, device, seed);
    }

    /**
     * Like {@link #create(Supplier, String, Objective, Shape, Device, long)}, with {@code weights}
     * called on the initialised encoder before the objective is set up, e.g. to load weights made
     * elsewhere, so that what the objective derives from the encoder (an EMA target's first weights)
     * starts from them.
     */
    public static PretextModel create(Supplier<Encoder> encoders, String encoderName, Objective objective,
            Shape exampleShape, Device device, long seed, java.util.function.Consumer<Encoder> weights) {
        return create(encoders.get(), encoders, encoderName, objective, exampleShape, device, seed, weights);
    }

    private static PretextModel create(Encoder encoder, Supplier<Encoder> factory, String encoderName,
            Objective objective, Shape exampleShape, Device device, long seed) {
        return create(encoder, factory, encoderName, objective, exampleShape, device, seed, e -> { });
    }

    private static PretextModel create(Encoder encoder, Supplier<Encoder> factory, String encoderName,
            Objective objective, Shape exampleShape, Device device, long seed,
            java.util.function.Consumer<Encoder> weights) {
        Engines.engine().setRandomSeed((int) (seed ^ (seed >>> 32)));
        NDManager manager = NDManager.newBaseManager(device);
        try {
            Shape in = objective.encoderInputShape(exampleShape);
            if (!in.equals(encoder.inputShape())) {
                throw new PretextException("The " + ObjectiveSetup.describe(encoder, encoderName)
                        + " was built for inputs of shape " + encoder.inputShape()
                        + " but the objective feeds it " + in + " (examples of shape " + exampleShape + ")");
            }
            encoder.block().initialize(manager, DataType.FLOAT32, batched(in, 2));
            org.pretext.runtime.NativeConvolutions.check(encoder.block(), ObjectiveSetup.describe(encoder, encoderName));
            weights.accept(encoder);
            // before the objective copies the encoder into an EMA target, and before any backward pass
            org.pretext.runtime.ChannelsLast.apply(encoder.block());
            objective.initialize(new ObjectiveSetup(encoder, factory, exampleShape, manager, device, seed,
                    encoderName));
            for (Block head : objective.heads().values()) { // the encoder's are laid out already
                org.pretext.runtime.ChannelsLast.apply(head);
            }
            return new PretextModel(encoder, factory, objective, manager, device);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The shape with a leading batch axis of size {@code n}. */
    public static Shape batched(Shape shape, long n) {
        return new Shape(n).addAll(shape);
    }

    /**
     * Features (B, featureSize) of a batch of encoder inputs, computed in the precision set by
     * {@link #usePrecision} (float32 features either way).
     */
    @Override
    public NDArray encode(NDArray inputs, boolean training) {
        return withPrecision(device, () -> encoder.block().forward(store, new NDList(inputs), training))
                .singletonOrThrow();
    }

    /** Runs {@code call} with the encoder, in the precision set by {@link #usePrecision}. */
    @Override
    public NDList encodeWith(NDList inputs, EncoderCall call) {
        return withPrecision(device, () -> call.apply(encoder, store, inputs));
    }

    /**
     * Sets the precision of the encoder calls ({@link #encode}, {@link #encodeWith}) from now on:
     * empty for float32 (the default), or {@link MixedPrecision}. The pretraining loop sets it around
     * each step's forward pass only.
     */
    public void usePrecision(Optional<MixedPrecision> precision) {
        this.precision = precision;
    }

    /** {@code call} with the encoder calls in {@code p} ({@link #usePrecision}), float32 again after it. */
    public <T> T underPrecision(Optional<MixedPrecision> p, java.util.function.Supplier<T> call) {
        usePrecision(p);
        try {
            return call.get();
        } finally {
            usePrecision(Optional.empty());
        }
    }

    /** {@code forward} (encoder calls on {@code device}) in the precision set by {@link #usePrecision}. */
    public NDList withPrecision(Device device, Supplier<NDList> forward) {
        return precision.isPresent() ? precision.get().run(device, forward) : forward.get();
    }

    /** A head's output in training mode. */
    @Override
    public NDArray head(String name, NDArray input) {
        return head(name, new NDList(input)).singletonOrThrow();
    }

    /** A head's outputs in training mode, for heads with several inputs or outputs. */
    @Override
    public NDList head(String name, NDList inputs) {
        Block b = objective.heads().get(name);
        if (b == null) {
            throw new IllegalArgumentException("no head '" + name + "'; heads: " + objective.heads().keySet());
        }
        return b.forward(store, inputs, true);
    }

    /** Runs any block of this model (e.g. an objective's EMA target) with this model's store. */
    @Override
    public NDList forward(Block block, NDList inputs, boolean training) {
        return block.forward(store, inputs, training);
    }

    @Override
    public Encoder encoder() {
        return encoder;
    }

    /** The encoder probed and exported after pretraining: the objective's choice, the trained one by default. */
    public Encoder probedEncoder() {
        return objective.probedEncoder(this);
    }

    public Objective objective() {
        return objective;
    }

    /** The manager that owns parameters and long-lived state. */
    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public Device device() {
        return device;
    }

    /** The parameter store blocks of this model are run with. */
    @Override
    public ParameterStore parameterStore() {
        return store;
    }

    /** Parameters the optimizer updates, by stable name ("encoder/…", "heads/NAME/…"). */
    @Override
    public Map<String, Parameter> trainableParameters() {
        return trainable;
    }

    /** Every parameter of encoder and heads, trainable or not (e.g. BatchNorm statistics). */
    @Override
    public Map<String, Parameter> parameters() {
        return all;
    }

    /**
     * A new, uninitialised encoder of this model's architecture, for replicas on other devices.
     *
     * @throws PretextException when the model was made from an encoder instance, not a factory
     */
    public Encoder newEncoder() {
        if (factory == null) {
            throw new PretextException("Training on several devices needs one encoder per device: create the model"
                    + " with PretextModel.create(Supplier<Encoder>, ...) instead of an encoder instance");
        }
        return factory.get();
    }

    /** Number of trainable scalars. */
    public long parameterCount() {
        long n = 0;
        for (Parameter p : trainable.values()) {
            n += p.getArray().getShape().size();
        }
        return n;
    }

    @Override
    public void close() {
        manager.close();
    }
}
