package org.pretext.datasets.image;

import java.util.Locale;
import org.pretext.PretextException;

/**
 * One image file's bytes to one example, exactly as the image-folder dataset decodes it
 * ({@link ImageDecoder}: ImageIO, antialiased bilinear resize, centre crop or stretch, grey or
 * sRGB planes, rounded to bytes, read back as value / 255 in [0, 1]), for readers that get files
 * one by one from elsewhere (e.g. Spark's {@code binaryFile} source). Thread-safe: the decoding
 * threads share one pixel budget of half the heap.
 */
public final class ImageFiles {
    private final ImageDecoder decoder;
    private final int size;
    private final int channels;

    /**
     * @param size side of the square output
     * @param resize {@code crop} (shorter side to {@code size}, then centre crop) or {@code stretch}
     * @param channels 1 (grey) or 3 (RGB)
     * @param maxPixels images whose header declares more pixels are refused undecoded
     */
    public ImageFiles(int size, String resize, int channels, long maxPixels) {
        if (size < 1) {
            throw new PretextException("Invalid image size " + size + ": expected at least 1");
        }
        if (channels != 1 && channels != 3) {
            throw new PretextException("Invalid image channel count " + channels + ": expected 1 (grey) or 3 (RGB)");
        }
        if (!resize.equals("crop") && !resize.equals("stretch")) {
            throw new PretextException("Invalid resize '" + resize + "': expected crop or stretch");
        }
        this.decoder = new ImageDecoder(size, resize.equals("stretch") ? ImageDecoder.Fit.STRETCH : ImageDecoder.Fit.CROP,
                channels, maxPixels, ImageDecoder.PixelBudget.ofHeap());
        this.size = size;
        this.channels = channels;
    }

    /** The image-folder dataset's default limit on pixels per image. */
    public static long defaultMaxPixels() {
        return ImageFolderDatasetProvider.MAX_PIXELS.defaultValue();
    }

    /** Values per example: channels × size × size. */
    public int exampleSize() {
        return channels * size * size;
    }

    /** Whether a file name has an extension the image-folder dataset reads as an image (png, jpg, jpeg, bmp, gif, tif, tiff, wbmp). */
    public static boolean isImageName(String name) {
        return ImageFolderScan.isImageName(java.nio.file.Path.of(name.substring(name.lastIndexOf('/') + 1)));
    }

    /**
     * Decodes one file into {@code out[offset, offset + exampleSize())} as (C, size, size) values in [0, 1].
     *
     * @param name the file's name or path (its extension picks the reader tried first)
     * @throws PretextException naming the file and what is wrong when it is not a readable image
     */
    public void decode(byte[] file, String name, float[] out, int offset) {
        if (file == null || file.length == 0) {
            throw new PretextException("Image file " + name + " is empty (0 bytes)");
        }
        byte[] bytes = new byte[exampleSize()];
        String suffix = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        try {
            decoder.decode(file, suffix, bytes, 0);
        } catch (ImageDecoder.BadImageException e) {
            throw new PretextException("Image file " + name + " " + e.getMessage());
        }
        for (int i = 0; i < bytes.length; i++) {
            out[offset + i] = (bytes[i] & 0xFF) / 255f;
        }
    }
}
