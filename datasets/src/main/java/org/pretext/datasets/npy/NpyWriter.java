package org.pretext.datasets.npy;

import ai.djl.ndarray.types.DataType;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes {@code .npy} files (format 1.0, or 2.0 for very long headers) as {@code numpy.save}
 * does: C order, little-endian, the header padded so the data starts at a multiple of 64 bytes;
 * {@link NpyFile} reads them. Rows are appended in order to a temporary file beside the target;
 * {@link #close()} checks that exactly the declared number arrived and only then renames it into
 * place, so a reader never sees half a file.
 */
public final class NpyWriter implements AutoCloseable {
    private final Path path;
    private final Path tmp;
    private final DataType dtype;
    private final long expectedBytes;
    private final OutputStream out;
    private long written;

    private NpyWriter(Path path, DataType dtype, long[] shape) throws IOException {
        this.path = path;
        this.dtype = dtype;
        long n = dtype.getNumOfBytes();
        for (long d : shape) {
            n *= d;
        }
        this.expectedBytes = n;
        byte[] header = header(dtype, shape);
        Path dir = path.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        // Not Files.createTempFile: its owner-only permissions would stay on the renamed file.
        this.tmp = path.resolveSibling(path.getFileName() + "." + ProcessHandle.current().pid() + "."
                + System.nanoTime() + ".tmp");
        this.out = new BufferedOutputStream(Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), 1 << 16);
        out.write(header);
    }

    /** Creates (or replaces) a file that will hold an array of this type and shape. */
    public static NpyWriter create(Path path, DataType dtype, long... shape) {
        try {
            return new NpyWriter(path, dtype, shape);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
        }
    }

    /** The header bytes for an array of this type and shape. */
    public static byte[] header(DataType dtype, long... shape) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            s.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        s.append(shape.length == 1 ? ",)" : ")");
        String dict = "{'descr': '" + NpyFile.descr(dtype) + "', 'fortran_order': False, 'shape': " + s + ", }";
        byte[] text = dict.getBytes(StandardCharsets.ISO_8859_1);
        int lenBytes = text.length + 1 + 12 > 65535 ? 4 : 2;
        int pre = 8 + lenBytes;
        int total = (pre + text.length + 1 + 63) / 64 * 64;
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) (lenBytes == 2 ? 1 : 2), 0});
        if (lenBytes == 2) {
            b.putShort((short) (total - pre));
        } else {
            b.putInt(total - pre);
        }
        b.put(text);
        while (b.position() < total - 1) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        return b.array();
    }

    /** Appends raw little-endian element bytes. */
    public NpyWriter writeBytes(byte[] data, int offset, int length) {
        try {
            out.write(data, offset, length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
        }
        written += length;
        return this;
    }

    /** Appends values of a float32 array. */
    public NpyWriter writeFloats(float[] data, int offset, int length) {
        require(DataType.FLOAT32);
        ByteBuffer b = ByteBuffer.allocate(length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data, offset, length);
        return writeBytes(b.array(), 0, b.capacity());
    }

    /** Appends values of an int32 array. */
    public NpyWriter writeInts(int[] data, int offset, int length) {
        require(DataType.INT32);
        ByteBuffer b = ByteBuffer.allocate(length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(data, offset, length);
        return writeBytes(b.array(), 0, b.capacity());
    }

    private void require(DataType t) {
        if (dtype != t) {
            throw new IllegalStateException(path + " holds " + NpyFile.descr(dtype) + ", not " + NpyFile.descr(t));
        }
    }

    @Override
    public void close() {
        try {
            out.close();
            if (written != expectedBytes) {
                throw new IllegalStateException(path + ": wrote " + written + " bytes of data, the header declares "
                        + expectedBytes);
            }
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                // the temporary file stays; the target is untouched
            }
        }
    }

    /** Writes a whole float32 array. */
    public static void writeFloats(Path path, float[] data, long... shape) {
        try (NpyWriter w = create(path, DataType.FLOAT32, shape)) {
            w.writeFloats(data, 0, data.length);
        }
    }

    /** Writes a whole uint8 array. */
    public static void writeBytes(Path path, byte[] data, long... shape) {
        try (NpyWriter w = create(path, DataType.UINT8, shape)) {
            w.writeBytes(data, 0, data.length);
        }
    }

    /** Writes a whole int32 array. */
    public static void writeInts(Path path, int[] data, long... shape) {
        try (NpyWriter w = create(path, DataType.INT32, shape)) {
            w.writeInts(data, 0, data.length);
        }
    }
}
