package org.pretext.transform;

import org.apiguardian.api.API;
import java.util.SplittableRandom;

/**
 * {@code gaussian-blur}: with probability {@code probability} (SimCLR: 0.5) blurs every channel
 * with a separable Gaussian kernel of {@code kernelSize} taps (SimCLR: 10% of the image side,
 * made odd) and σ ~ U[minSigma, maxSigma] (SimCLR: [0.1, 2.0]), reflecting at the borders as
 * torchvision does. The weights are normalised, so values stay in [0, 1].
 *
 * @param channels C
 * @param height H
 * @param width W
 * @param probability chance of blurring
 * @param minSigma smallest σ in pixels
 * @param maxSigma largest σ in pixels
 * @param kernelSize taps (odd, at least 3)
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public record GaussianBlur(int channels, int height, int width, double probability, double minSigma, double maxSigma,
        int kernelSize) implements ImageAugmentation {

    public GaussianBlur {
        if (kernelSize < 3 || kernelSize % 2 == 0) {
            throw new IllegalArgumentException("kernel size must be odd and >= 3, was " + kernelSize);
        }
    }

    /** SimCLR's blur: kernel 10% of the image side (odd, at least 3), σ in [0.1, 2]. */
    public static GaussianBlur simclr(int channels, int height, int width, double probability) {
        int k = (int) Math.round(0.1 * Math.min(height, width));
        k = Math.max(3, k % 2 == 0 ? k + 1 : k);
        return new GaussianBlur(channels, height, width, probability, 0.1, 2.0, k);
    }

    @Override
    public String name() {
        return "gaussian-blur";
    }

    /** The normalised kernel for a σ. */
    static float[] kernel(int size, double sigma) {
        float[] k = new float[size];
        int rad = size / 2;
        double sum = 0;
        for (int i = 0; i < size; i++) {
            double x = i - rad;
            double v = Math.exp(-x * x / (2 * sigma * sigma));
            k[i] = (float) v;
            sum += v;
        }
        for (int i = 0; i < size; i++) {
            k[i] = (float) (k[i] / sum);
        }
        return k;
    }

    private static int reflect(int i, int n) {
        if (n == 1) {
            return 0;
        }
        while (i < 0 || i >= n) {
            i = i < 0 ? -i : 2 * (n - 1) - i;
        }
        return i;
    }

    @Override
    public void apply(float[] src, float[] dst, SplittableRandom r) {
        int plane = height * width;
        if (r.nextDouble() >= probability) {
            if (src != dst) {
                System.arraycopy(src, 0, dst, 0, channels * plane);
            }
            return;
        }
        double sigma = minSigma + (maxSigma - minSigma) * r.nextDouble();
        float[] k = kernel(kernelSize, sigma);
        int rad = kernelSize / 2;
        float[] tmp = new float[plane];
        int[] xs = new int[width + 2 * rad];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = reflect(i - rad, width);
        }
        int[] ys = new int[height + 2 * rad];
        for (int i = 0; i < ys.length; i++) {
            ys[i] = reflect(i - rad, height);
        }
        float[] line = new float[width + 2 * rad];
        float[] acc = new float[width];
        for (int c = 0; c < channels; c++) {
            int base = c * plane;
            // horizontal pass into tmp: each padded row, then one contiguous multiply-add per tap
            for (int y = 0; y < height; y++) {
                int row = base + y * width;
                for (int i = 0; i < line.length; i++) {
                    line[i] = src[row + xs[i]];
                }
                int o = y * width;
                java.util.Arrays.fill(tmp, o, o + width, 0f);
                for (int t = 0; t < kernelSize; t++) {
                    float kt = k[t];
                    for (int x = 0; x < width; x++) {
                        tmp[o + x] += kt * line[x + t];
                    }
                }
            }
            // vertical pass: whole rows of tmp, reflected, weighted and summed
            for (int y = 0; y < height; y++) {
                java.util.Arrays.fill(acc, 0f);
                for (int t = 0; t < kernelSize; t++) {
                    float kt = k[t];
                    int sr = ys[y + t] * width;
                    for (int x = 0; x < width; x++) {
                        acc[x] += kt * tmp[sr + x];
                    }
                }
                int o = base + y * width;
                for (int x = 0; x < width; x++) {
                    dst[o + x] = Math.min(1f, Math.max(0f, acc[x]));
                }
            }
        }
    }
}
