package org.pretext.encoder;

import org.apiguardian.api.API;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.Iterator;
import java.util.function.UnaryOperator;
import org.pretext.data.Batch;
import org.pretext.data.BatchPlan;
import org.pretext.data.HostTensor;
import org.pretext.data.Split;

/**
 * Frozen features of a split: the encoder in inference mode, batched on the device, every batch's
 * arrays freed as soon as its features are copied out.
 */
@API(status = API.Status.STABLE, since = "0.1")
public final class Features {
    private Features() {}

    /** A dense (n × d) float matrix in row-major order with its labels (null if none). */
    public record Matrix(float[] values, int rows, int cols, int[] labels, int numClasses) {
        public float get(int row, int col) {
            return values[row * cols + col];
        }
    }

    /**
     * Extracts features for every example of a split, in order.
     *
     * @param encoder an initialised encoder
     * @param store the parameter store it runs with (e.g. {@code PretextModel.parameterStore()})
     */
    public static Matrix extract(Encoder encoder, ParameterStore store, Split split, Device device, int batchSize) {
        return extract(encoder, store, split, device, batchSize, UnaryOperator.identity());
    }

    /**
     * Extracts features for every example of a split, in order, feeding the encoder
     * {@code encoderInput} of each batch of raw examples (e.g. {@code objective::encoderInput} when
     * the objective trains the encoder on a part of each example).
     *
     * @param encoder an initialised encoder
     * @param store the parameter store it runs with (e.g. {@code PretextModel.parameterStore()})
     * @param encoderInput maps a batch of raw examples (B, exampleShape...) to the encoder's input
     */
    public static Matrix extract(Encoder encoder, ParameterStore store, Split split, Device device, int batchSize,
            UnaryOperator<HostTensor> encoderInput) {
        return extract(encoder, store, split, device, batchSize, encoderInput, Progress.NONE);
    }

    /**
     * As {@link #extract(Encoder, ParameterStore, Split, Device, int, UnaryOperator)}, telling
     * {@code progress} the examples done after every batch.
     */
    public static Matrix extract(Encoder encoder, ParameterStore store, Split split, Device device, int batchSize,
            UnaryOperator<HostTensor> encoderInput, Progress progress) {
        int n = Math.toIntExact(split.size());
        int d = encoder.featureSize();
        float[] out = new float[n * d];
        int[] row = {0};
        stream(encoder, store, split, device, batchSize, encoderInput, (values, rows, labels) -> {
            System.arraycopy(values, 0, out, row[0] * d, values.length);
            row[0] += rows;
            progress.update(row[0], n);
        });
        return new Matrix(out, n, d, split.hasLabels() ? split.labels() : null, split.numClasses());
    }

    /** Told how far a long extraction has come, e.g. to show a progress line. */
    @FunctionalInterface
    public interface Progress {
        /** Reports nothing. */
        Progress NONE = (done, total) -> { };

        /**
         * @param done units of work done so far (examples, or sentence passes for several prompts)
         * @param total units in all
         */
        void update(long done, long total);
    }

    /** Receives the features of one batch: {@code rows × featureSize} values, row-major, in split order. */
    @FunctionalInterface
    public interface BatchSink {
        /**
         * @param values the batch's features (reused by nobody: the sink may keep them)
         * @param rows examples in the batch
         * @param labels their labels, or null for an unlabelled split
         */
        void accept(float[] values, int rows, int[] labels);
    }

    /**
     * Extracts features batch by batch, in split order, handing each batch to {@code sink} and
     * keeping nothing: memory stays one batch whatever the split's size. Every array of a batch is
     * freed before the next.
     */
    public static void stream(Encoder encoder, ParameterStore store, Split split, Device device, int batchSize,
            UnaryOperator<HostTensor> encoderInput, BatchSink sink) {
        try (NDManager manager = NDManager.newBaseManager(device)) {
            Iterator<Batch> it = split.batches(BatchPlan.sequential(batchSize));
            while (it.hasNext()) {
                Batch b = it.next();
                try (NDManager step = manager.newSubManager()) {
                    NDArray x = encoderInput.apply(b.inputs()).toNDArray(step);
                    NDArray f = encoder.block().forward(store, new NDList(x), false).singletonOrThrow();
                    sink.accept(f.toFloatArray(), b.size(), split.hasLabels() ? b.labels() : null);
                }
            }
        }
    }
}
