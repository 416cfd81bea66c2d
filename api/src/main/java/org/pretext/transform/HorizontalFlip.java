package org.pretext.transform;

import org.apiguardian.api.API;
import java.util.SplittableRandom;

/**
 * {@code horizontal-flip}: mirrors the image left to right with probability {@code probability}
 * (SimCLR: 0.5). One uniform draw per call.
 *
 * @param channels C
 * @param height H
 * @param width W
 * @param probability chance of flipping
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public record HorizontalFlip(int channels, int height, int width, double probability) implements ImageAugmentation {
    @Override
    public String name() {
        return "horizontal-flip";
    }

    @Override
    public void apply(float[] src, float[] dst, SplittableRandom r) {
        boolean flip = r.nextDouble() < probability;
        if (!flip) {
            if (src != dst) {
                System.arraycopy(src, 0, dst, 0, channels * height * width);
            }
            return;
        }
        flip(src, dst, channels, height, width);
    }

    /** Mirrors every row (works in place). */
    static void flip(float[] src, float[] dst, int channels, int height, int width) {
        for (int row = 0; row < channels * height; row++) {
            int base = row * width;
            for (int i = 0, j = width - 1; i <= j; i++, j--) {
                float a = src[base + i];
                float b = src[base + j];
                dst[base + i] = b;
                dst[base + j] = a;
            }
        }
    }
}
