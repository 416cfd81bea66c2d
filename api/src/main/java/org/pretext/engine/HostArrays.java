package org.pretext.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.apiguardian.api.API;

/**
 * Host values copied into arrays that the engine allocated itself. Use these instead of
 * {@code NDManager.create(float[])} on a training or probing path: DJL's own copy leaves the tensor
 * pointing into a Java direct buffer whose alignment differs from run to run, and the engine's
 * matrix kernels, chosen partly by alignment, then round differently, so one seed would not give
 * one result.
 */
@API(status = API.Status.STABLE, since = "0.2")
public final class HostArrays {
    private HostArrays() {}

    /** A new float32 array of the manager holding {@code values} (row-major). */
    public static NDArray floats(NDManager manager, float[] values, Shape shape) {
        return Engines.bridge().floats(manager, values, shape);
    }

    /** A new int32 array of the manager holding {@code values}. */
    public static NDArray ints(NDManager manager, int[] values, Shape shape) {
        return Engines.bridge().ints(manager, values, shape);
    }

    /** A new int64 array of the manager holding {@code values}. */
    public static NDArray longs(NDManager manager, long[] values, Shape shape) {
        return Engines.bridge().longs(manager, values, shape);
    }

    /** A new float64 array of the manager holding {@code values}. */
    public static NDArray doubles(NDManager manager, double[] values, Shape shape) {
        return Engines.bridge().doubles(manager, values, shape);
    }

    /**
     * Overwrites {@code target} in place with {@code values} (row-major, same size), keeping its
     * storage, with autograd off for the copy: for parameters and state restored from a checkpoint.
     */
    public static void copyInto(NDArray target, float[] values) {
        Engines.bridge().copyInto(target, values);
    }
}
