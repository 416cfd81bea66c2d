package org.pretext.runner.pipeline;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.util.function.Supplier;
import org.pretext.PretextException;
import org.pretext.data.HostTensor;
import org.pretext.data.Split;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.Features;
import org.pretext.engine.EngineSetup;
import org.pretext.model.PretextModel;

/**
 * The three feature sets a run probes: the pretrained encoder, the same architecture randomly
 * initialised from the run seed, and the raw input flattened.
 */
public final class FeatureSets {
    private FeatureSets() {}

    /** Frozen features of the pretrained encoder. */
    public static Features.Matrix pretrained(PretextModel model, Split split, int batchSize) {
        return Features.extract(model.encoder(), model.parameterStore(), split, model.device(), batchSize);
    }

    /** Features of a freshly initialised encoder of the same architecture (seeded). */
    public static Features.Matrix[] randomEncoder(Supplier<Encoder> encoders, long seed, Device device,
            int batchSize, Split... splits) {
        EngineSetup.engine().setRandomSeed((int) (seed ^ (seed >>> 32)));
        Encoder e = encoders.get();
        try (NDManager m = NDManager.newBaseManager(device)) {
            e.block().initialize(m, DataType.FLOAT32, PretextModel.batched(e.inputShape(), 2));
            ParameterStore store = new ParameterStore(m, false);
            Features.Matrix[] out = new Features.Matrix[splits.length];
            for (int i = 0; i < splits.length; i++) {
                out[i] = Features.extract(e, store, splits[i], device, batchSize);
            }
            return out;
        }
    }

    /** The examples themselves, flattened to vectors. */
    public static Features.Matrix rawInput(Split split) {
        int n = Math.toIntExact(split.size());
        int d = Math.toIntExact(split.exampleShape().size());
        float[] out = new float[n * d];
        int row = 0;
        var it = split.batches(org.pretext.data.BatchPlan.sequential(4096));
        while (it.hasNext()) {
            HostTensor t = it.next().inputs();
            if (t.dataType() != DataType.FLOAT32) {
                throw new PretextException("raw-input features need numeric examples, but this data holds "
                        + t.dataType() + " (e.g. token ids); drop raw-input from probe.features");
            }
            System.arraycopy(t.floats(), 0, out, row * d, t.floats().length);
            row += (int) t.shape().get(0);
        }
        return new Features.Matrix(out, n, d, split.hasLabels() ? split.labels() : null, split.numClasses());
    }
}
