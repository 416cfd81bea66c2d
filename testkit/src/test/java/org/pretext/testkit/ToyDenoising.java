package org.pretext.testkit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import org.pretext.Versions;
import org.pretext.data.Batch;
import org.pretext.data.HostTensor;
import org.pretext.engine.NoGradient;
import org.pretext.engine.Scalars;
import org.pretext.objective.Distribution;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.PreparedBatch;
import org.pretext.objective.StepContext;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;

/**
 * The kit's own test objective: reconstruct clean inputs from noisy ones through the encoder and
 * a linear decoder head, the squared error weighted by a state that grows after every update (so
 * the objective has state to save). {@link Fault} breaks it in one way each, for the tests that
 * show every check can fail.
 */
final class ToyDenoising implements Objective {
    /** One defect each. */
    enum Fault {
        /** None: passes every check. */
        NONE,
        /** afterUpdate makes its new weight with an op on the state and never frees it. */
        LEAK,
        /** afterUpdate keeps a copy of the weight in a manager of its own that nothing closes. */
        OWN_MANAGER,
        /** prepare draws its noise from ThreadLocalRandom instead of the stream it is given. */
        UNSEEDED,
        /** saveState/loadState leave the weight out. */
        UNSAVED_STATE,
        /** The loss's value is right but its gradient points the other way. */
        ASCENT,
        /** The loss's value is right but its gradient is twice too large. */
        DOUBLE_GRADIENT,
        /** The loss multiplies by a constant with DJL's NDArray.mul(Number), which Scalars' Javadoc forbids. */
        NUMBER_CONSTANT,
        /**
         * Declares {@link Distribution#PER_EXAMPLE} but centres the features on their batch mean
         * inside {@code Model.encodeWith}'s call, which with several replicas sees one shard.
         */
        SHARD_STATISTICS
    }

    static final Param<Double> NOISE = Param.ofDouble("noise", 0.2, "standard deviation of the added noise")
            .atLeast(0);
    static final Param<Integer> GROWTH = Param.ofInt("growth-percent", 1,
            "how much the loss weight grows after each update, in percent").atLeast(0).atMost(100);

    private final double noise;
    private final double growth;
    private final Fault fault;
    private Block decoder;
    private NDArray weight;
    private NDManager own;

    ToyDenoising(double noise, double growth, Fault fault) {
        this.noise = noise;
        this.growth = growth;
        this.fault = fault;
    }

    @Override
    public void initialize(ObjectiveSetup setup) {
        long width = setup.exampleShape().size();
        decoder = Linear.builder().setUnits(width).build();
        decoder.initialize(setup.manager(), DataType.FLOAT32, new Shape(2, setup.encoder().featureSize()));
        weight = setup.manager().ones(new Shape());
    }

    @Override
    public Map<String, Block> heads() {
        return Map.of("decoder", decoder);
    }

    @Override
    public PreparedBatch prepare(Batch batch, SplittableRandom random) {
        float[] clean = batch.inputs().floats();
        float[] noisy = new float[clean.length];
        for (int i = 0; i < clean.length; i++) {
            double e = fault == Fault.UNSEEDED ? ThreadLocalRandom.current().nextGaussian() : random.nextGaussian();
            noisy[i] = clean[i] + (float) (noise * e);
        }
        return PreparedBatch.of(HostTensor.of(noisy, batch.inputs().shape()), batch.inputs());
    }

    @Override
    public NDArray loss(StepContext ctx, NDList inputs) {
        NDArray clean = inputs.get(1).reshape(inputs.get(1).getShape().get(0), -1);
        NDArray features = fault == Fault.SHARD_STATISTICS
                ? ctx.model().encodeWith(new NDList(inputs.get(0)), (encoder, store, shard) -> {
                    NDArray h = encoder.block().forward(store, shard, true).singletonOrThrow();
                    return new NDList(h.sub(h.mean(new int[] {0}, true)));
                }).singletonOrThrow()
                : ctx.model().encode(inputs.get(0), true);
        NDArray out = ctx.model().head("decoder", features);
        NDArray f = out.sub(clean).square().mean().mul(weight); // an op on step arrays: the result is the step's
        return switch (fault) {
            // value f, gradient k·∇f: f + (k − 1)·(f − stopGradient(f))
            case ASCENT -> f.add(Scalars.mul(f.sub(f.stopGradient()), -2));
            case DOUBLE_GRADIENT -> f.add(f.sub(f.stopGradient()));
            case NUMBER_CONSTANT -> f.mul(1.5f); // float32, as a plug-in would write it
            default -> f;
        };
    }

    /** A mean of per-example squared errors. */
    @Override
    public Distribution distribution() {
        return Distribution.PER_EXAMPLE;
    }

    @Override
    public void afterUpdate(StepContext ctx) {
        float factor = (float) (1 + growth / 100);
        if (fault == Fault.OWN_MANAGER) {
            if (own == null) {
                own = NDManager.newBaseManager();
            }
            own.create(weight.getFloat()); // a history nobody frees
        }
        if (fault == Fault.LEAK) {
            NDArray next = NoGradient.get(() -> Scalars.mul(weight, factor)); // belongs to the model's manager
            NoGradient.run(() -> weight.subi(weight).addi(next));
        } else {
            NoGradient.run(() -> weight.muli(factor));
        }
    }

    @Override
    public void saveState(DataOutputStream out) throws IOException {
        if (fault != Fault.UNSAVED_STATE) {
            out.writeFloat(weight.getFloat());
        }
    }

    @Override
    public void loadState(DataInputStream in, NDManager manager) throws IOException {
        if (fault != Fault.UNSAVED_STATE) {
            float w = in.readFloat();
            NoGradient.run(() -> weight.subi(weight).addi(w));
        }
    }

    /** The provider, with a fault. */
    static final class Provider implements ObjectiveProvider {
        private final Fault fault;

        Provider(Fault fault) {
            this.fault = fault;
        }

        @Override
        public String name() {
            return "toy-denoising";
        }

        @Override
        public String description() {
            return "reconstruct clean inputs from noisy ones (the test kit's own objective)";
        }

        @Override
        public List<Param<?>> parameters() {
            return List.of(NOISE, GROWTH);
        }

        @Override
        public int spiVersion() {
            return Versions.SPI_VERSION;
        }

        @Override
        public Objective create(ParamValues p) {
            return new ToyDenoising(p.get(NOISE), p.get(GROWTH), fault);
        }
    }

    /** A provider that takes its noise as a string and parses it itself, so a bad value fails without the key. */
    static final class HandParsingProvider implements ObjectiveProvider {
        static final Param<String> NOISE_TEXT = Param.ofString("noise", "0.2", "standard deviation of the noise");

        @Override
        public String name() {
            return "toy-denoising";
        }

        @Override
        public String description() {
            return "reconstruct clean inputs from noisy ones, parsing its parameter by hand";
        }

        @Override
        public List<Param<?>> parameters() {
            return List.of(NOISE_TEXT);
        }

        @Override
        public int spiVersion() {
            return Versions.SPI_VERSION;
        }

        @Override
        public Objective create(ParamValues p) {
            return new ToyDenoising(Double.parseDouble(p.get(NOISE_TEXT)), 1, Fault.NONE);
        }
    }
}
