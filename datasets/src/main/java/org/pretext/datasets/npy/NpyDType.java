package org.pretext.datasets.npy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Locale;

/**
 * The NumPy element types Pretext reads: little-endian float32, float64, int32, int64 and
 * unsigned bytes. Conversion to float32 is {@code value × scale} for every type, so callers choose
 * whether bytes become [0, 1] ({@code scale = 1/255}) or stay 0–255.
 */
public enum NpyDType {
    /** {@code <f4}. */
    F4("<f4", 4),
    /** {@code <f8}. */
    F8("<f8", 8),
    /** {@code |u1} (unsigned bytes, any byte-order character). */
    U1("|u1", 1),
    /** {@code <i4}. */
    I4("<i4", 4),
    /** {@code <i8}. */
    I8("<i8", 8);

    /** The descriptors accepted, for messages. */
    public static final List<String> SUPPORTED = List.of("<f4", "<f8", "|u1", "<i4", "<i8");

    /** The scale that maps bytes to [0, 1]; bytes are then divided by 255 exactly (v / 255f). */
    public static final float BYTE_SCALE = 1f / 255f;

    private final String descr;
    private final int size;

    NpyDType(String descr, int size) {
        this.descr = descr;
        this.size = size;
    }

    /** The descriptor written in headers, e.g. {@code <f4}. */
    public String descr() {
        return descr;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    /** Whether values are integers (labels can be read from such arrays exactly). */
    public boolean integral() {
        return this == U1 || this == I4 || this == I8;
    }

    /**
     * The type of a header descriptor, or null when it is not one Pretext reads.
     *
     * @param descr e.g. {@code <f4}, {@code |u1}
     */
    public static NpyDType parse(String descr) {
        String d = descr.trim().toLowerCase(Locale.ROOT);
        if (d.length() == 3 && d.endsWith("u1") && "<>|=".indexOf(d.charAt(0)) >= 0) {
            return U1;
        }
        for (NpyDType t : values()) {
            if (t.descr.equals(d)) {
                return t;
            }
        }
        return null;
    }

    /** A little-endian view of bytes. */
    public static ByteBuffer littleEndian(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Converts {@code count} elements starting at element {@code from} of a little-endian buffer.
     *
     * @param scale every value is multiplied by this (e.g. 1/255 for bytes to [0, 1])
     */
    public void toFloats(ByteBuffer src, long from, float[] dst, int offset, int count, float scale) {
        int base = Math.toIntExact(from * size);
        switch (this) {
            case F4 -> {
                src.asFloatBuffer().get((int) from, dst, offset, count);
                if (scale != 1f) {
                    for (int i = 0; i < count; i++) {
                        dst[offset + i] *= scale;
                    }
                }
            }
            case F8 -> {
                for (int i = 0; i < count; i++) {
                    dst[offset + i] = (float) (src.getDouble(base + 8 * i) * scale);
                }
            }
            case U1 -> {
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
            case I4 -> {
                for (int i = 0; i < count; i++) {
                    dst[offset + i] = src.getInt(base + 4 * i) * scale;
                }
            }
            case I8 -> {
                for (int i = 0; i < count; i++) {
                    dst[offset + i] = src.getLong(base + 8 * i) * scale;
                }
            }
            default -> throw new IllegalStateException(name());
        }
    }

    /** Element {@code index} as a double (exact for every type but large int64 values). */
    public double getDouble(ByteBuffer src, long index) {
        int at = Math.toIntExact(index * size);
        return switch (this) {
            case F4 -> src.getFloat(at);
            case F8 -> src.getDouble(at);
            case U1 -> src.get(at) & 0xFF;
            case I4 -> src.getInt(at);
            case I8 -> src.getLong(at);
        };
    }
}
