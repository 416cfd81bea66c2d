package org.pretext.transform;

import org.apiguardian.api.API;
import java.util.SplittableRandom;

/**
 * {@code random-resized-crop}: a crop of random area fraction in [minScale, maxScale] and aspect
 * ratio (log-uniform) in [minRatio, maxRatio], resized back to the image's size with bilinear
 * sampling (half-pixel centres, edges clamped). The crop is drawn as in torchvision's
 * {@code RandomResizedCrop}: up to ten tries for a crop that fits, then a centre crop clamped to
 * the ratio range. SimCLR uses scale [0.08, 1] and ratio [3/4, 4/3].
 *
 * @param channels C
 * @param height H
 * @param width W
 * @param minScale smallest area fraction
 * @param maxScale largest area fraction
 * @param minRatio smallest width/height ratio
 * @param maxRatio largest width/height ratio
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public record RandomResizedCrop(int channels, int height, int width, double minScale, double maxScale,
        double minRatio, double maxRatio) implements ImageAugmentation {

    /** SimCLR's crop: scale [minScale, 1], ratio [3/4, 4/3]. */
    public static RandomResizedCrop simclr(int channels, int height, int width, double minScale) {
        return new RandomResizedCrop(channels, height, width, minScale, 1.0, 3.0 / 4.0, 4.0 / 3.0);
    }

    @Override
    public String name() {
        return "random-resized-crop";
    }

    /**
     * Draws a crop box: {top, left, h, w} in pixels.
     */
    int[] box(SplittableRandom r) {
        double area = (double) height * width;
        double logLo = Math.log(minRatio);
        double logHi = Math.log(maxRatio);
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (minScale + (maxScale - minScale) * r.nextDouble());
            double ratio = Math.exp(logLo + (logHi - logLo) * r.nextDouble());
            int w = (int) Math.round(Math.sqrt(target * ratio));
            int h = (int) Math.round(Math.sqrt(target / ratio));
            if (w > 0 && h > 0 && w <= width && h <= height) {
                int top = r.nextInt(height - h + 1);
                int left = r.nextInt(width - w + 1);
                return new int[] {top, left, h, w};
            }
        }
        double inRatio = (double) width / height;
        int w;
        int h;
        if (inRatio < minRatio) {
            w = width;
            h = (int) Math.round(w / minRatio);
        } else if (inRatio > maxRatio) {
            h = height;
            w = (int) Math.round(h * maxRatio);
        } else {
            w = width;
            h = height;
        }
        return new int[] {(height - h) / 2, (width - w) / 2, h, w};
    }

    @Override
    public void apply(float[] src, float[] dst, SplittableRandom r) {
        int[] b = box(r);
        float[] in = src == dst ? src.clone() : src;
        resize(in, dst, b[0], b[1], b[2], b[3]);
    }

    /** Bilinear resize of the box (top, left, h, w) of every channel of {@code in} to H × W. */
    void resize(float[] in, float[] out, int top, int left, int h, int w) {
        int plane = height * width;
        double sy = (double) h / height;
        double sx = (double) w / width;
        int[] x0 = new int[width];
        int[] x1 = new int[width];
        float[] fx = new float[width];
        for (int u = 0; u < width; u++) {
            double x = left + (u + 0.5) * sx - 0.5;
            x = Math.max(left, Math.min(left + w - 1, x));
            x0[u] = (int) Math.floor(x);
            x1[u] = Math.min(x0[u] + 1, left + w - 1);
            fx[u] = (float) (x - x0[u]);
        }
        for (int v = 0; v < height; v++) {
            double y = top + (v + 0.5) * sy - 0.5;
            y = Math.max(top, Math.min(top + h - 1, y));
            int y0 = (int) Math.floor(y);
            int y1 = Math.min(y0 + 1, top + h - 1);
            float fy = (float) (y - y0);
            for (int c = 0; c < channels; c++) {
                int base = c * plane;
                int r0 = base + y0 * width;
                int r1 = base + y1 * width;
                int o = base + v * width;
                for (int u = 0; u < width; u++) {
                    float a = in[r0 + x0[u]] + (in[r0 + x1[u]] - in[r0 + x0[u]]) * fx[u];
                    float bb = in[r1 + x0[u]] + (in[r1 + x1[u]] - in[r1 + x0[u]]) * fx[u];
                    out[o + u] = a + (bb - a) * fy;
                }
            }
        }
    }
}
