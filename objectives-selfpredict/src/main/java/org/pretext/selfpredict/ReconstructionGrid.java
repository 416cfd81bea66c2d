package org.pretext.selfpredict;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.pretext.PretextException;
import org.pretext.encoder.Patches;
import org.pretext.objective.PreparedBatch;

/**
 * Draws a masked autoencoder's reconstructions as a PNG (with the JDK's ImageIO): one column per
 * image, three rows — the input, the visible patches with the masked ones grey, and the
 * reconstruction (visible patches as given, masked ones predicted). Values are clamped to [0, 1]
 * and drawn as grey levels (one channel) or RGB (three channels), each pixel enlarged to a
 * {@value #SCALE}×{@value #SCALE} block, with a {@value #GAP}-pixel white gap between cells.
 */
final class ReconstructionGrid {
    static final int SCALE = 3;
    static final int GAP = 2;
    private static final float MASKED_GREY = 0.5f;

    private ReconstructionGrid() {}

    /**
     * @param images (B, C, H, W) inputs
     * @param prepared what {@link MaeObjective#prepare} made of them
     * @param predicted (B, N, P) decoder outputs in the prepared token order
     * @param normalized whether the predictions are of per-patch normalised pixels
     */
    static void write(Path file, Patches patches, float[] images, int b, PreparedBatch prepared, float[] predicted,
            boolean normalized) throws IOException {
        int n = patches.count();
        int v = patches.values();
        int[] ids = prepared.tensors().get(2).ints();
        float[] targets = prepared.tensors().get(3).floats();
        float[] mask = prepared.tensors().get(4).floats();
        float[] masked = images.clone();
        float[] reconstructed = images.clone();
        float[] grey = new float[v];
        java.util.Arrays.fill(grey, MASKED_GREY);
        float[] pixels = new float[v];
        for (int i = 0; i < b; i++) {
            for (int t = 0; t < n; t++) {
                if (mask[i * n + t] == 0f) {
                    continue;
                }
                int at = (i * n + t) * v;
                patches.pastePatch(grey, 0, masked, i, ids[i * n + t]);
                double mean = 0;
                double var = 0;
                if (normalized) {
                    for (int j = 0; j < v; j++) {
                        mean += targets[at + j] / (double) v;
                    }
                    for (int j = 0; j < v; j++) {
                        var += Math.pow(targets[at + j] - mean, 2) / (v - 1);
                    }
                }
                double sd = Math.sqrt(var + MaeLoss.EPSILON);
                for (int j = 0; j < v; j++) {
                    pixels[j] = normalized ? (float) (predicted[at + j] * sd + mean) : predicted[at + j];
                }
                patches.pastePatch(pixels, 0, reconstructed, i, ids[i * n + t]);
            }
        }
        int h = patches.height();
        int w = patches.width();
        int cellW = w * SCALE + GAP;
        int cellH = h * SCALE + GAP;
        BufferedImage out = new BufferedImage(b * cellW + GAP, 3 * cellH + GAP, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < out.getHeight(); y++) {
            for (int x = 0; x < out.getWidth(); x++) {
                out.setRGB(x, y, 0xFFFFFF);
            }
        }
        float[][] rows = {images, masked, reconstructed};
        for (int r = 0; r < 3; r++) {
            for (int i = 0; i < b; i++) {
                draw(out, rows[r], i, patches.channels(), h, w, GAP + i * cellW, GAP + r * cellH);
            }
        }
        if (!ImageIO.write(out, "png", file.toFile())) {
            throw new PretextException("No PNG writer is available to write " + file);
        }
    }

    private static void draw(BufferedImage out, float[] images, int i, int channels, int h, int w, int left, int top) {
        int plane = h * w;
        int base = i * channels * plane;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb;
                if (channels == 3) {
                    rgb = (level(images[base + y * w + x]) << 16) | (level(images[base + plane + y * w + x]) << 8)
                            | level(images[base + 2 * plane + y * w + x]);
                } else {
                    int g = level(images[base + y * w + x]);
                    rgb = (g << 16) | (g << 8) | g;
                }
                for (int dy = 0; dy < SCALE; dy++) {
                    for (int dx = 0; dx < SCALE; dx++) {
                        out.setRGB(left + x * SCALE + dx, top + y * SCALE + dy, rgb);
                    }
                }
            }
        }
    }

    private static int level(float value) {
        return Math.round(Math.max(0f, Math.min(1f, value)) * 255f);
    }
}
