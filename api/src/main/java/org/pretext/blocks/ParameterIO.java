package org.pretext.blocks;

import org.apiguardian.api.API;
import org.pretext.CheckpointException;
import org.pretext.engine.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * Parameter values as plain data: for each parameter its name, shape and float32 values. Loading
 * copies values into the existing arrays, so gradients and optimizer references stay attached,
 * and refuses any name or shape that differs from the model's.
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.2")
public final class ParameterIO {
    private static final int FORMAT = 1;

    private ParameterIO() {}

    /** Serialises parameters in map order. */
    public static byte[] write(Map<String, Parameter> params) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(FORMAT);
            out.writeInt(params.size());
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                NDArray a = e.getValue().getArray();
                out.writeUTF(e.getKey());
                long[] dims = a.getShape().getShape();
                out.writeInt(dims.length);
                for (long d : dims) {
                    out.writeLong(d);
                }
                float[] v = (a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false))
                        .toFloatArray();
                for (float f : v) {
                    out.writeFloat(f);
                }
            }
        }
        return bytes.toByteArray();
    }

    /**
     * Copies serialised values into the model's parameters.
     *
     * @param source names the file for messages
     * @throws CheckpointException when names, count or shapes differ, naming both sides
     */
    public static void read(InputStream in, Map<String, Parameter> params, String source) throws IOException {
        DataInputStream din = new DataInputStream(in);
        int format = din.readInt();
        if (format != FORMAT) {
            throw new CheckpointException(source + ": parameter format " + format + " is not supported (expected "
                    + FORMAT + ")");
        }
        int n = din.readInt();
        if (n != params.size()) {
            throw new CheckpointException(source + " holds " + n + " parameters but the model has " + params.size()
                    + " (" + params.keySet() + "): it was saved from another encoder or objective");
        }
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            String name = din.readUTF();
            if (!name.equals(e.getKey())) {
                throw new CheckpointException(source + " holds parameter '" + name + "' where the model has '"
                        + e.getKey() + "': it was saved from another encoder or objective");
            }
            int rank = din.readInt();
            if (rank < 0 || rank > 8) {
                throw new CheckpointException(source + ": parameter '" + name + "' has an invalid rank " + rank);
            }
            long[] dims = new long[rank];
            for (int i = 0; i < rank; i++) {
                dims[i] = din.readLong();
            }
            NDArray target = e.getValue().getArray();
            Shape shape = new Shape(dims);
            if (!shape.equals(target.getShape())) {
                throw new CheckpointException(source + ": parameter '" + name + "' has shape " + shape
                        + " but the model's is " + target.getShape());
            }
            float[] v = new float[Math.toIntExact(shape.size())];
            for (int i = 0; i < v.length; i++) {
                v[i] = din.readFloat();
            }
            HostArrays.copyInto(target, v);
        }
    }
}
