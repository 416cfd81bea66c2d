package org.pretext.objective;

import org.apiguardian.api.API;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.function.Supplier;
import org.pretext.PretextException;
import org.pretext.encoder.Encoder;

/**
 * What an objective is given to build its heads: the encoder (already initialised), a factory for
 * more encoders of the same architecture (for EMA targets), the shape of the raw examples, and
 * the model's long-lived manager for parameters and state.
 *
 * @param encoder the encoder the heads go on
 * @param encoderFactory builds another, uninitialised encoder of the same kind and parameters;
 *     null when the model was created from an encoder instance only
 * @param exampleShape shape of one raw example from the data
 * @param manager long-lived manager that owns parameters and objective state
 * @param device the training device
 * @param seed the run seed, for anything the objective draws at set-up
 * @param encoderName the encoder's user-facing provider name (e.g. {@code mlp}), or null when the
 *     model was made from code without one
 */
@API(status = API.Status.STABLE, since = "0.1")
public record ObjectiveSetup(Encoder encoder, Supplier<Encoder> encoderFactory, Shape exampleShape,
        NDManager manager, Device device, long seed, String encoderName) {

    /** Without the encoder's provider name. */
    public ObjectiveSetup(Encoder encoder, Supplier<Encoder> encoderFactory, Shape exampleShape, NDManager manager,
            Device device, long seed) {
        this(encoder, encoderFactory, exampleShape, manager, device, seed, null);
    }

    /**
     * How an objective's messages name the encoder: by the provider name the user chose
     * ({@code encoder 'mlp'}), never by an internal class, unless no name is known.
     */
    public String encoderLabel() {
        return describe(encoder, encoderName);
    }

    /** {@link #encoderLabel()} for an encoder met outside a set-up. */
    public static String describe(Encoder encoder, String encoderName) {
        return encoderName != null ? "encoder '" + encoderName + "'"
                : "an encoder of class " + encoder.getClass().getSimpleName();
    }

    /** Another encoder of the same architecture, or a clear error naming who needed it. */
    public Encoder newEncoder(String objectiveName) {
        if (encoderFactory == null) {
            throw new PretextException("Objective '" + objectiveName + "' needs a second encoder of the same"
                    + " architecture (e.g. for its EMA target): create the model with"
                    + " PretextModel.create(Supplier<Encoder>, ...) instead of an encoder instance");
        }
        return encoderFactory.get();
    }
}
