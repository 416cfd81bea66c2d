package org.pretext.transform;

import org.apiguardian.api.API;
import java.util.SplittableRandom;

/**
 * Augmentations that suit small grey images such as 28×28 digits, one pass per image: a random
 * resized crop (area fraction in [minScale, 1], aspect ratio in [3/4, 4/3]) combined with a small
 * rotation and shear into a single affine map sampled bilinearly (zero outside), then brightness
 * scaling, Gaussian noise and random erasing. Works on (C, H, W) images, the same geometry for
 * every channel.
 *
 * @param channels C
 * @param height H
 * @param width W
 * @param minScale smallest crop area as a fraction of the image (1 disables cropping)
 * @param maxRotationDegrees rotation uniformly in ±this
 * @param maxShearDegrees shear uniformly in ±this
 * @param brightness multiply by a factor uniformly in [1 − b, 1 + b]
 * @param maxNoise add N(0, σ²) with σ uniformly in [0, maxNoise]
 * @param eraseProbability probability of erasing one rectangle of 2–20% of the area
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public record DigitAugmentation(int channels, int height, int width, double minScale, double maxRotationDegrees,
        double maxShearDegrees, double brightness, double maxNoise, double eraseProbability) implements Augmentation {

    @Override
    public void apply(float[] src, float[] dst, SplittableRandom r) {
        // random resized crop: size in source pixels and centre
        double area = uniform(r, minScale, 1.0);
        double logRatio = uniform(r, Math.log(3.0 / 4.0), Math.log(4.0 / 3.0));
        double ratio = Math.exp(logRatio);
        double cw = Math.min(1.0, Math.sqrt(area * ratio)) * width;
        double ch = Math.min(1.0, Math.sqrt(area / ratio)) * height;
        double ox = uniform(r, cw / 2, width - cw / 2);
        double oy = uniform(r, ch / 2, height - ch / 2);
        double theta = Math.toRadians(uniform(r, -maxRotationDegrees, maxRotationDegrees));
        double shear = Math.tan(Math.toRadians(uniform(r, -maxShearDegrees, maxShearDegrees)));
        // source = centre + R(θ)·[[1, shear],[0, 1]]·p, p the crop-relative offset of an output pixel
        double cos = Math.cos(theta);
        double sin = Math.sin(theta);
        double a = cos;
        double b = cos * shear - sin;
        double c = sin;
        double d = sin * shear + cos;
        double sx = cw / width;
        double sy = ch / height;
        int plane = height * width;
        // The source with a border of one zero pixel, so that every sample whose neighbours are not
        // all outside reads its four neighbours without bounds checks (the zeros are what a read
        // outside the image gives); the warp reads only this copy, so src may be dst.
        int paddedWidth = width + 2;
        int paddedPlane = (height + 2) * paddedWidth;
        float[] padded = new float[channels * paddedPlane];
        for (int k = 0; k < channels; k++) {
            for (int v = 0; v < height; v++) {
                System.arraycopy(src, k * plane + v * width, padded, k * paddedPlane + (v + 1) * paddedWidth + 1, width);
            }
        }
        // the same arithmetic as x = a·px + b·py + ox − 0.5 per pixel, its products hoisted out of the loops
        double[] apx = new double[width];
        double[] cpx = new double[width];
        for (int u = 0; u < width; u++) {
            double px = (u + 0.5 - width / 2.0) * sx;
            apx[u] = a * px;
            cpx[u] = c * px;
        }
        for (int v = 0; v < height; v++) {
            double py = (v + 0.5 - height / 2.0) * sy;
            double bpy = b * py;
            double dpy = d * py;
            int row = v * width;
            for (int u = 0; u < width; u++) {
                double x = apx[u] + bpy + ox - 0.5;
                double y = cpx[u] + dpy + oy - 0.5;
                int x0 = floor(x);
                int y0 = floor(y);
                if (x0 < -1 || y0 < -1 || x0 >= width || y0 >= height) {
                    for (int k = 0; k < channels; k++) { // all four neighbours outside: exactly zero
                        dst[k * plane + row + u] = 0f;
                    }
                    continue;
                }
                double fx = x - x0;
                double fy = y - y0;
                int i = (y0 + 1) * paddedWidth + x0 + 1;
                for (int k = 0; k < channels; k++, i += paddedPlane) {
                    double v00 = padded[i];
                    double v10 = padded[i + 1];
                    double v01 = padded[i + paddedWidth];
                    double v11 = padded[i + paddedWidth + 1];
                    dst[k * plane + row + u] = (float) ((v00 * (1 - fx) + v10 * fx) * (1 - fy)
                            + (v01 * (1 - fx) + v11 * fx) * fy);
                }
            }
        }
        float factor = (float) uniform(r, 1 - brightness, 1 + brightness);
        float sigma = (float) uniform(r, 0, maxNoise);
        for (int i = 0; i < dst.length; i++) {
            float val = Math.min(1f, dst[i] * factor);
            dst[i] = sigma > 0 ? val + sigma * (float) r.nextGaussian() : val;
        }
        if (r.nextDouble() < eraseProbability) {
            erase(dst, r);
        }
    }

    private void erase(float[] img, SplittableRandom r) {
        double area = uniform(r, 0.02, 0.2) * height * width;
        double ratio = Math.exp(uniform(r, Math.log(0.3), Math.log(3.3)));
        int eh = (int) Math.min(height, Math.round(Math.sqrt(area * ratio)));
        int ew = (int) Math.min(width, Math.round(Math.sqrt(area / ratio)));
        int top = r.nextInt(height - eh + 1);
        int left = r.nextInt(width - ew + 1);
        for (int k = 0; k < channels; k++) {
            for (int v = top; v < top + eh; v++) {
                int row = k * height * width + v * width;
                for (int u = left; u < left + ew; u++) {
                    img[row + u] = 0f;
                }
            }
        }
    }

    /** ⌊x⌋ as {@code (int) Math.floor(x)} gives it for |x| < 2³¹, without the rounding instruction. */
    private static int floor(double x) {
        int t = (int) x;
        return x < t ? t - 1 : t;
    }

    private static double uniform(SplittableRandom r, double lo, double hi) {
        return hi > lo ? lo + (hi - lo) * r.nextDouble() : lo;
    }
}
