package org.pretext.runtime;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDManager;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.pretext.engine.NoGradient;

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
        return copy(manager, shape, DataType.FLOAT32, values.length, b -> b.asFloatBuffer().put(values),
                () -> manager.create(values, shape));
    }

    /** A new int32 array of the manager holding {@code values} in engine-allocated memory. */
    public static NDArray ints(NDManager manager, int[] values, Shape shape) {
        return copy(manager, shape, DataType.INT32, values.length, b -> b.asIntBuffer().put(values),
                () -> manager.create(values, shape));
    }

    /** A new int64 array of the manager holding {@code values} in engine-allocated memory. */
    public static NDArray longs(NDManager manager, long[] values, Shape shape) {
        return copy(manager, shape, DataType.INT64, values.length, b -> b.asLongBuffer().put(values),
                () -> manager.create(values, shape));
    }

    /** A new float64 array of the manager holding {@code values} in engine-allocated memory. */
    public static NDArray doubles(NDManager manager, double[] values, Shape shape) {
        return copy(manager, shape, DataType.FLOAT64, values.length, b -> b.asDoubleBuffer().put(values),
                () -> manager.create(values, shape));
    }

    /**
     * The host values written once into an uninitialised libtorch CPU array, or, where that does not
     * apply, through DJL's buffer and then duplicated into engine memory.
     *
     * @param write puts the values into a direct buffer over the new array's memory
     * @param viaDjl DJL's own copy of the values, for the fallback
     */
    private static NDArray copy(NDManager manager, Shape shape, DataType type, int length, Consumer<ByteBuffer> write,
            Supplier<NDArray> viaDjl) {
        NDArray t = empty(manager, shape, type, length);
        if (t == null) {
            return aligned(viaDjl.get());
        }
        write.accept(t.toByteBuffer(true));
        return t;
    }

    /**
     * An uninitialised libtorch-allocated CPU array to write the host values straight into (one copy,
     * through a direct buffer over the tensor's own memory), or null where that does not apply (another
     * engine or device: there the values go through DJL's buffer and are duplicated on the device).
     */
    private static NDArray empty(NDManager manager, Shape shape, DataType type, int length) {
        if (length == 0 || !(manager instanceof PtNDManager) || !Device.cpu().equals(manager.getDevice())) {
            return null;
        }
        if (shape.size() != length) {
            throw new IllegalArgumentException("shape " + shape + " holds " + shape.size() + " values, got " + length);
        }
        return manager.create(shape, type);
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

    /** Zeroes w's gradient in place (libtorch's zero_ on PyTorch, else g − g). */
    public static void zeroGradient(NDArray w) {
        if (w instanceof ai.djl.pytorch.engine.PtNDArray pt) {
            ai.djl.pytorch.jni.JniUtils.zeroGrad(pt);
        } else {
            try (NDArray g = w.getGradient()) {
                g.subi(g);
            }
        }
    }

    private static NDArray aligned(NDArray fromJava) {
        NDArray copy = fromJava.duplicate();
        fromJava.close();
        return copy;
    }
}
