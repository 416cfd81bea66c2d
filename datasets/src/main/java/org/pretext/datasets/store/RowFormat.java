package org.pretext.datasets.store;

import org.pretext.datasets.npy.NpyFile;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import ai.djl.ndarray.types.DataType;

/**
 * How one stored row becomes one example: its element type, the factor values are multiplied by
 * (1/255 for bytes, 1 otherwise), the example shape, and whether the row is stored as
 * (H, W, C) and must be transposed to (C, H, W).
 *
 * @param dtype the stored element type
 * @param scale value multiplier
 * @param exampleShape shape of the example produced, e.g. (3, 32, 32)
 * @param channelsLast whether rows are stored (H, W, C) for an example shape (C, H, W)
 */
public record RowFormat(DataType dtype, float scale, Shape exampleShape, boolean channelsLast) {
    /** The usual scale for a type: 1/255 for bytes, 1 otherwise. */
    public static float defaultScale(DataType dtype) {
        return dtype == DataType.UINT8 ? NpyFile.BYTE_SCALE : 1f;
    }

    /** Elements per example. */
    public int elements() {
        return Math.toIntExact(exampleShape.size());
    }

    /** Bytes per stored row. */
    public int rowBytes() {
        return elements() * dtype.getNumOfBytes();
    }

    /**
     * Decodes row {@code row} of a little-endian buffer of rows into {@code dst} at {@code offset}.
     *
     * @param scratch a buffer of at least {@link #elements()} floats, used when transposing
     */
    public void decode(ByteBuffer rows, long row, float[] dst, int offset, float[] scratch) {
        int n = elements();
        if (!channelsLast) {
            NpyFile.toFloats(dtype, rows, row * n, dst, offset, n, scale);
            return;
        }
        NpyFile.toFloats(dtype, rows, row * n, scratch, 0, n, scale);
        hwcToChw(scratch, 0, dst, offset, (int) exampleShape.get(0), (int) exampleShape.get(1),
                (int) exampleShape.get(2));
    }

    /** Transposes one (H, W, C) example to (C, H, W). */
    public static void hwcToChw(float[] src, int srcOffset, float[] dst, int dstOffset, int c, int h, int w) {
        int plane = h * w;
        for (int p = 0; p < plane; p++) {
            int s = srcOffset + p * c;
            for (int k = 0; k < c; k++) {
                dst[dstOffset + k * plane + p] = src[s + k];
            }
        }
    }

    /** Transposes one (H, W, C) example of bytes to (C, H, W). */
    public static void hwcToChw(byte[] src, int srcOffset, byte[] dst, int dstOffset, int c, int h, int w) {
        int plane = h * w;
        for (int p = 0; p < plane; p++) {
            int s = srcOffset + p * c;
            for (int k = 0; k < c; k++) {
                dst[dstOffset + k * plane + p] = src[s + k];
            }
        }
    }
}
