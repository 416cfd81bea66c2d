package org.pretext.data;

import org.apiguardian.api.API;
import org.pretext.engine.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * A tensor in JVM memory: float32 or int32 values in row-major order with a shape. Batches are
 * read and augmented as host tensors on worker threads, then copied to the device in one call.
 */
@API(status = API.Status.STABLE, since = "0.1")
public final class HostTensor {
    private final Shape shape;
    private final float[] floats;
    private final int[] ints;

    private HostTensor(Shape shape, float[] floats, int[] ints) {
        long n = shape.size();
        int len = floats != null ? floats.length : ints.length;
        if (n != len) {
            throw new IllegalArgumentException("shape " + shape + " holds " + n + " values, data has " + len);
        }
        this.shape = shape;
        this.floats = floats;
        this.ints = ints;
    }

    public static HostTensor of(float[] data, Shape shape) {
        return new HostTensor(shape, data, null);
    }

    public static HostTensor ofInts(int[] data, Shape shape) {
        return new HostTensor(shape, null, data);
    }

    public Shape shape() {
        return shape;
    }

    public DataType dataType() {
        return floats != null ? DataType.FLOAT32 : DataType.INT32;
    }

    /** The float values; fails for an int tensor. */
    public float[] floats() {
        if (floats == null) {
            throw new IllegalStateException("int32 tensor has no float data");
        }
        return floats;
    }

    /** The int values; fails for a float tensor. */
    public int[] ints() {
        if (ints == null) {
            throw new IllegalStateException("float32 tensor has no int data");
        }
        return ints;
    }

    /** Copies this tensor into a new NDArray of the manager (on the manager's device). */
    public NDArray toNDArray(NDManager manager) {
        return floats != null ? HostArrays.floats(manager, floats, shape) : HostArrays.ints(manager, ints, shape);
    }

    /** Reads an NDArray back to the host (float32 or int32). */
    public static HostTensor fromNDArray(NDArray array) {
        if (array.getDataType() == DataType.INT32) {
            return ofInts(array.toIntArray(), array.getShape());
        }
        NDArray f = array.getDataType() == DataType.FLOAT32 ? array : array.toType(DataType.FLOAT32, false);
        return of(f.toFloatArray(), array.getShape());
    }

    @Override
    public String toString() {
        return "HostTensor" + shape + " " + dataType() + " "
                + (floats != null ? Arrays.toString(Arrays.copyOf(floats, Math.min(6, floats.length)))
                        : Arrays.toString(Arrays.copyOf(ints, Math.min(6, ints.length))));
    }
}
