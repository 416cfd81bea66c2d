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
