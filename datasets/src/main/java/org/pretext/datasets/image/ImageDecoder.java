package org.pretext.datasets.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes an image file's bytes with the JDK's {@link ImageIO} (PNG, JPEG, BMP, GIF, TIFF, WBMP)
 * into a square (C, size, size) array of unsigned bytes: grey images through their raster
 * samples (not {@code getRGB}, which would convert linear grey to sRGB and brighten it), colour
 * images as sRGB; alpha is dropped. The image is fitted by {@link Fit}: {@code CROP} takes the
 * centred square of side min(W, H) (resize the shorter side to {@code size}, then centre-crop),
 * {@code STRETCH} the whole image; either is resampled with an antialiased bilinear filter.
 * Colour to grey is ITU-R 601 luma (0.299 R + 0.587 G + 0.114 B); grey to colour repeats the plane.
 */
final class ImageDecoder {
    static {
        ImageIO.setUseCache(false);
    }

    /** How an image is fitted to the square output. */
    enum Fit {
        CROP, STRETCH
    }

    /** A file that is not a readable image, with the reason. */
    static final class BadImageException extends Exception {
        private static final long serialVersionUID = 1L;

        BadImageException(String reason) {
            super(reason);
        }
    }

    private final int size;
    private final Fit fit;
    private final int channels;

    /**
     * @param channels 1 (grey) or 3 (RGB)
     */
    ImageDecoder(int size, Fit fit, int channels) {
        this.size = size;
        this.fit = fit;
        this.channels = channels;
    }

    /** Values per decoded example. */
    int exampleSize() {
        return channels * size * size;
    }

    /** Readers kept per thread and file suffix: creating one (the JPEG reader above all) is costly. */
    private static final ThreadLocal<Map<String, ImageReader>> READERS = ThreadLocal.withInitial(HashMap::new);

    /**
     * Reads an image with the reader for its file suffix, reused by this thread; when that fails
     * (content and name disagree), with whichever installed reader recognises the content.
     */
    static BufferedImage read(byte[] file, String suffix) throws BadImageException {
        ImageReader reader = READERS.get().computeIfAbsent(suffix, s -> {
            Iterator<ImageReader> it = ImageIO.getImageReadersBySuffix(s);
            return it.hasNext() ? it.next() : null;
        });
        if (reader != null) {
            try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(file))) {
                reader.setInput(in, true, true);
                return reader.read(0);
            } catch (IOException | RuntimeException e) {
                // fall through to the generic path, which also names the problem
            } finally {
                reader.reset();
            }
        }
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(file));
        } catch (IOException | RuntimeException e) {
            throw new BadImageException("cannot be decoded (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
        if (img == null) {
            throw new BadImageException("is not an image any installed decoder reads (PNG, JPEG, BMP, GIF, TIFF)");
        }
        return img;
    }

    /**
     * Decodes an image file's bytes into {@code out} at {@code offset}.
     *
     * @param suffix the file name's extension, lower case (picks the reader tried first)
     */
    void decode(byte[] file, String suffix, byte[] out, int offset) throws BadImageException {
        BufferedImage img = read(file, suffix);
        int w = img.getWidth();
        int h = img.getHeight();
        if (w <= 0 || h <= 0) {
            throw new BadImageException("has no pixels");
        }
        float[][] planes;
        try {
            planes = planes(img, channels);
        } catch (RuntimeException e) {
            throw new BadImageException("cannot be converted to pixels (" + e.getMessage() + ")");
        }
        double bx = 0;
        double by = 0;
        double bw = w;
        double bh = h;
        if (fit == Fit.CROP) {
            double side = Math.min(w, h);
            bx = (w - side) / 2.0;
            by = (h - side) / 2.0;
            bw = side;
            bh = side;
        }
        Resampler r = new Resampler(w, h, bx, by, bw, bh, size, size);
        float[] rows = new float[h * size];
        float[] res = new float[size * size];
        for (int c = 0; c < channels; c++) {
            float[] src = planes.length == 1 ? planes[0] : planes[c];
            r.apply(src, rows, res, 0);
            int base = offset + c * size * size;
            for (int i = 0; i < res.length; i++) {
                float v = res[i];
                out[base + i] = (byte) (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));
            }
        }
    }

    /** Whether an image is stored as grey (one colour component, or a palette of greys). */
    static boolean isGrey(BufferedImage img) {
        return greyModel(img.getColorModel());
    }

    static boolean greyModel(java.awt.image.ColorModel cm) {
        if (cm instanceof java.awt.image.IndexColorModel icm) {
            for (int i = 0; i < icm.getMapSize(); i++) {
                if (icm.getRed(i) != icm.getGreen(i) || icm.getGreen(i) != icm.getBlue(i)) {
                    return false;
                }
            }
            return true;
        }
        return cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY;
    }

    /**
     * The image as float planes of values in [0, 255]: one plane when {@code want == 1} or the
     * image is grey, else R, G, B.
     */
    static float[][] planes(BufferedImage img, int want) {
        int w = img.getWidth();
        int h = img.getHeight();
        int n = w * h;
        if (isGrey(img) && !(img.getColorModel() instanceof java.awt.image.IndexColorModel)) {
            Raster raster = img.getRaster();
            float[] g = raster.getSamples(0, 0, w, h, 0, (float[]) null);
            int bits = img.getColorModel().getComponentSize(0);
            if (bits != 8) {
                float s = (float) (255.0 / ((1L << bits) - 1));
                for (int i = 0; i < n; i++) {
                    g[i] *= s;
                }
            }
            return new float[][] {g};
        }
        float[] r = new float[n];
        float[] gr = new float[n];
        float[] b = new float[n];
        int type = img.getType();
        if ((type == BufferedImage.TYPE_3BYTE_BGR || type == BufferedImage.TYPE_4BYTE_ABGR)
                && img.getRaster().getDataBuffer() instanceof DataBufferByte db
                && img.getRaster().getParent() == null) {
            byte[] d = db.getData();
            int step = type == BufferedImage.TYPE_3BYTE_BGR ? 3 : 4;
            int o = step - 3;
            for (int i = 0; i < n; i++) {
                int p = i * step + o;
                b[i] = d[p] & 0xFF;
                gr[i] = d[p + 1] & 0xFF;
                r[i] = d[p + 2] & 0xFF;
            }
        } else {
            int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
            for (int i = 0; i < n; i++) {
                int p = argb[i];
                r[i] = (p >> 16) & 0xFF;
                gr[i] = (p >> 8) & 0xFF;
                b[i] = p & 0xFF;
            }
        }
        if (want == 1) {
            float[] g = new float[n];
            for (int i = 0; i < n; i++) {
                g[i] = 0.299f * r[i] + 0.587f * gr[i] + 0.114f * b[i];
            }
            return new float[][] {g};
        }
        return new float[][] {r, gr, b};
    }
}
