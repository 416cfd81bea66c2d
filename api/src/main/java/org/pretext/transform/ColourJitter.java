package org.pretext.transform;

import org.apiguardian.api.API;
import java.util.SplittableRandom;

/**
 * {@code colour-jitter}: with probability {@code probability}, changes brightness, contrast,
 * saturation and hue by random factors, applied in a random order, as torchvision's
 * {@code ColorJitter} inside {@code RandomApply} does:
 * <ul>
 *   <li>brightness: x ← clamp(b·x), b ~ U[max(0, 1 − B), 1 + B];
 *   <li>contrast: x ← clamp(c·x + (1 − c)·m), m the mean grey level of the image, c ~ U[max(0, 1 − C), 1 + C];
 *   <li>saturation: x ← clamp(s·x + (1 − s)·g), g the pixel's grey level, s ~ U[max(0, 1 − S), 1 + S];
 *   <li>hue: rotate the hue by h ~ U[−H, H] turns (RGB → HSV → RGB);
 * </ul>
 * grey = 0.299 R + 0.587 G + 0.114 B; clamp to [0, 1]. Saturation and hue leave one-channel images
 * unchanged. SimCLR with strength s uses B = C = S = 0.8 s, H = 0.2 s, probability 0.8. A factor of
 * exactly 1 (or a hue shift of 0) is skipped, so zero strength is the identity.
 *
 * @param channels C (1 or 3)
 * @param height H
 * @param width W
 * @param brightness B
 * @param contrast C
 * @param saturation S
 * @param hue H, at most 0.5
 * @param probability chance of jittering at all
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public record ColourJitter(int channels, int height, int width, double brightness, double contrast,
        double saturation, double hue, double probability) implements ImageAugmentation {

    /** SimCLR's jitter of strength {@code s}: (0.8 s, 0.8 s, 0.8 s, 0.2 s) with probability {@code p}. */
    public static ColourJitter simclr(int channels, int height, int width, double s, double p) {
        return new ColourJitter(channels, height, width, 0.8 * s, 0.8 * s, 0.8 * s, Math.min(0.5, 0.2 * s), p);
    }

    @Override
    public String name() {
        return "colour-jitter";
    }

    @Override
    public void apply(float[] src, float[] dst, SplittableRandom r) {
        int n = channels * height * width;
        if (src != dst) {
            System.arraycopy(src, 0, dst, 0, n);
        }
        if (r.nextDouble() >= probability) {
            return;
        }
        double b = factor(r, brightness);
        double c = factor(r, contrast);
        double s = factor(r, saturation);
        double h = hue > 0 ? -hue + 2 * hue * r.nextDouble() : 0;
        int[] order = {0, 1, 2, 3};
        for (int i = 3; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        for (int op : order) {
            switch (op) {
                case 0 -> {
                    if (b != 1) {
                        brightness(dst, (float) b);
                    }
                }
                case 1 -> {
                    if (c != 1) {
                        contrast(dst, (float) c);
                    }
                }
                case 2 -> {
                    if (s != 1 && channels == 3) {
                        saturation(dst, (float) s);
                    }
                }
                default -> {
                    if (h != 0 && channels == 3) {
                        hue(dst, h);
                    }
                }
            }
        }
    }

    private static double factor(SplittableRandom r, double strength) {
        if (strength <= 0) {
            return 1;
        }
        double lo = Math.max(0, 1 - strength);
        return lo + (1 + strength - lo) * r.nextDouble();
    }

    /** Clamps to [0, 1] without branches (random pixels would make a branch unpredictable). */
    private static float clamp(float v) {
        return Math.min(1f, Math.max(0f, v));
    }

    void brightness(float[] x, float f) {
        for (int i = 0; i < channels * height * width; i++) {
            x[i] = clamp(x[i] * f);
        }
    }

    void contrast(float[] x, float f) {
        int plane = height * width;
        double sum = 0;
        if (channels == 3) {
            for (int p = 0; p < plane; p++) {
                sum += 0.299 * x[p] + 0.587 * x[plane + p] + 0.114 * x[2 * plane + p];
            }
        } else {
            for (int p = 0; p < plane; p++) {
                sum += x[p];
            }
        }
        float m = (float) (sum / plane);
        for (int i = 0; i < channels * plane; i++) {
            x[i] = clamp(f * x[i] + (1 - f) * m);
        }
    }

    void saturation(float[] x, float f) {
        int plane = height * width;
        for (int p = 0; p < plane; p++) {
            float g = 0.299f * x[p] + 0.587f * x[plane + p] + 0.114f * x[2 * plane + p];
            for (int c = 0; c < 3; c++) {
                int i = c * plane + p;
                x[i] = clamp(f * x[i] + (1 - f) * g);
            }
        }
    }

    /** Rotates hue by {@code shift} turns, pixel by pixel through HSV. */
    void hue(float[] x, double shift) {
        int plane = height * width;
        float turn = (float) (6 * (shift - Math.floor(shift)));
        for (int p = 0; p < plane; p++) {
            float r = x[p];
            float g = x[plane + p];
            float b = x[2 * plane + p];
            float max = Math.max(r, Math.max(g, b));
            float min = Math.min(r, Math.min(g, b));
            float delta = max - min;
            if (delta <= 0) {
                continue;
            }
            // hue in sextants [0, 6), rotated
            float h;
            if (max == r) {
                h = (g - b) / delta;
                if (h < 0) {
                    h += 6;
                }
            } else if (max == g) {
                h = (b - r) / delta + 2;
            } else {
                h = (r - g) / delta + 4;
            }
            h += turn;
            if (h >= 6) {
                h -= 6;
            }
            int sector = Math.min(5, (int) h);
            float frac = h - sector;
            float q = max - delta * frac;
            float t = min + delta * frac;
            float nr;
            float ng;
            float nb;
            switch (sector) {
                case 0 -> {
                    nr = max;
                    ng = t;
                    nb = min;
                }
                case 1 -> {
                    nr = q;
                    ng = max;
                    nb = min;
                }
                case 2 -> {
                    nr = min;
                    ng = max;
                    nb = t;
                }
                case 3 -> {
                    nr = min;
                    ng = q;
                    nb = max;
                }
                case 4 -> {
                    nr = t;
                    ng = min;
                    nb = max;
                }
                default -> {
                    nr = max;
                    ng = min;
                    nb = q;
                }
            }
            x[p] = nr;
            x[plane + p] = ng;
            x[2 * plane + p] = nb;
        }
    }
}
