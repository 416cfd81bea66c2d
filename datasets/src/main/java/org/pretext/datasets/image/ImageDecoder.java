package org.pretext.datasets.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
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
 * Every image's width and height are read from its header before it is decoded: one above the
 * pixel limit is refused undecoded, and the decoding threads share a {@link PixelBudget}, so
 * neither one huge image nor many large ones at once exhaust the heap.
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
    static class BadImageException extends Exception {
        private static final long serialVersionUID = 1L;

        BadImageException(String reason) {
            super(reason);
        }
    }

    private final int size;
    private final Fit fit;
    private final int channels;
    private final long maxPixels;
    private final PixelBudget budget;

    /**
     * @param channels 1 (grey) or 3 (RGB)
     * @param maxPixels images whose header declares more pixels are refused undecoded
     * @param budget pixels decoded at once, shared by the threads using this decoder
     */
    ImageDecoder(int size, Fit fit, int channels, long maxPixels, PixelBudget budget) {
        this.size = size;
        this.fit = fit;
        this.channels = channels;
        this.maxPixels = maxPixels;
        this.budget = budget;
    }

    /** Values per decoded example. */
    int exampleSize() {
        return channels * size * size;
    }

    /** Readers kept per thread and file suffix: creating one (the JPEG reader above all) is costly. */
    private static final ThreadLocal<Map<String, ImageReader>> READERS = ThreadLocal.withInitial(HashMap::new);

    /** An image whose header declares more pixels than the limit; nothing was decoded. */
    static final class TooLargeException extends BadImageException {
        private static final long serialVersionUID = 1L;

        TooLargeException(int width, int height, long maxPixels) {
            super("is " + width + " x " + height + megapixels((long) width * height) + ", above max-pixels = "
                    + maxPixels + " (a dataset parameter; raise it to read such images)");
        }
    }

    private static String megapixels(long pixels) {
        return pixels < 1_000_000 ? " pixels"
                : String.format(java.util.Locale.ROOT, " = %.1f megapixels", pixels / 1e6);
    }

    /**
     * Reads an image with the reader for its file suffix, reused by this thread; when that fails
     * (content and name disagree), with whichever installed reader recognises the content. Either
     * way the width and height are read from the file's header first, and an image of more than
     * {@code maxPixels} pixels is refused before anything is decoded (a small file can declare a
     * 20000 × 20000 image, whose raster alone would take 1.2 GB).
     *
     * @param budget shared by the decoding threads: a decode waits until its pixels fit
     */
    static Decoded read(byte[] file, String suffix, long maxPixels, PixelBudget budget)
            throws BadImageException {
        ImageReader reader = READERS.get().computeIfAbsent(suffix, s -> {
            Iterator<ImageReader> it = ImageIO.getImageReadersBySuffix(s);
            return it.hasNext() ? it.next() : null;
        });
        if (reader != null) {
            try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(file))) {
                reader.setInput(in, true, true);
                return checkedRead(reader, maxPixels, budget);
            } catch (TooLargeException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                // fall through to the generic path, which also names the problem
            } finally {
                reader.reset();
            }
        }
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(file))) {
            Iterator<ImageReader> it = ImageIO.getImageReaders(in);
            if (!it.hasNext()) {
                throw new BadImageException("is not an image any installed decoder reads (PNG, JPEG, BMP, GIF, TIFF)");
            }
            ImageReader r = it.next();
            try {
                r.setInput(in, true, true);
                return checkedRead(r, maxPixels, budget);
            } finally {
                r.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new BadImageException("cannot be decoded (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
    }

    /**
     * A decoded image and the pixels it holds of the budget; {@link #close} gives them back.
     */
    record Decoded(BufferedImage image, long reserved, PixelBudget budget) implements AutoCloseable {
        @Override
        public void close() {
            budget.release(reserved);
        }
    }

    /**
     * The first image of a reader's input, after checking the size its header declares, with its
     * pixels reserved in the budget until the caller closes the result.
     */
    private static Decoded checkedRead(ImageReader reader, long maxPixels, PixelBudget budget)
            throws IOException, TooLargeException {
        int w = reader.getWidth(0);
        int h = reader.getHeight(0);
        long pixels = Math.max(0, (long) w * h);
        if (pixels > maxPixels) {
            throw new TooLargeException(w, h, maxPixels);
        }
        budget.acquire(pixels);
        boolean ok = false;
        try {
            Decoded d = new Decoded(reader.read(0), pixels, budget);
            ok = true;
            return d;
        } finally {
            if (!ok) {
                budget.release(pixels);
            }
        }
    }

    /**
     * Width and height from an image file's header without decoding it, or null when no installed
     * reader can tell (used to name an image's size in messages).
     */
    static int[] dimensions(byte[] file) {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(file))) {
            Iterator<ImageReader> it = ImageIO.getImageReaders(in);
            if (!it.hasNext()) {
                return null;
            }
            ImageReader r = it.next();
            try {
                r.setInput(in, true, true);
                return new int[] {r.getWidth(0), r.getHeight(0)};
            } finally {
                r.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Pixels being decoded at once, shared by the decoding threads: a decode of p pixels waits
     * until p fit into the budget (one image alone is always let through), so many threads
     * decoding large images do not together exhaust the heap. Decoding needs about
     * {@link #BYTES_PER_PIXEL} bytes per pixel (the decoded raster plus one float plane).
     */
    static final class PixelBudget {
        /** Upper bound of the bytes one decoded pixel holds while it is converted. */
        static final int BYTES_PER_PIXEL = 12;
        private final long capacity;
        private long used;

        PixelBudget(long capacity) {
            this.capacity = capacity;
        }

        /** Half the maximum heap's worth of pixels. */
        static PixelBudget ofHeap() {
            return new PixelBudget(Math.max(1, Runtime.getRuntime().maxMemory() / 2 / BYTES_PER_PIXEL));
        }

        synchronized void acquire(long pixels) {
            boolean interrupted = false;
            while (used > 0 && used + pixels > capacity) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            used += pixels;
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        synchronized void release(long pixels) {
            used -= pixels;
            notifyAll();
        }
    }

    /**
     * Decodes an image file's bytes into {@code out} at {@code offset}.
     *
     * @param suffix the file name's extension, lower case (picks the reader tried first)
     */
    void decode(byte[] file, String suffix, byte[] out, int offset) throws BadImageException {
        try (Decoded d = read(file, suffix, maxPixels, budget)) {
            BufferedImage img = d.image();
            int w = img.getWidth();
            int h = img.getHeight();
            if (w <= 0 || h <= 0) {
                throw new BadImageException("has no pixels");
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
            int planes = channels == 1 || isGrey(img) && !(img.getColorModel() instanceof IndexColorModel) ? 1 : 3;
            float[] src = null;
            for (int c = 0; c < channels; c++) {
                if (src == null || planes > 1) {
                    try {
                        src = plane(img, channels == 1 ? -1 : c, src);
                    } catch (RuntimeException e) {
                        throw new BadImageException("cannot be converted to pixels (" + e.getMessage() + ")");
                    }
                }
                r.apply(src, rows, res, 0);
                int base = offset + c * size * size;
                for (int i = 0; i < res.length; i++) {
                    float v = res[i];
                    out[base + i] = (byte) (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));
                }
            }
        }
    }

    /** Whether an image is stored as grey (one colour component, or a palette of greys). */
    static boolean isGrey(BufferedImage img) {
        return greyModel(img.getColorModel());
    }

    static boolean greyModel(java.awt.image.ColorModel cm) {
        if (cm instanceof IndexColorModel icm) {
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
     * One float plane of an image, values in [0, 255], written into {@code reuse} when it is large
     * enough: the grey samples of a grey image (whatever {@code channel}), else ITU-R 601 luma
     * ({@code channel} -1) or red, green or blue ({@code channel} 0, 1, 2). One plane at a time
     * keeps a conversion to 4 bytes per pixel beside the decoded raster.
     */
    static float[] plane(BufferedImage img, int channel, float[] reuse) {
        int w = img.getWidth();
        int h = img.getHeight();
        int n = w * h;
        float[] p = reuse != null && reuse.length >= n ? reuse : new float[n];
        if (isGrey(img) && !(img.getColorModel() instanceof IndexColorModel)) {
            Raster raster = img.getRaster();
            raster.getSamples(0, 0, w, h, 0, p);
            int bits = img.getColorModel().getComponentSize(0);
            if (bits != 8) {
                float s = (float) (255.0 / ((1L << bits) - 1));
                for (int i = 0; i < n; i++) {
                    p[i] *= s;
                }
            }
            return p;
        }
        int type = img.getType();
        if ((type == BufferedImage.TYPE_3BYTE_BGR || type == BufferedImage.TYPE_4BYTE_ABGR)
                && img.getRaster().getDataBuffer() instanceof DataBufferByte db
                && img.getRaster().getParent() == null) {
            byte[] d = db.getData();
            int step = type == BufferedImage.TYPE_3BYTE_BGR ? 3 : 4;
            int o = step - 3; // B at o, G at o + 1, R at o + 2
            for (int i = 0; i < n; i++) {
                int q = i * step + o;
                p[i] = channel < 0 ? luma(d[q + 2] & 0xFF, d[q + 1] & 0xFF, d[q] & 0xFF)
                        : d[q + 2 - channel] & 0xFF;
            }
            return p;
        }
        int[] argb = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, argb, 0, w);
            int row = y * w;
            for (int x = 0; x < w; x++) {
                int v = argb[x];
                p[row + x] = channel < 0 ? luma((v >> 16) & 0xFF, (v >> 8) & 0xFF, v & 0xFF)
                        : (v >> (16 - 8 * channel)) & 0xFF;
            }
        }
        return p;
    }

    private static float luma(float r, float g, float b) {
        return 0.299f * r + 0.587f * g + 0.114f * b;
    }
}
