package org.pretext.datasets.npy;

import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pretext.PretextException;
import org.pretext.data.Finite;

/**
 * Pretext's one reader of NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0), for datasets,
 * stored shards and the probe's feature files alike: the header, and positional reads of rows
 * (slices along the first axis) of the data. Only C-order arrays (any order for one axis) of
 * little-endian float32, float64, int32, int64 and unsigned bytes ({@link #SUPPORTED}), typed by
 * DJL's {@link DataType}, are accepted; anything else is refused with a message that names the
 * file, what it holds and how to convert it. {@link NpyWriter} writes what this reads.
 *
 * <p>Why not DJL's {@code NDList.decode}/{@code NDList.encode} (which read {@code .npy} and
 * {@code .npz} and write {@code .npz}): they need an engine's {@code NDManager} and read a whole
 * array into native memory (2 GB at most), so they cannot stream rows of a file larger than memory
 * without an engine, which datasets and the shard cache do here; their header parser refuses
 * Fortran order and odd headers with "Invalid numpy header" without naming the file; and DJL 0.35
 * has no public writer of a single {@code .npy} file. DJL's {@link DataType} does serve, and is
 * the element type used here.
 *
 * <p>The file is not held open between reads, so an {@code NpyFile} is a small immutable value
 * that any thread may read from.
 *
 * @param path the file
 * @param dtype its element type: FLOAT32, FLOAT64, UINT8, INT32 or INT64
 * @param shape its shape (first axis: rows)
 * @param dataOffset where the data starts, in bytes
 */
public record NpyFile(Path path, DataType dtype, long[] shape, long dataOffset) {
    /** The descriptors accepted, for messages. */
    public static final List<String> SUPPORTED = List.of("<f4", "<f8", "|u1", "<i4", "<i8");

    /** The scale that maps bytes to [0, 1]; bytes are then divided by 255 exactly (v / 255f). */
    public static final float BYTE_SCALE = 1f / 255f;

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern DESCR_ANY = Pattern.compile("'descr'\\s*:\\s*([^,]+|\\[.*\\])");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** Reads and checks the header of a file, and that the file holds exactly the data it declares. */
    public static NpyFile open(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, pre, 0);
            pre.flip();
            byte[] magic = new byte[6];
            if (pre.remaining() < 10) {
                throw new PretextException("NumPy file " + path + " is " + fileSize
                        + " bytes long, shorter than an .npy header: expected a file written by numpy.save");
            }
            pre.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new PretextException("File " + path + " is not a NumPy .npy file: it does not start with"
                        + " the bytes \\x93NUMPY (write it with numpy.save; .npz archives are not read)");
            }
            int major = pre.get() & 0xFF;
            pre.get();
            long headerLen;
            int lenBytes;
            if (major == 1) {
                headerLen = pre.getShort() & 0xFFFF;
                lenBytes = 2;
            } else if (major == 2 || major == 3) {
                if (pre.remaining() < 4) {
                    throw new PretextException("NumPy file " + path + " is truncated inside its header");
                }
                headerLen = pre.getInt() & 0xFFFFFFFFL;
                lenBytes = 4;
            } else {
                throw new PretextException("NumPy file " + path + " has format version " + major
                        + ".x: expected 1.0, 2.0 or 3.0");
            }
            long offset = 8 + lenBytes + headerLen;
            if (offset > fileSize || headerLen > (1 << 24)) {
                throw new PretextException("NumPy file " + path + " is truncated inside its header (it declares a "
                        + headerLen + "-byte header, the file is " + fileSize + " bytes)");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8 + lenBytes);
            String header = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            NpyFile f = parseHeader(path, header, offset);
            long expected = f.dataBytes();
            long actual = fileSize - offset;
            if (actual < expected) {
                throw new PretextException("NumPy file " + path + " is truncated: its header declares shape "
                        + f.shapeText() + " of " + descr(f.dtype) + " (" + expected + " bytes of data) but only "
                        + actual + " bytes follow the header");
            }
            if (actual > expected) {
                throw new PretextException("NumPy file " + path + " has " + (actual - expected)
                        + " bytes more than its header declares (shape " + f.shapeText() + " of "
                        + descr(f.dtype) + "): the header disagrees with the file's size");
            }
            return f;
        } catch (NoSuchFileException e) {
            throw new PretextException("NumPy file " + path + " does not exist");
        } catch (IOException e) {
            throw new PretextException("NumPy file " + path + " could not be read: " + e.getMessage(), e);
        }
    }

    private static NpyFile parseHeader(Path path, String header, long offset) {
        Matcher d = DESCR.matcher(header);
        if (!d.find()) {
            Matcher any = DESCR_ANY.matcher(header);
            String what = any.find() ? any.group(1).trim() : "(no 'descr' entry)";
            throw new PretextException("NumPy file " + path + " holds a structured or unreadable dtype " + what
                    + ": expected a plain numeric array of " + SUPPORTED);
        }
        String descr = d.group(1);
        DataType type = parseDescr(descr);
        if (type == null) {
            String hint = descr.startsWith(">") ? " (big-endian: convert with a.astype('" + "<" + descr.substring(1)
                    + "'))" : " (convert with a.astype('float32') before numpy.save)";
            throw new PretextException("NumPy file " + path + " has dtype '" + descr + "': expected one of "
                    + SUPPORTED + hint);
        }
        Matcher f = FORTRAN.matcher(header);
        if (!f.find()) {
            throw new PretextException("NumPy file " + path + " has a header without 'fortran_order': " + header.trim());
        }
        Matcher s = SHAPE.matcher(header);
        if (!s.find()) {
            throw new PretextException("NumPy file " + path + " has a header without a 'shape': " + header.trim());
        }
        String[] parts = s.group(1).split(",");
        long[] dims = Arrays.stream(parts).map(String::trim).filter(p -> !p.isEmpty()).mapToLong(p -> {
            try {
                return Long.parseLong(p.endsWith("L") ? p.substring(0, p.length() - 1) : p);
            } catch (NumberFormatException e) {
                throw new PretextException("NumPy file " + path + " has a malformed shape (" + s.group(1) + ")");
            }
        }).toArray();
        if (dims.length == 0) {
            throw new PretextException("NumPy file " + path + " holds a single scalar: expected an array with"
                    + " one row per example");
        }
        for (long v : dims) {
            if (v < 0) {
                throw new PretextException("NumPy file " + path + " has a negative dimension in shape ("
                        + s.group(1) + ")");
            }
        }
        if (f.group(1).equals("True") && dims.length > 1) { // one axis is the same in either order
            throw new PretextException("NumPy file " + path + " is stored in Fortran (column-major) order:"
                    + " expected C order (save numpy.ascontiguousarray(a) instead)");
        }
        return new NpyFile(path, type, dims, offset);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                break;
            }
            pos += n;
        }
    }

    /** Number of rows (the first dimension). */
    public long rows() {
        return shape[0];
    }

    /** Elements per row (product of the other dimensions). */
    public long rowElements() {
        long n = 1;
        for (int i = 1; i < shape.length; i++) {
            n *= shape[i];
        }
        return n;
    }

    /** Bytes per row. */
    public long rowBytes() {
        return rowElements() * dtype.getNumOfBytes();
    }

    /** Bytes of data the header declares. */
    public long dataBytes() {
        return rows() * rowBytes();
    }

    /** The shape as numpy prints it, e.g. {@code (60000, 28, 28)}. */
    public String shapeText() {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return sb.append(')').toString();
    }

    /** Reads rows {@code [from, from + count)} as little-endian raw bytes. */
    public byte[] readRows(long from, int count) {
        long bytes = count * rowBytes();
        if (from < 0 || count < 0 || from + count > rows()) {
            throw new IndexOutOfBoundsException("rows " + from + ".." + (from + count) + " of " + rows());
        }
        if (bytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("cannot read " + bytes + " bytes at once from " + path);
        }
        byte[] out = new byte[(int) bytes];
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.wrap(out);
            readFully(ch, buf, dataOffset + from * rowBytes());
            if (buf.hasRemaining()) {
                throw new PretextException("NumPy file " + path + " became shorter while it was being read");
            }
        } catch (IOException e) {
            throw new PretextException("NumPy file " + path + " could not be read: " + e.getMessage(), e);
        }
        return out;
    }

    /** Every value as float32 times {@code scale}; fails if the array is too large for one Java array. */
    public float[] readAllFloats(float scale) {
        long n = rows() * rowElements();
        if (n > Integer.MAX_VALUE - 16) {
            throw new PretextException("NumPy file " + path + " holds " + n + " values, more than one Java array can"
                    + " hold: read it with storage=disk");
        }
        float[] out = new float[(int) n];
        long rowsPerChunk = Math.max(1, (64L << 20) / Math.max(1, rowBytes()));
        for (long r = 0; r < rows(); r += rowsPerChunk) {
            int c = (int) Math.min(rowsPerChunk, rows() - r);
            byte[] raw = readRows(r, c);
            toFloats(dtype, littleEndian(raw), 0, out, (int) (r * rowElements()), (int) (c * rowElements()), scale);
        }
        return out;
    }

    /**
     * Checks that every value, as the float32 times {@code scale} that training sees, is finite:
     * one pass over the data in chunks of about 4 MB (integer types are finite by construction).
     *
     * @throws PretextException naming the file, the value and its row and column (counting from 0)
     */
    public void requireFinite(float scale) {
        if (dtype.isInteger() || rows() == 0 || rowElements() == 0) {
            return;
        }
        long per = rowElements();
        long rowsPerChunk = Math.max(1, (4L << 20) / Math.max(1, rowBytes())); // small: the heap may be, too
        float[] buf = new float[(int) Math.min(rows(), rowsPerChunk) * (int) per];
        for (long r = 0; r < rows(); r += rowsPerChunk) {
            int c = (int) Math.min(rowsPerChunk, rows() - r);
            int n = (int) (c * per);
            ByteBuffer b = littleEndian(readRows(r, c));
            toFloats(dtype, b, 0, buf, 0, n, scale);
            int bad = Finite.firstNonFinite(buf, 0, n);
            if (bad >= 0) {
                double v = getDouble(dtype, b, bad);
                String what = Double.isNaN(v) ? "NaN" : Double.isInfinite(v) ? (v > 0 ? "inf" : "-inf")
                        : v + " (too large for float32)";
                throw new PretextException("NumPy file " + path + " holds " + what + " at "
                        + Finite.position(r * per + bad, shape) + " (counting from 0; the first value that is not a"
                        + " finite number): expected finite numbers. Replace or drop such values first, e.g. with"
                        + " numpy.nan_to_num(x) or x[numpy.isfinite(x).reshape(len(x), -1).all(axis=1)]");
            }
        }
    }

    /**
     * Reads a vector of integer class labels: shape (n,) or (n, 1), an integer dtype or floats
     * holding whole numbers. Anything else is refused naming the file and the first bad value.
     */
    public long[] readLabels() {
        if (!(shape.length == 1 || (shape.length == 2 && shape[1] == 1))) {
            throw new PretextException("NumPy labels file " + path + " has shape " + shapeText()
                    + ": expected one label per example, shape (n,) or (n, 1)");
        }
        if (rows() > Integer.MAX_VALUE - 16) {
            throw new PretextException("NumPy labels file " + path + " holds too many labels (" + rows() + ")");
        }
        byte[] raw = readRows(0, (int) rows());
        ByteBuffer b = littleEndian(raw);
        long[] out = new long[(int) rows()];
        for (int i = 0; i < out.length; i++) {
            if (dtype == DataType.INT64) {
                out[i] = b.getLong(8 * i);
                continue;
            }
            double v = getDouble(dtype, b, i);
            if (v != Math.rint(v) || Double.isInfinite(v)) {
                throw new PretextException("NumPy labels file " + path + " holds " + v + " at index " + i
                        + ": expected whole-number class labels");
            }
            out[i] = (long) v;
        }
        return out;
    }

    /** The descriptor of a supported type as headers spell it, e.g. {@code <f4}, {@code |u1}. */
    public static String descr(DataType type) {
        return switch (type) {
            case FLOAT32 -> "<f4";
            case FLOAT64 -> "<f8";
            case UINT8 -> "|u1";
            case INT32 -> "<i4";
            case INT64 -> "<i8";
            default -> throw new IllegalArgumentException(type + " is not a type Pretext stores in .npy files: expected"
                    + " one of " + SUPPORTED);
        };
    }

    /**
     * The type of a header descriptor, or null when it is not one Pretext reads.
     *
     * @param descr e.g. {@code <f4}, {@code |u1} (unsigned bytes with any byte-order character)
     */
    public static DataType parseDescr(String descr) {
        String d = descr.trim().toLowerCase(Locale.ROOT);
        if (d.length() == 3 && d.endsWith("u1") && "<>|=".indexOf(d.charAt(0)) >= 0) {
            return DataType.UINT8;
        }
        return switch (d) {
            case "<f4" -> DataType.FLOAT32;
            case "<f8" -> DataType.FLOAT64;
            case "<i4" -> DataType.INT32;
            case "<i8" -> DataType.INT64;
            default -> null;
        };
    }

    /** A little-endian view of bytes. */
    public static ByteBuffer littleEndian(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Converts {@code count} elements of a type starting at element {@code from} of a
     * little-endian buffer to float32, each multiplied by {@code scale} (e.g. {@link #BYTE_SCALE}).
     */
    public static void toFloats(DataType type, ByteBuffer src, long from, float[] dst, int offset, int count,
            float scale) {
        int base = Math.toIntExact(from * type.getNumOfBytes());
        switch (type) {
            case FLOAT32 -> {
                src.asFloatBuffer().get((int) from, dst, offset, count);
                if (scale != 1f) {
                    for (int i = 0; i < count; i++) {
                        dst[offset + i] *= scale;
                    }
                }
            }
            case FLOAT64 -> {
                for (int i = 0; i < count; i++) {
                    dst[offset + i] = (float) (src.getDouble(base + 8 * i) * scale);
                }
            }
            case UINT8 -> {
                if (scale == BYTE_SCALE) {
                    for (int i = 0; i < count; i++) {
                        dst[offset + i] = (src.get(base + i) & 0xFF) / 255f;
                    }
                } else {
                    for (int i = 0; i < count; i++) {
                        dst[offset + i] = (src.get(base + i) & 0xFF) * scale;
                    }
                }
            }
            case INT32 -> {
                for (int i = 0; i < count; i++) {
                    dst[offset + i] = src.getInt(base + 4 * i) * scale;
                }
            }
            case INT64 -> {
                for (int i = 0; i < count; i++) {
                    dst[offset + i] = src.getLong(base + 8 * i) * scale;
                }
            }
            default -> throw new IllegalArgumentException(type + " is not a .npy type Pretext reads");
        }
    }

    /** Element {@code index} as a double (exact for every type but large int64 values). */
    static double getDouble(DataType type, ByteBuffer src, long index) {
        int at = Math.toIntExact(index * type.getNumOfBytes());
        return switch (type) {
            case FLOAT32 -> src.getFloat(at);
            case FLOAT64 -> src.getDouble(at);
            case UINT8 -> src.get(at) & 0xFF;
            case INT32 -> src.getInt(at);
            case INT64 -> src.getLong(at);
            default -> throw new IllegalArgumentException(type + " is not a .npy type Pretext reads");
        };
    }
}
