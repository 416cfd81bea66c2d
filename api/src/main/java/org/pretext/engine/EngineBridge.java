package org.pretext.engine;

import java.util.List;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.apiguardian.api.API;

/**
 * What Pretext needs of a deep-learning engine beyond DJL's engine-neutral API: the engine itself,
 * started with Pretext's settings, host-to-engine copies into engine-allocated memory, and switching
 * autograd recording. {@code pretext-core} supplies the PyTorch implementation through
 * {@link java.util.ServiceLoader}; without it a portable implementation over DJL's API is used.
 * Plug-ins never implement this; they reach it through {@link Engines}, {@link HostArrays} and
 * {@link NoGradient}.
 */
@API(status = API.Status.INTERNAL, since = "0.2")
public interface EngineBridge {
    /** The running engine, started on first use. */
    Engine engine();

    /** A new float32 array of the manager holding {@code values} (row-major) in engine memory. */
    NDArray floats(NDManager manager, float[] values, Shape shape);

    /** A new int32 array of the manager holding {@code values}. */
    NDArray ints(NDManager manager, int[] values, Shape shape);

    /** A new int64 array of the manager holding {@code values}. */
    NDArray longs(NDManager manager, long[] values, Shape shape);

    /** A new float64 array of the manager holding {@code values}. */
    NDArray doubles(NDManager manager, double[] values, Shape shape);

    /** Overwrites {@code target} in place with {@code values}, keeping its storage. */
    void copyInto(NDArray target, float[] values);

    /** Switches autograd recording on the calling thread and returns the previous mode. */
    boolean gradMode(boolean enabled);

    /**
     * Moves each target towards its online array in place, ξ ← (ξ − θ)·m + θ, in the engine's few
     * multi-tensor calls; false (nothing done) where the engine has none or does not take these
     * arrays, and the caller runs its own ops.
     *
     * @param pairs {online θ, target ξ} arrays
     */
    default boolean momentumUpdate(List<NDArray[]> pairs, float momentum) {
        return false;
    }

    /**
     * Lays every 4-D array out channels-last in place (values and shapes unchanged, only strides),
     * where the engine runs convolutions faster so and the setting allows; elsewhere nothing.
     *
     * @return how many arrays were laid out
     */
    default int channelsLast(List<NDArray> arrays) {
        return 0;
    }
}
