package org.pretext.datasets.image;

import org.pretext.datasets.store.PathKinds;
import org.pretext.registry.ProviderBase;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import org.pretext.PretextException;
import org.pretext.Versions;
import org.pretext.data.Dataset;
import org.pretext.data.DatasetProvider;
import org.pretext.datasets.store.Checksums;
import org.pretext.datasets.store.ExampleSet;
import org.pretext.datasets.store.ExampleWriter;
import org.pretext.datasets.store.ShardCache;
import org.pretext.datasets.store.SourceParams;
import org.pretext.datasets.store.SplitDataset;
import org.pretext.datasets.store.StorageOptions;
import org.pretext.engine.ThreadLimit;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;

/**
 * {@code images}: a folder of images, {@code DIR/<class>/*.png|jpg|jpeg|bmp|gif} (labelled) or
 * {@code DIR/*.png} (unlabelled, pretraining only), optionally split into {@code DIR/train/…} and
 * {@code DIR/test/…}; otherwise a seeded stratified hold-out is the test split. Images are decoded
 * once, in parallel, with the JDK's ImageIO ({@link ImageDecoder}), fitted to {@code size × size}
 * and kept as bytes (values read as [0, 1]) in memory or, for data larger than memory, in a disk
 * cache streamed in shuffled shards. Files that are not readable images are skipped with one
 * warning naming the first few, or stop the run naming the file ({@code on-bad-file}).
 */
public final class ImageFolderDatasetProvider extends ProviderBase implements DatasetProvider {
    /** The folder. */
    public static final Param<String> DIR = Param.ofString("dir", null,
            "the image folder: DIR/<class>/*.png|jpg (labelled), DIR/*.png (unlabelled), optionally under"
                    + " DIR/train and DIR/test (required)");
    /** Output side. */
    public static final Param<Integer> SIZE = Param.ofInt("size", 32,
            "side of the square images produced, in pixels").atLeast(1).atMost(4096);
    /** Fitting. */
    public static final Param<String> RESIZE = Param.ofChoice("resize", "crop", List.of("crop", "stretch"),
            "crop: resize the shorter side to size and centre-crop (keeps the aspect ratio); stretch: resize the"
                    + " whole image to size x size");
    /** Channels. */
    public static final Param<String> CHANNELS = Param.ofChoice("channels", "auto", List.of("auto", "grey", "rgb"),
            "grey (1 channel) or rgb (3 channels); auto: rgb if any image is stored in colour, else grey");
    /** Bad file policy. */
    public static final Param<String> ON_BAD_FILE = Param.ofChoice("on-bad-file", "skip", List.of("skip", "stop"),
            "a file that is not a readable image: skip it (one warning counts them and names the first few) or"
                    + " stop with its name");
    /** Largest image accepted, in pixels. */
    public static final Param<Long> MAX_PIXELS = Param.ofLong("max-pixels", 50_000_000L,
            "largest image accepted, in pixels (width x height, read from the file's header before decoding); a"
                    + " larger one is a bad file (see on-bad-file). The default, 50 megapixels, takes an 8000 x 6000"
                    + " photo").atLeast(1);
    /** Decoding threads. */
    public static final Param<Integer> DECODE_THREADS = Param.ofInt("decode-threads", 0,
            "threads decoding images (0: one per processor)").atLeast(0).atMostProcessors();

    public ImageFolderDatasetProvider() {
        super(Versions.SPI_VERSION, "images", "A folder of images in class subfolders (PNG, JPEG, BMP, GIF), or a flat folder (unlabelled)",
                join(List.of(DIR, SIZE, RESIZE, CHANNELS, ON_BAD_FILE, MAX_PIXELS, DECODE_THREADS), SourceParams.SPLIT, SourceParams.STORAGE_ALL));
    }

    @Override
    public Dataset open(ParamValues p) {
        String dir = p.get(DIR);
        if (dir == null || dir.isBlank()) {
            throw new PretextException("Dataset 'images' needs parameter 'dir': the folder of class subfolders of"
                    + " images");
        }
        return open(Path.of(dir), new Options(p.get(SIZE), p.get(RESIZE), p.get(CHANNELS), p.get(ON_BAD_FILE),
                p.get(DECODE_THREADS), p.get(MAX_PIXELS)), p.get(SourceParams.TEST_FRACTION), p.get(SourceParams.SPLIT_SEED),
                StorageOptions.from(p));
    }

    /**
     * How images are decoded.
     *
     * @param size side of the output squares
     * @param resize {@code crop} or {@code stretch}
     * @param channels {@code auto}, {@code grey} or {@code rgb}
     * @param onBadFile {@code skip} or {@code stop}
     * @param threads decoding threads (0: one per processor)
     * @param maxPixels largest image accepted (width × height from its header), in pixels
     */
    public record Options(int size, String resize, String channels, String onBadFile, int threads, long maxPixels) {
        /** With the default pixel limit. */
        public Options(int size, String resize, String channels, String onBadFile, int threads) {
            this(size, resize, channels, onBadFile, threads, MAX_PIXELS.defaultValue());
        }

        /** 32×32, crop, auto channels, skip bad files, one thread per processor, 50 megapixels at most. */
        public static Options defaults() {
            return new Options(32, "crop", "auto", "skip", 0);
        }
    }

    /** Opens an image folder from code. */
    public static Dataset open(Path dir, Options o, double testFraction, long splitSeed, StorageOptions storage) {
        ImageFolderScan.Result scan = ImageFolderScan.scan(dir);
        int threads = o.threads() > 0 ? ThreadLimit.check("the dataset parameter decode-threads", o.threads())
                : ThreadLimit.available();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "pretext-image-decode");
            t.setDaemon(true);
            return t;
        });
        try {
            List<ImageFolderScan.Entry> everything = new ArrayList<>(scan.train());
            if (scan.test() != null) {
                everything.addAll(scan.test());
            }
            int channels = switch (o.channels()) {
                case "grey" -> 1;
                case "rgb" -> 3;
                default -> anyColour(everything, pool, threads) ? 3 : 1;
            };
            ImageDecoder decoder = new ImageDecoder(o.size(), o.resize().equals("stretch") ? ImageDecoder.Fit.STRETCH
                    : ImageDecoder.Fit.CROP, channels, o.maxPixels(), ImageDecoder.PixelBudget.ofHeap());
            Shape shape = new Shape(channels, o.size(), o.size());
            long e = decoder.exampleSize();
            boolean disk = storage.useDisk((long) everything.size() * e, (long) scan.train().size() * e);
            String root = dir.toAbsolutePath().normalize().toString();
            for (String note : scan.notes()) {
                System.err.println("warning: dataset " + root + ": " + note);
            }
            Map<String, String> info = new LinkedHashMap<>();
            info.put("source", root);
            info.put("decode", "ImageIO, " + o.size() + "x" + o.size() + " " + o.resize() + ", "
                    + (channels == 1 ? "grey" : "rgb"));
            String key = cacheKey(everything, o, channels);
            Part train = decodePart(scan.train(), "train", decoder, shape, scan, o, storage, disk, key, pool, threads,
                    root);
            Part test = scan.test() == null ? null : decodePart(scan.test(), "test", decoder, shape, scan, o, storage,
                    disk, key, pool, threads, root);
            int skipped = train.skipped + (test == null ? 0 : test.skipped);
            info.put("files", Long.toString(train.set.examples().size()
                    + (test == null ? 0 : test.set.examples().size())));
            info.put("sha256 (relative paths and contents of the images used)", test == null ? train.digest
                    : HexFormat.of().formatHex(Checksums.sha256().digest((train.digest + test.digest)
                            .getBytes(StandardCharsets.US_ASCII))));
            if (skipped > 0) {
                info.put("skippedFiles", Integer.toString(skipped));
                List<String> shown = new ArrayList<>(train.shown);
                if (test != null) {
                    shown.addAll(test.shown);
                }
                info.put("skippedExamples", String.join("; ", shown.subList(0, Math.min(BadFiles.SHOWN,
                        shown.size()))));
            }
            return SplitDataset.assemble(dir.toAbsolutePath().normalize().getFileName() == null ? root
                    : dir.toAbsolutePath().normalize().getFileName().toString(), train.set,
                    test == null ? null : test.set, testFraction, splitSeed, info);
        } finally {
            pool.shutdownNow();
        }
    }

    /** One decoded part: its examples, the digest of what was used, and the skipped files. */
    private record Part(ExampleSet set, String digest, int skipped, List<String> shown) {}

    private static Part decodePart(List<ImageFolderScan.Entry> entries, String role, ImageDecoder decoder, Shape shape,
            ImageFolderScan.Result scan, Options o, StorageOptions storage, boolean disk, String key,
            ExecutorService pool, int threads, String root) {
        String partKey = key + "-" + role;
        if (disk) {
            Optional<ShardCache.Cached> c = ShardCache.lookup(storage.cacheRoot(), partKey, storage.window());
            if (c.isPresent()) {
                return fromNotes(c.get().set(), c.get().notes(), root);
            }
        }
        BadFiles bad = new BadFiles(o.onBadFile().equals("stop"), root);
        MessageDigest all = Checksums.sha256();
        int e = decoder.exampleSize();
        int chunk = Math.max(threads * 8, Math.min(1024, storage.rowsPerShard(e)));
        byte[] buf = new byte[chunk * e];
        byte[] compact = new byte[chunk * e];
        DecodeProgress progress = DecodeProgress.stderr(role, entries.size());
        List<String> ids = new ArrayList<>(entries.size());
        try (ExampleWriter w = storage.writer(disk, partKey, entries.size(), shape, true)) {
            for (int from = 0; from < entries.size(); from += chunk) {
                int n = Math.min(chunk, entries.size() - from);
                String[] digests = decodeChunk(entries, from, n, decoder, buf, bad, pool, threads);
                int kept = 0;
                int[] labels = scan.labelled() ? new int[n] : null;
                for (int i = 0; i < n; i++) {
                    if (digests[i] == null) {
                        continue;
                    }
                    ImageFolderScan.Entry en = entries.get(from + i);
                    all.update((en.relative() + "\0" + digests[i] + "\n").getBytes(StandardCharsets.UTF_8));
                    ids.add(en.relative());
                    System.arraycopy(buf, i * e, compact, kept * e, e);
                    if (labels != null) {
                        labels[kept] = en.label();
                    }
                    kept++;
                }
                if (kept > 0) {
                    w.appendBytes(compact, 0, kept, labels == null ? null : java.util.Arrays.copyOf(labels, kept));
                }
                progress.update(from + n);
            }
            String warning = bad.warning(entries.size());
            if (warning != null) {
                System.err.println(warning);
            }
            if (w.count() == 0) {
                throw new PretextException("Image folder " + root + " holds no readable images"
                        + (role.equals("test") ? " in its test part" : "") + " among its " + entries.size()
                        + " files" + (bad.count() > 0 ? " (e.g. " + String.join("; ", bad.first()) + ")" : "")
                        + ": expected PNG, JPEG, BMP or GIF files");
            }
            String digest = HexFormat.of().formatHex(all.digest());
            List<String> notes = new ArrayList<>();
            notes.add("digest=" + digest);
            notes.add("skipped=" + bad.count());
            notes.addAll(bad.first());
            if (warning != null) {
                notes.add("warning=" + warning);
            }
            ExampleSet set = w.finish(scan.classNames(), notes, ids);
            return new Part(set, digest, bad.count(), bad.first());
        }
    }

    private static Part fromNotes(ExampleSet set, List<String> notes, String root) {
        String digest = "";
        int skipped = 0;
        List<String> shown = new ArrayList<>();
        for (String n : notes) {
            if (n.startsWith("digest=")) {
                digest = n.substring(7);
            } else if (n.startsWith("skipped=")) {
                skipped = Integer.parseInt(n.substring(8));
            } else if (n.startsWith("warning=")) {
                System.err.println(n.substring(8) + " (decoded earlier; found in the dataset cache)");
            } else {
                shown.add(n);
            }
        }
        return new Part(set, digest, skipped, shown);
    }

    /** Decodes files [from, from + n) of a list in parallel into {@code buf}; null digest = skipped. */
    private static String[] decodeChunk(List<ImageFolderScan.Entry> entries, int from, int n, ImageDecoder decoder,
            byte[] buf, BadFiles bad, ExecutorService pool, int threads) {
        String[] digests = new String[n];
        int e = decoder.exampleSize();
        int per = (n + threads - 1) / threads;
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < n; t += per) {
            int lo = t;
            int hi = Math.min(n, t + per);
            tasks.add(() -> {
                for (int i = lo; i < hi; i++) {
                    ImageFolderScan.Entry en = entries.get(from + i);
                    if (!ImageFolderScan.isImageName(en.file())) {
                        bad.report(en.relative(), "is not an image file (expected extension png, jpg, jpeg, bmp or gif)");
                        continue;
                    }
                    byte[] bytes;
                    try {
                        bytes = Files.readAllBytes(en.file());
                    } catch (IOException ex) {
                        bad.report(en.relative(), "cannot be read (" + ex.getMessage() + ")");
                        continue;
                    }
                    if (bytes.length == 0) {
                        bad.report(en.relative(), "is empty (0 bytes)");
                        continue;
                    }
                    try {
                        String name = en.file().getFileName().toString();
                        decoder.decode(bytes, name.substring(name.lastIndexOf('.') + 1).toLowerCase(
                                java.util.Locale.ROOT), buf, i * e);
                    } catch (ImageDecoder.BadImageException ex) {
                        bad.report(en.relative(), ex.getMessage());
                        continue;
                    } catch (OutOfMemoryError oom) {
                        // not the file's fault, so not skipped: skipping would make the data depend on the heap
                        int[] wh = ImageDecoder.dimensions(bytes);
                        throw new PretextException("Image file " + en.relative() + " in " + bad.root()
                                + (wh == null ? "" : " (" + wh[0] + " x " + wh[1] + " pixels)")
                                + " could not be decoded: the Java heap (" + Runtime.getRuntime().maxMemory() / (1 << 20)
                                + " MB) ran out. Give Java more memory (java -Xmx...), decode fewer images at once"
                                + " (decode-threads=1), or lower the dataset parameter max-pixels to skip images this"
                                + " large");
                    }
                    digests[i] = HexFormat.of().formatHex(Checksums.sha256().digest(bytes));
                }
                return null;
            });
        }
        try {
            for (Future<Void> f : pool.invokeAll(tasks)) {
                f.get();
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new PretextException("interrupted while decoding images", ex);
        } catch (ExecutionException ex) {
            if (ex.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new PretextException("decoding images failed: " + ex.getCause(), ex.getCause());
        }
        return digests;
    }

    /** Whether any image file's header declares colour (files that cannot be probed are ignored here). */
    private static boolean anyColour(List<ImageFolderScan.Entry> entries, ExecutorService pool, int threads) {
        AtomicBoolean colour = new AtomicBoolean();
        int per = (entries.size() + threads - 1) / Math.max(1, threads);
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < entries.size(); t += Math.max(1, per)) {
            int lo = t;
            int hi = Math.min(entries.size(), t + Math.max(1, per));
            tasks.add(() -> {
                for (int i = lo; i < hi && !colour.get(); i++) {
                    Path f = entries.get(i).file();
                    if (ImageFolderScan.isImageName(f) && probeColour(f)) {
                        colour.set(true);
                    }
                }
                return null;
            });
        }
        try {
            pool.invokeAll(tasks);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new PretextException("interrupted while reading image headers", ex);
        }
        return colour.get();
    }

    /** Reads only an image's header: true when its colour model is not grey. */
    static boolean probeColour(Path file) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                return false;
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return false;
            }
            ImageReader r = readers.next();
            try {
                r.setInput(in, true, true);
                ImageTypeSpecifier t = r.getRawImageType(0);
                if (t == null) {
                    Iterator<ImageTypeSpecifier> types = r.getImageTypes(0);
                    t = types.hasNext() ? types.next() : null;
                }
                return t != null && !ImageDecoder.greyModel(t.getColorModel());
            } finally {
                r.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static String cacheKey(List<ImageFolderScan.Entry> entries, Options o, int channels) {
        MessageDigest md = Checksums.sha256();
        md.update(("images|" + o.size() + "|" + o.resize() + "|" + channels + "\n").getBytes(StandardCharsets.UTF_8));
        for (ImageFolderScan.Entry en : entries) {
            long size;
            long mtime;
            try {
                size = Files.size(en.file());
                mtime = Files.getLastModifiedTime(en.file()).toMillis();
            } catch (IOException e) {
                size = -1;
                mtime = -1;
            }
            md.update((en.relative() + "|" + en.label() + "|" + size + "|" + mtime + "\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        return "images-" + HexFormat.of().formatHex(md.digest()).substring(0, 24);
    }

    /** A folder with images in class subfolders (also under train/ and test/) or directly in it. */
    @Override
    public boolean recognises(Path path) {
        return PathKinds.entries(path).stream().anyMatch(p -> PathKinds.isFile(p, PathKinds.IMAGES)
                || PathKinds.holdsImages(p, 3));
    }
}
