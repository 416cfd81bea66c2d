package org.pretext.datasets.image;

/**
 * Resamples a rectangle of an image plane to an output grid with a separable triangle (bilinear)
 * filter whose support widens by the reduction factor when shrinking, so downscaling averages
 * every source pixel instead of skipping them (as Pillow's antialiased bilinear resize does).
 * Pixel centres are at half-integers.
 */
final class Resampler {
    /** For each output coordinate: the first source index and the weights that follow it. */
    private record Taps(int[] start, float[][] weights) {}

    private final Taps horizontal;
    private final Taps vertical;
    private final int srcW;
    private final int outW;
    private final int outH;

    /**
     * @param srcW source width
     * @param srcH source height
     * @param x0 left edge of the source rectangle (pixels)
     * @param y0 top edge
     * @param w rectangle width
     * @param h rectangle height
     */
    Resampler(int srcW, int srcH, double x0, double y0, double w, double h, int outW, int outH) {
        this.srcW = srcW;
        this.outW = outW;
        this.outH = outH;
        this.horizontal = taps(srcW, x0, w, outW);
        this.vertical = taps(srcH, y0, h, outH);
    }

    private static Taps taps(int size, double origin, double extent, int out) {
        double scale = extent / out;
        double support = Math.max(1.0, scale);
        int[] start = new int[out];
        float[][] weights = new float[out][];
        for (int i = 0; i < out; i++) {
            double centre = origin + (i + 0.5) * scale;
            int lo = (int) Math.floor(centre - support);
            int hi = (int) Math.ceil(centre + support);
            double[] w = new double[hi - lo + 1];
            double sum = 0;
            for (int k = lo; k <= hi; k++) {
                double d = Math.abs(k + 0.5 - centre) / support;
                double v = d < 1 ? 1 - d : 0;
                w[k - lo] = v;
                sum += v;
            }
            // clamp taps to the image: weight of outside pixels goes to the nearest edge pixel
            int first = Math.max(0, Math.min(size - 1, lo));
            int last = Math.max(0, Math.min(size - 1, hi));
            float[] fw = new float[last - first + 1];
            for (int k = lo; k <= hi; k++) {
                int c = Math.max(0, Math.min(size - 1, k));
                fw[c - first] += (float) (sum > 0 ? w[k - lo] / sum : (k == lo ? 1 : 0));
            }
            start[i] = first;
            weights[i] = fw;
        }
        return new Taps(start, weights);
    }

    /**
     * Resamples one plane.
     *
     * @param src source plane, row-major, {@code srcW} wide
     * @param rowBuffer scratch of at least {@code srcH × outW} floats
     * @param dst output, {@code outW × outH} values written from {@code offset}
     */
    void apply(float[] src, float[] rowBuffer, float[] dst, int offset) {
        int rowLo = vertical.start()[0];
        int rowHi = rowLo;
        for (int i = 0; i < outH; i++) {
            rowLo = Math.min(rowLo, vertical.start()[i]);
            rowHi = Math.max(rowHi, vertical.start()[i] + vertical.weights()[i].length - 1);
        }
        for (int y = rowLo; y <= rowHi; y++) {
            int base = y * srcW;
            for (int x = 0; x < outW; x++) {
                int s = base + horizontal.start()[x];
                float[] w = horizontal.weights()[x];
                float acc = 0;
                for (int k = 0; k < w.length; k++) {
                    acc += w[k] * src[s + k];
                }
                rowBuffer[y * outW + x] = acc;
            }
        }
        for (int y = 0; y < outH; y++) {
            int s = vertical.start()[y];
            float[] w = vertical.weights()[y];
            for (int x = 0; x < outW; x++) {
                float acc = 0;
                for (int k = 0; k < w.length; k++) {
                    acc += w[k] * rowBuffer[(s + k) * outW + x];
                }
                dst[offset + y * outW + x] = acc;
            }
        }
    }
}
