package org.pretext.transform;

import org.apiguardian.api.API;
import java.util.SplittableRandom;

/**
 * {@code random-greyscale}: with probability {@code probability} (SimCLR: 0.2) replaces every
 * channel of an RGB image by its grey level 0.299 R + 0.587 G + 0.114 B (still three channels).
 * One-channel images are left as they are. One uniform draw per call.
 *
 * @param channels C
 * @param height H
 * @param width W
 * @param probability chance of turning grey
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public record RandomGreyscale(int channels, int height, int width, double probability) implements ImageAugmentation {
    @Override
    public String name() {
        return "random-greyscale";
    }

    @Override
    public void apply(float[] src, float[] dst, SplittableRandom r) {
        int plane = height * width;
        if (src != dst) {
            System.arraycopy(src, 0, dst, 0, channels * plane);
        }
        if (r.nextDouble() >= probability || channels != 3) {
            return;
        }
        for (int p = 0; p < plane; p++) {
            float g = 0.299f * dst[p] + 0.587f * dst[plane + p] + 0.114f * dst[2 * plane + p];
            g = g < 0 ? 0 : g > 1 ? 1 : g;
            dst[p] = g;
            dst[plane + p] = g;
            dst[2 * plane + p] = g;
        }
    }
}
