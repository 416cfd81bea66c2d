package org.pretext.probe;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pretext.PretextException;
import org.pretext.data.Finite;
import org.pretext.encoder.Features;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0–3.0, as written by
 * {@code numpy.save}) holding what the probe exchanges with other tools:
 * <ul>
 *   <li>features: float32 ({@code '<f4'}), shape (n, d), C order;
 *   <li>labels: int32 ({@code '<i4'}), int64 ({@code '<i8'}) or uint8 ({@code '|u1'}), shape (n,),
 *       values ≥ 0.
 * </ul>
 * Anything else — another dtype, big-endian data, Fortran order, a wrong number of dimensions, a
 * truncated or over-long file, a damaged header — is a {@link PretextException} naming the file,
 * what it holds and what was expected. Files are read whole into JVM memory.
 */
public final class NpyFile {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private NpyFile() {}

    /** A parsed header: dtype descriptor, shape, and where the data starts. */
    record Header(String descr, boolean fortranOrder, long[] shape, long dataOffset) {
        long count() {
            long n = 1;
            for (long s : shape) {
                n = Math.multiplyExact(n, s);
            }
            return n;
        }

        String shapeText() {
            StringBuilder b = new StringBuilder("(");
            for (int i = 0; i < shape.length; i++) {
                b.append(i > 0 ? ", " : "").append(shape[i]);
            }
            return b.append(shape.length == 1 ? ",)" : ")").toString();
        }
    }

    /**
     * Reads a float32 (n, d) feature matrix.
     *
     * @return the features, without labels
     */
    public static Features.Matrix readFeatures(Path file) {
        try (FileChannel ch = open(file)) {
            Header h = header(file, ch);
            if (!h.descr().equals("<f4")) {
                throw new PretextException(file + " holds " + describe(h.descr()) + " values: expected float32 features"
                        + " ('<f4'). Convert them with numpy.save(path, x.astype(numpy.float32))");
            }
            requireC(file, h);
            if (h.shape().length != 2) {
                throw new PretextException(file + " has shape " + h.shapeText() + ": expected features of shape (n, d)");
            }
            long n = h.shape()[0];
            long d = h.shape()[1];
            if (n == 0 || d == 0) {
                throw new PretextException(file + " has shape " + h.shapeText() + ": expected at least one row and"
                        + " one column");
            }
            if (n * d > Integer.MAX_VALUE - 8) {
                throw new PretextException(file + " has shape " + h.shapeText() + ": more than 2^31 values do not fit"
                        + " in one Java array");
            }
            ByteBuffer data = body(file, ch, h, 4);
            float[] values = new float[(int) (n * d)];
            data.asFloatBuffer().get(values);
            int bad = Finite.firstNonFinite(values, 0, values.length);
            if (bad >= 0) {
                throw new PretextException(file + " holds " + values[bad] + " at " + Finite.position(bad, h.shape())
                        + " (counting from 0; the first value that is not a finite number): the probes need finite"
                        + " features. Replace or drop such rows first, e.g. x[numpy.isfinite(x).all(axis=1)] (and the"
                        + " same rows of the labels)");
            }
            return new Features.Matrix(values, (int) n, (int) d, null, 0);
        } catch (IOException e) {
            throw new PretextException("Could not read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads integer class labels of shape (n,): int32, int64 or uint8, every value ≥ 0. */
    public static int[] readLabels(Path file) {
        try (FileChannel ch = open(file)) {
            Header h = header(file, ch);
            int width = switch (h.descr()) {
                case "<i4" -> 4;
                case "<i8" -> 8;
                case "|u1", "<u1", ">u1" -> 1;
                default -> throw new PretextException(file + " holds " + describe(h.descr()) + " values: expected"
                        + " integer labels of dtype int32 ('<i4'), int64 ('<i8') or uint8 ('|u1')");
            };
            requireC(file, h);
            if (h.shape().length != 1) {
                throw new PretextException(file + " has shape " + h.shapeText() + ": expected labels of shape (n,)");
            }
            long n = h.shape()[0];
            if (n == 0) {
                throw new PretextException(file + " holds no labels: expected shape (n,) with n > 0");
            }
            if (n > Integer.MAX_VALUE - 8) {
                throw new PretextException(file + " has " + n + " labels: more than fit in one Java array");
            }
            ByteBuffer data = body(file, ch, h, width);
            int[] labels = new int[(int) n];
            for (int i = 0; i < n; i++) {
                long v = switch (width) {
                    case 4 -> data.getInt();
                    case 8 -> data.getLong();
                    default -> data.get() & 0xff;
                };
                if (v < 0 || v > Integer.MAX_VALUE) {
                    throw new PretextException(file + ": label " + v + " at index " + i
                            + " is not a class index: expected integers >= 0");
                }
                labels[i] = (int) v;
            }
            return labels;
        } catch (IOException e) {
            throw new PretextException("Could not read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes a float32 (rows, cols) matrix, atomically (temporary file, then rename). */
    public static void writeFeatures(Path file, float[] values, int rows, int cols) throws IOException {
        if ((long) rows * cols != values.length) {
            throw new IllegalArgumentException(values.length + " values for shape (" + rows + ", " + cols + ")");
        }
        ByteBuffer body = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        body.asFloatBuffer().put(values);
        write(file, "<f4", "(" + rows + ", " + cols + ")", body.array());
    }

    /** Writes the feature matrix's values (labels are written separately). */
    public static void writeFeatures(Path file, Features.Matrix matrix) throws IOException {
        writeFeatures(file, matrix.values(), matrix.rows(), matrix.cols());
    }

    /** Writes int32 labels of shape (n,), atomically. */
    public static void writeLabels(Path file, int[] labels) throws IOException {
        ByteBuffer body = ByteBuffer.allocate(labels.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        body.asIntBuffer().put(labels);
        write(file, "<i4", "(" + labels.length + ",)", body.array());
    }

    private static void write(Path file, String descr, String shape, byte[] body) throws IOException {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(padding) + "\n";
        byte[] h = header.getBytes(StandardCharsets.US_ASCII);
        if (h.length > 65535) {
            throw new IOException("npy header too long for format 1.0");
        }
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        // Not Files.createTempFile: its owner-only permissions would stay on the renamed file.
        Path tmp = file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid() + "."
                + System.nanoTime() + ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                out.write(MAGIC);
                out.write(new byte[] {1, 0, (byte) (h.length & 0xff), (byte) (h.length >>> 8)});
                out.write(h);
                out.write(body);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static FileChannel open(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new PretextException("File not found: " + file + " (expected a NumPy .npy file)");
        }
    }

    static Header header(Path file, FileChannel ch) throws IOException {
        ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, pre, 0);
        pre.flip();
        if (pre.remaining() < 10) {
            throw new PretextException(file + " is not a NumPy .npy file: it has only " + ch.size()
                    + " bytes (truncated or empty)");
        }
        for (byte b : MAGIC) {
            if (pre.get() != b) {
                throw new PretextException(file + " is not a NumPy .npy file: it does not start with \\x93NUMPY");
            }
        }
        int major = pre.get() & 0xff;
        int minor = pre.get() & 0xff;
        long headerLen;
        int lenBytes;
        if (major == 1) {
            headerLen = pre.getShort() & 0xffff;
            lenBytes = 2;
        } else if (major == 2 || major == 3) {
            if (pre.remaining() < 4) {
                throw new PretextException(file + " is truncated inside its .npy header");
            }
            headerLen = pre.getInt() & 0xffffffffL;
            lenBytes = 4;
        } else {
            throw new PretextException(file + " uses .npy format version " + major + "." + minor
                    + ": expected version 1.0, 2.0 or 3.0");
        }
        long start = MAGIC.length + 2 + lenBytes;
        if (headerLen > 1 << 20 || start + headerLen > ch.size()) {
            throw new PretextException(file + " is truncated: its .npy header claims " + headerLen + " bytes but the"
                    + " file has " + ch.size() + " bytes in all");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
        readFully(ch, hb, start);
        String text = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher descr = DESCR.matcher(text);
        Matcher fortran = FORTRAN.matcher(text);
        Matcher shape = SHAPE.matcher(text);
        if (!descr.find() || !fortran.find() || !shape.find()) {
            throw new PretextException(file + " has a damaged .npy header '" + text.strip()
                    + "': expected keys 'descr', 'fortran_order' and 'shape'");
        }
        String dims = shape.group(1).trim();
        long[] s;
        if (dims.isEmpty()) {
            s = new long[0];
        } else {
            String[] parts = dims.split(",");
            int count = parts[parts.length - 1].isBlank() ? parts.length - 1 : parts.length;
            s = new long[count];
            for (int i = 0; i < count; i++) {
                try {
                    s[i] = Long.parseLong(parts[i].trim().replace("L", ""));
                } catch (NumberFormatException e) {
                    throw new PretextException(file + " has a damaged .npy header: shape '(" + dims + ")'");
                }
                if (s[i] < 0) {
                    throw new PretextException(file + " has a negative dimension in its shape '(" + dims + ")'");
                }
            }
        }
        return new Header(descr.group(1), fortran.group(1).equals("True"), s, start + headerLen);
    }

    private static void requireC(Path file, Header h) {
        if (h.fortranOrder() && h.shape().length > 1) {
            throw new PretextException(file + " is stored in Fortran (column-major) order: expected C order. Save it"
                    + " with numpy.save(path, numpy.ascontiguousarray(x))");
        }
    }

    private static ByteBuffer body(Path file, FileChannel ch, Header h, int width) throws IOException {
        long expected = Math.multiplyExact(h.count(), width);
        long actual = ch.size() - h.dataOffset();
        if (actual < expected) {
            throw new PretextException(String.format(Locale.ROOT,
                    "%s is truncated: shape %s of %s needs %d data bytes but the file has %d", file, h.shapeText(),
                    h.descr(), expected, actual));
        }
        if (actual > expected) {
            throw new PretextException(String.format(Locale.ROOT,
                    "%s has %d bytes after its data: shape %s of %s needs exactly %d (not a single .npy array?)",
                    file, actual - expected, h.shapeText(), h.descr(), expected));
        }
        ByteBuffer data = ByteBuffer.allocate((int) expected).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, data, h.dataOffset());
        data.flip();
        return data;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) {
                break;
            }
            pos += r;
        }
    }

    private static String describe(String descr) {
        String name = switch (descr.length() > 1 ? descr.substring(1) : descr) {
            case "f4" -> "float32";
            case "f8" -> "float64";
            case "f2" -> "float16";
            case "i1" -> "int8";
            case "i2" -> "int16";
            case "i4" -> "int32";
            case "i8" -> "int64";
            case "u1" -> "uint8";
            case "u2" -> "uint16";
            case "u4" -> "uint32";
            case "u8" -> "uint64";
            case "b1" -> "bool";
            default -> null;
        };
        String order = descr.startsWith(">") && !descr.endsWith("1") ? "big-endian " : "";
        return name == null ? "dtype '" + descr + "'" : order + name + " ('" + descr + "')";
    }
}
