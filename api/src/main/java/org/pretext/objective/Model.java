package org.pretext.objective;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.apiguardian.api.API;
import org.pretext.encoder.Encoder;

/**
 * What an objective sees of the model it trains: the encoder with the objective's heads on one
 * device. The model is built and owned by the loop ({@code pretext-core}'s {@code PretextModel});
 * an objective reads and runs it, never closes it.
 */
@API(status = API.Status.STABLE, since = "0.2")
public interface Model {
    /** The shape with a leading batch axis of size {@code n}. */
    static Shape batched(Shape shape, long n) {
        return new Shape(n).addAll(shape);
    }

    /** Features (B, featureSize) of a batch of encoder inputs. */
    NDArray encode(NDArray inputs, boolean training);

    /**
     * Runs {@code call} with the encoder being pretrained, for objectives that reach the encoder
     * other than through {@link #encode}: a sequence encoder's hidden states, a masked
     * autoencoder's visible patches. On one device it is {@code call.apply(encoder(),
     * parameterStore(), inputs)}. With several replicas ({@code --devices}) every input is split
     * along its first (batch) axis, shard i runs through replica i's encoder and store on replica
     * i's device, and each output is gathered onto the main device in order with an operation
     * autograd records; so an objective that declares {@link Distribution#PER_EXAMPLE} or
     * {@link Distribution#GATHERED} and reaches its encoder only through {@link #encode} and this
     * method is trained data-parallel exactly as on one device. Every output must keep the batch
     * as its first axis; the call must use the encoder and store it is given, never the
     * objective's own reference to the encoder.
     *
     * @since 0.3
     */
    @API(status = API.Status.EXPERIMENTAL, since = "0.3")
    default NDList encodeWith(NDList inputs, EncoderCall call) {
        return call.apply(encoder(), parameterStore(), inputs);
    }

    /**
     * A computation with an encoder, the parameter store to run it with, and a batch (or a shard of
     * one); see {@link Model#encodeWith}.
     */
    @API(status = API.Status.EXPERIMENTAL, since = "0.3")
    @FunctionalInterface
    interface EncoderCall {
        /** The outputs, each with the batch as its first axis. */
        NDList apply(Encoder encoder, ParameterStore store, NDList inputs);
    }

    /** A head's output in training mode. */
    NDArray head(String name, NDArray input);

    /** A head's outputs in training mode, for heads with several inputs or outputs. */
    NDList head(String name, NDList inputs);

    /** Runs any block of this model (e.g. an objective's EMA target) with this model's store. */
    NDList forward(Block block, NDList inputs, boolean training);

    /** The encoder being pretrained. */
    Encoder encoder();

    /** The manager that owns parameters and long-lived state. */
    NDManager manager();

    /** The device the model lives on. */
    Device device();

    /** The parameter store blocks of this model are run with. */
    ParameterStore parameterStore();

    /** Parameters the optimizer updates, by stable name ("encoder/…", "heads/NAME/…"). */
    Map<String, Parameter> trainableParameters();

    /** Every parameter of encoder and heads, trainable or not (e.g. BatchNorm statistics). */
    Map<String, Parameter> parameters();
}
