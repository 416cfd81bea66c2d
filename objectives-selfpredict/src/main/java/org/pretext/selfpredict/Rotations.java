package org.pretext.selfpredict;

/** Rotations of square images (C, S, S) by multiples of 90°, on the host. */
public final class Rotations {
    private Rotations() {}

    /**
     * Rotates one image counter-clockwise by {@code k}·90° (k in 0..3), so that with k = 1 the
     * top row becomes the left column read upwards: out[c][S−1−x][y] = in[c][y][x].
     *
     * @param src the image (C, S, S), row-major
     * @param dst where to write the rotated image (same length, not {@code src} unless k = 0)
     * @param side S
     */
    public static void rotate(float[] src, int srcOffset, float[] dst, int dstOffset, int channels, int side, int k) {
        int plane = side * side;
        for (int c = 0; c < channels; c++) {
            int s0 = srcOffset + c * plane;
            int d0 = dstOffset + c * plane;
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    int ty;
                    int tx;
                    switch (k & 3) {
                        case 0 -> { ty = y; tx = x; }
                        case 1 -> { ty = side - 1 - x; tx = y; }
                        case 2 -> { ty = side - 1 - y; tx = side - 1 - x; }
                        default -> { ty = x; tx = side - 1 - y; }
                    }
                    dst[d0 + ty * side + tx] = src[s0 + y * side + x];
                }
            }
        }
    }
}
