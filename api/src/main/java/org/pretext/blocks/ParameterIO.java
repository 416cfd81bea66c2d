package org.pretext.blocks;

import org.apiguardian.api.API;
import org.pretext.CheckpointException;
import org.pretext.DamagedCheckpointException;
import org.pretext.engine.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parameter values as plain data: for each parameter its name, shape and float32 values. Loading
 * copies values into the existing arrays, so gradients and optimizer references stay attached,
 * and refuses any name or shape that differs from the model's. A file's {@code meta.json} declares
 * the same names, shapes and type ({@link #describe}), which fix the entry's exact size before a
 * byte of it is inflated ({@code ParameterDeclarations} in {@code pretext-core}).
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class ParameterIO {
    private static final int FORMAT = 1;
    /** The one value type written. */
    public static final String TYPE = "float32";
    /** The highest rank a parameter may have. */
    public static final int MAX_RANK = 8;

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

    /** Each parameter's name, shape and type, in order: what a {@code meta.json} declares. */
    public static List<Map<String, Object>> describe(Map<String, Parameter> params) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("name", e.getKey());
            d.put("shape", e.getValue().getArray().getShape().getShape());
            d.put("type", TYPE);
            out.add(d);
        }
        return out;
    }

    /** The exact size {@link #write} gives these parameters. */
    public static long byteSize(Map<String, Parameter> params) {
        long n = 8;
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            n += entryBytes(e.getKey(), e.getValue().getArray().getShape().getShape());
        }
        return n;
    }

    /** Bytes of one parameter: name (modified UTF-8 with its length), rank, dimensions, float32 values. */
    public static long entryBytes(String name, long[] dims) {
        long n = 2 + utfBytes(name) + 4 + 8L * dims.length;
        long size = Arrays.stream(dims).anyMatch(d -> d == 0) ? 0 : 1;
        for (long d : dims) {
            size = size == 0 ? 0 : Math.multiplyExact(size, d);
        }
        return Math.addExact(n, Math.multiplyExact(4L, size));
    }

    /** What {@link DataOutputStream#writeUTF} writes for a string, without its 2-byte length. */
    public static long utfBytes(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c >= 0x0001 && c <= 0x007F ? 1 : c <= 0x07FF ? 2 : 3;
        }
        return n;
    }

    /**
     * Copies serialised values into the model's parameters.
     *
     * @param source names the file for messages
     * @throws CheckpointException when names, count or shapes differ, naming both sides
     * @throws DamagedCheckpointException when the data ends inside a parameter, naming it and the size expected
     */
    public static void read(InputStream in, Map<String, Parameter> params, String source) throws IOException {
        DataInputStream din = new DataInputStream(in);
        String at = "its header";
        long expected = 8;
        try {
            int format = din.readInt();
            if (format != FORMAT) {
                throw new CheckpointException(source + ": parameter format " + format + " is not supported (expected "
                        + FORMAT + ")");
            }
            int n = din.readInt();
            if (n != params.size()) {
                throw new CheckpointException(source + " holds " + n + " parameters but the model has "
                        + params.size() + " (" + params.keySet() + "): it was saved from another encoder or objective");
            }
            expected = byteSize(params);
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                at = "parameter '" + e.getKey() + "'";
                String name = din.readUTF();
                if (!name.equals(e.getKey())) {
                    throw new CheckpointException(source + " holds parameter '" + name + "' where the model has '"
                            + e.getKey() + "': it was saved from another encoder or objective");
                }
                int rank = din.readInt();
                if (rank < 0 || rank > MAX_RANK) {
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
                at = "the values of parameter '" + name + "' (shape " + shape + ")";
                float[] v = new float[Math.toIntExact(shape.size())];
                for (int i = 0; i < v.length; i++) {
                    v[i] = din.readFloat();
                }
                HostArrays.copyInto(target, v);
            }
        } catch (EOFException e) {
            throw new DamagedCheckpointException(String.format(Locale.ROOT, "%s: the parameter data ends inside %s;"
                    + " the model's parameters take %,d bytes (the file is truncated)", source, at, expected), e);
        }
    }
}
