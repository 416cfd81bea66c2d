package org.pretext.runner.pipeline;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.pretext.data.HostTensor;
import org.pretext.data.Split;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.Features;
import org.pretext.runtime.EngineSetup;
import org.pretext.model.PretextModel;

/**
 * The three feature sets a run probes: the pretrained encoder, the same architecture randomly
 * initialised from the run seed (the raw input is {@link org.pretext.probe.RawFeatures}). Both
 * encoders see what the objective feeds the encoder of each example ({@link
 * org.pretext.objective.Objective#encoderInput}, e.g. the top half for part-prediction).
 */
public final class FeatureSets {
    private FeatureSets() {}

    /** Frozen features of the pretrained encoder. */
    public static Features.Matrix pretrained(PretextModel model, Split split, int batchSize) {
        return pretrained(model, split, batchSize, Features.Progress.NONE);
    }

    /** Frozen features of the pretrained encoder, telling {@code progress} how far the extraction is. */
    public static Features.Matrix pretrained(PretextModel model, Split split, int batchSize, Features.Progress progress) {
        return Features.extract(model.probedEncoder(), model.parameterStore(), split, model.device(), batchSize,
                model.objective()::encoderInput, progress);
    }

    /** Features of a freshly initialised encoder of the same architecture (seeded). */
    public static Features.Matrix[] randomEncoder(Supplier<Encoder> encoders, long seed, Device device,
            int batchSize, Split... splits) {
        return randomEncoder(encoders, UnaryOperator.identity(), seed, device, batchSize, splits);
    }

    /**
     * Features of a freshly initialised encoder of the same architecture (seeded), fed
     * {@code encoderInput} of each batch of examples (e.g. {@code objective::encoderInput}).
     */
    public static Features.Matrix[] randomEncoder(Supplier<Encoder> encoders, UnaryOperator<HostTensor> encoderInput,
            long seed, Device device, int batchSize, Split... splits) {
        return randomEncoder(encoders, encoderInput, seed, device, batchSize, i -> Features.Progress.NONE, splits);
    }

    /** As above, with a progress receiver for the extraction from each split (by its position in {@code splits}). */
    public static Features.Matrix[] randomEncoder(Supplier<Encoder> encoders, UnaryOperator<HostTensor> encoderInput,
            long seed, Device device, int batchSize, java.util.function.IntFunction<Features.Progress> progress,
            Split... splits) {
        EngineSetup.engine().setRandomSeed((int) (seed ^ (seed >>> 32)));
        Encoder e = encoders.get();
        try (NDManager m = NDManager.newBaseManager(device)) {
            e.block().initialize(m, DataType.FLOAT32, PretextModel.batched(e.inputShape(), 2));
            ParameterStore store = new ParameterStore(m, false);
            Features.Matrix[] out = new Features.Matrix[splits.length];
            for (int i = 0; i < splits.length; i++) {
                out[i] = Features.extract(e, store, splits[i], device, batchSize, encoderInput, progress.apply(i));
            }
            return out;
        }
    }
}
