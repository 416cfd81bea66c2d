package org.pretext.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;

/**
 * Host data copied into arrays that libtorch allocated itself.
 *
 * <p>DJL's {@code NDManager.create(float[])} and {@code NDArray.set(Buffer)} leave the tensor pointing
 * into a Java direct buffer, whose address is 16-byte aligned and differs from run to run; libtorch's
 * own allocations are 64-byte aligned. MKL picks its GEMM kernel partly by alignment, so the same
 * numbers multiplied from a Java buffer rounded differently in different runs, and the same seed did
 * not give the same losses. Every host-to-engine copy on a training or probing path goes through here.
 */
public final class EngineArrays {
    private EngineArrays() {}

    /** A new float32 array of the manager holding {@code values} in engine-allocated memory. */
    public static NDArray floats(NDManager manager, float[] values, Shape shape) {
        return aligned(manager.create(values, shape));
    }

    /** A new int32 array of the manager holding {@code values} in engine-allocated memory. */
    public static NDArray ints(NDManager manager, int[] values, Shape shape) {
        return aligned(manager.create(values, shape));
    }

    /** A new int64 array of the manager holding {@code values} in engine-allocated memory. */
    public static NDArray longs(NDManager manager, long[] values, Shape shape) {
        return aligned(manager.create(values, shape));
    }

    /** A new float64 array of the manager holding {@code values} in engine-allocated memory. */
    public static NDArray doubles(NDManager manager, double[] values, Shape shape) {
        return aligned(manager.create(values, shape));
    }

    /**
     * Overwrites {@code target} in place with {@code values} (row-major, same size), keeping the
     * target's own storage (autograd off for the copy), so parameters restored from a checkpoint stay where libtorch put them.
     */
    public static void copyInto(NDArray target, float[] values) {
        if (target.getShape().dimension() == 0) {
            target.set(FloatBuffer.wrap(values));
            return;
        }
        try (NDArray source = target.getManager().create(values, target.getShape())) {
            // A parameter that requires a gradient may not be written in place while autograd records.
            NoGradient.run(() -> target.set(new NDIndex(":"), source));
        }
    }

    private static NDArray aligned(NDArray fromJava) {
        NDArray copy = fromJava.duplicate();
        fromJava.close();
        return copy;
    }
}
