package org.pretext.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link DigitAugmentation}'s resampling against the textbook one-pixel-at-a-time form (below):
 * bit for bit, so that hoisting products out of its loops and skipping pixels whose four neighbours
 * all lie outside the image change no run's numbers.
 */
class DigitAugmentationTest {
    /** The affine map and bilinear sampling as first written: every output pixel on its own, every read bounds-checked. */
    private static void reference(DigitAugmentation g, float[] src, float[] out, SplittableRandom r) {
        int width = g.width();
        int height = g.height();
        double area = uniform(r, g.minScale(), 1.0);
        double ratio = Math.exp(uniform(r, Math.log(3.0 / 4.0), Math.log(4.0 / 3.0)));
        double cw = Math.min(1.0, Math.sqrt(area * ratio)) * width;
        double ch = Math.min(1.0, Math.sqrt(area / ratio)) * height;
        double ox = uniform(r, cw / 2, width - cw / 2);
        double oy = uniform(r, ch / 2, height - ch / 2);
        double theta = Math.toRadians(uniform(r, -g.maxRotationDegrees(), g.maxRotationDegrees()));
        double shear = Math.tan(Math.toRadians(uniform(r, -g.maxShearDegrees(), g.maxShearDegrees())));
        double a = Math.cos(theta);
        double b = Math.cos(theta) * shear - Math.sin(theta);
        double c = Math.sin(theta);
        double d = Math.sin(theta) * shear + Math.cos(theta);
        for (int k = 0; k < g.channels(); k++) {
            for (int v = 0; v < height; v++) {
                for (int u = 0; u < width; u++) {
                    double px = (u + 0.5 - width / 2.0) * (cw / width);
                    double py = (v + 0.5 - height / 2.0) * (ch / height);
                    double x = a * px + b * py + ox - 0.5;
                    double y = c * px + d * py + oy - 0.5;
                    int x0 = (int) Math.floor(x);
                    int y0 = (int) Math.floor(y);
                    double fx = x - x0;
                    double fy = y - y0;
                    int base = k * height * width;
                    out[base + v * width + u] = (float) ((at(g, src, base, x0, y0) * (1 - fx)
                            + at(g, src, base, x0 + 1, y0) * fx) * (1 - fy)
                            + (at(g, src, base, x0, y0 + 1) * (1 - fx) + at(g, src, base, x0 + 1, y0 + 1) * fx) * fy);
                }
            }
        }
    }

    private static double at(DigitAugmentation g, float[] img, int base, int x, int y) {
        return x < 0 || y < 0 || x >= g.width() || y >= g.height() ? 0.0 : img[base + y * g.width() + x];
    }

    private static double uniform(SplittableRandom r, double lo, double hi) {
        return hi > lo ? lo + (hi - lo) * r.nextDouble() : lo;
    }

    @Test
    void resamplesBitForBitAsTheOnePixelAtATimeForm() {
        int[][] shapes = {{1, 28, 28}, {3, 32, 32}, {2, 17, 23}};
        long compared = 0;
        for (int[] shape : shapes) {
            for (int seed = 0; seed < 400; seed++) {
                SplittableRandom g = new SplittableRandom(seed);
                // geometry only (no brightness, noise or erasing), crops down to 5 % of the image, turns up to 60°
                DigitAugmentation aug = new DigitAugmentation(shape[0], shape[1], shape[2], 0.05 + 0.95 * g.nextDouble(),
                        60 * g.nextDouble(), 40 * g.nextDouble(), 0, 0, 0);
                float[] src = new float[shape[0] * shape[1] * shape[2]];
                for (int i = 0; i < src.length; i++) {
                    src[i] = g.nextDouble() < 0.3 ? (float) g.nextDouble() : 0f;
                }
                float[] want = new float[src.length];
                float[] got = new float[src.length];
                reference(aug, src, want, new SplittableRandom(seed * 31L));
                aug.apply(src, got, new SplittableRandom(seed * 31L));
                for (int i = 0; i < want.length; i++) {
                    assertThat(Float.floatToRawIntBits(got[i])).as("shape %s seed %d value %d",
                            java.util.Arrays.toString(shape), seed, i).isEqualTo(Float.floatToRawIntBits(want[i]));
                }
                compared += want.length;
                float[] inPlace = src.clone(); // src == dst is allowed
                aug.apply(inPlace, inPlace, new SplittableRandom(seed * 31L));
                assertThat(inPlace).containsExactly(got);
            }
        }
        assertThat(compared).isGreaterThan(1_000_000);
    }
}
