package org.pretext.encoder;

import org.apiguardian.api.API;

/**
 * Cuts images (B, C, H, W) into square patches and back, on the host, in the layout of
 * {@link PatchEncoder}: patches numbered row-major over the (H/p)×(W/p) grid,
 * each patch's p·p·C values ordered (row within the patch, column within the patch, channel),
 * as MAE's {@code patchify}.
 *
 * @param channels C
 * @param height H, a multiple of the patch size
 * @param width W, a multiple of the patch size
 * @param size the patch side p
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.4")
public record Patches(int channels, int height, int width, int size) {
    public Patches {
        if (size <= 0 || height % size != 0 || width % size != 0) {
            throw new IllegalArgumentException("patch size " + size + " does not divide images of " + height + "x"
                    + width);
        }
    }

    /** Patches per image, (H/p)·(W/p). */
    public int count() {
        return (height / size) * (width / size);
    }

    /** Values per patch, p·p·C. */
    public int values() {
        return size * size * channels;
    }

    /** Patch {@code patch} of image {@code image} of a (B, C, H, W) array, written to {@code dst} at {@code offset}. */
    public void copyPatch(float[] images, int image, int patch, float[] dst, int offset) {
        transfer(images, image, patch, dst, offset, true);
    }

    /** Writes one patch's values back into image {@code image} of a (B, C, H, W) array. */
    public void pastePatch(float[] src, int offset, float[] images, int image, int patch) {
        transfer(images, image, patch, src, offset, false);
    }

    /** Walks one patch in the layout's order, copying image → flat values or flat values → image. */
    private void transfer(float[] images, int image, int patch, float[] flat, int offset, boolean toFlat) {
        int cols = width / size;
        int top = (patch / cols) * size;
        int left = (patch % cols) * size;
        int plane = height * width;
        int base = image * channels * plane;
        int o = offset;
        for (int dy = 0; dy < size; dy++) {
            for (int dx = 0; dx < size; dx++) {
                int pixel = base + (top + dy) * width + left + dx;
                for (int c = 0; c < channels; c++, o++) {
                    if (toFlat) {
                        flat[o] = images[pixel + c * plane];
                    } else {
                        images[pixel + c * plane] = flat[o];
                    }
                }
            }
        }
    }

    /** All patches of a batch: (B, C, H, W) → (B, N, p·p·C). */
    public float[] patchify(float[] images, int batch) {
        int n = count();
        int v = values();
        float[] out = new float[batch * n * v];
        for (int b = 0; b < batch; b++) {
            for (int p = 0; p < n; p++) {
                copyPatch(images, b, p, out, (b * n + p) * v);
            }
        }
        return out;
    }

    /** The inverse of {@link #patchify}: (B, N, p·p·C) → (B, C, H, W). */
    public float[] unpatchify(float[] patches, int batch) {
        int n = count();
        int v = values();
        float[] out = new float[batch * channels * height * width];
        for (int b = 0; b < batch; b++) {
            for (int p = 0; p < n; p++) {
                pastePatch(patches, (b * n + p) * v, out, b, p);
            }
        }
        return out;
    }
}
