package org.pretext.datasets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.pretext.PretextException;
import org.pretext.datasets.cifar.CifarFiles;

/**
 * Decides which dataset provider reads a path, for {@code run --dataset PATH}:
 * <ol>
 *   <li>a folder with the four MNIST-style IDX files → {@code idx};
 *   <li>a folder with CIFAR-10/100 binaries (or its {@code cifar-10-batches-bin}/{@code cifar-100-binary}
 *       subfolder) → {@code cifar};
 *   <li>an {@code .npy} file, or a folder holding {@code .npy} files → {@code npy};
 *   <li>a {@code .csv}/{@code .tsv} file, or a folder holding them → {@code csv};
 *   <li>a folder of images in class subfolders ({@code DIR/<class>/*.png}, also under
 *       {@code DIR/train} and {@code DIR/test}) or directly in it → {@code images}.
 * </ol>
 * Anything else is an error that lists what was looked for and what the path holds.
 */
public final class DatasetPaths {
    /**
     * The provider to open a path with, and its parameters (as strings, for
     * {@link org.pretext.param.ParamValues#resolve}).
     *
     * @param provider the dataset provider's name
     * @param params its parameters
     * @param reason what was recognised, for a log line
     */
    public record Resolved(String provider, Map<String, String> params, String reason) {}

    private static final List<String> IDX = List.of(IdxFiles.TRAIN_IMAGES, IdxFiles.TRAIN_LABELS, IdxFiles.TEST_IMAGES,
            IdxFiles.TEST_LABELS);

    private DatasetPaths() {}

    /** Which provider reads {@code path}, or a {@link PretextException} saying what was looked for. */
    public static Resolved resolve(Path path) {
        if (!Files.exists(path)) {
            throw new PretextException("Dataset path " + path + " does not exist: expected a dataset name (see"
                    + " `list`) or a folder or file of data");
        }
        String abs = path.toAbsolutePath().normalize().toString();
        if (Files.isRegularFile(path)) {
            String ext = extension(path);
            switch (ext) {
                case "npy":
                    return new Resolved("npy", Map.of("path", abs), "NumPy file");
                case "csv":
                case "tsv":
                    return new Resolved("csv", Map.of("path", abs), "CSV table");
                default:
                    break;
            }
            Path parent = path.toAbsolutePath().getParent();
            if (ext.equals("bin") && CifarFiles.find(parent).isPresent()) {
                return new Resolved("cifar", Map.of("dir", parent.toString()), "CIFAR binary files");
            }
            if (IDX.contains(path.getFileName().toString()) && idxFolder(parent)) {
                return new Resolved("idx", Map.of("dir", parent.toString()), "MNIST-style IDX files");
            }
            throw new PretextException("Dataset file " + path + " is not a kind Pretext reads by itself: expected an"
                    + " .npy or .csv file, or a folder (" + (isImage(path) ? "for images, point --dataset at the"
                    + " folder of class subfolders" : "of IDX files, CIFAR binaries, .npy/.csv files or images")
                    + ")");
        }
        if (idxFolder(path)) {
            return new Resolved("idx", Map.of("dir", abs), "MNIST-style IDX files");
        }
        List<String> presentIdx = IDX.stream().filter(n -> Files.exists(path.resolve(n))).toList();
        if (!presentIdx.isEmpty()) {
            List<String> missing = IDX.stream().filter(n -> !presentIdx.contains(n)).toList();
            throw new PretextException("Folder " + path + " holds " + presentIdx + " but not " + missing
                    + ": expected all four MNIST-style IDX files");
        }
        Optional<CifarFiles> cifar = CifarFiles.find(path);
        if (cifar.isPresent()) {
            return new Resolved("cifar", Map.of("dir", cifar.get().dir().toAbsolutePath().normalize().toString()),
                    cifar.get().hundred() ? "CIFAR-100 binary files" : "CIFAR-10 binary files");
        }
        List<Path> top = list(path);
        List<Path> files = top.stream().filter(Files::isRegularFile).toList();
        List<Path> folders = top.stream().filter(Files::isDirectory).toList();
        if (files.stream().anyMatch(f -> extension(f).equals("npy"))) {
            return new Resolved("npy", Map.of("path", abs), ".npy files");
        }
        if (files.stream().anyMatch(f -> extension(f).equals("csv") || extension(f).equals("tsv"))) {
            return new Resolved("csv", Map.of("path", abs), "CSV tables");
        }
        boolean classFolders = false;
        for (Path f : folders) {
            if (containsImage(f, 3)) {
                classFolders = true;
                break;
            }
        }
        if (classFolders || files.stream().anyMatch(DatasetPaths::isImage)) {
            Map<String, String> params = new LinkedHashMap<>();
            params.put("dir", abs);
            return new Resolved("images", params, classFolders ? "images in class folders" : "a folder of images");
        }
        throw new PretextException("Could not tell what dataset " + path + " holds. Looked for: the four MNIST-style"
                + " IDX files (" + String.join(", ", IDX) + "); " + CifarFiles.expected() + "; .npy files; .csv/.tsv"
                + " files; images (png, jpg, jpeg, bmp, gif) in class folders " + path + "/<class>/ (or under train/"
                + " and test/) or directly in it. It holds " + describe(files, folders)
                + ". (Text corpora are read by the text dataset providers; see `list`.)");
    }

    /**
     * Opens the data at a path with the provider {@link #resolve} picks, from code:
     * {@code Dataset d = DatasetPaths.open(Path.of("my-photos"), Map.of("size", "64"));}
     *
     * @param overrides more parameters of that provider (e.g. {@code size}, {@code test-fraction})
     */
    public static org.pretext.data.Dataset open(Path path, Map<String, ?> overrides) {
        Resolved r = resolve(path);
        org.pretext.data.DatasetProvider provider = org.pretext.registry.ProviderRegistry
                .load(org.pretext.data.DatasetProvider.class, "dataset").get(r.provider());
        Map<String, Object> raw = new LinkedHashMap<>(r.params());
        raw.putAll(overrides);
        return provider.open(org.pretext.param.ParamValues.resolve("dataset '" + r.provider() + "'",
                provider.parameters(), raw));
    }

    /** {@link #open(Path, Map)} with the provider's defaults. */
    public static org.pretext.data.Dataset open(Path path) {
        return open(path, Map.of());
    }

    private static boolean idxFolder(Path dir) {
        return dir != null && IDX.stream().allMatch(n -> Files.isRegularFile(dir.resolve(n)));
    }

    private static String extension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
    }

    private static boolean isImage(Path p) {
        return List.of("png", "jpg", "jpeg", "bmp", "gif", "tif", "tiff").contains(extension(p));
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new PretextException("Folder " + dir + " could not be listed: " + e.getMessage(), e);
        }
    }

    private static boolean containsImage(Path dir, int depth) {
        try (Stream<Path> s = Files.walk(dir, depth)) {
            return s.anyMatch(p -> Files.isRegularFile(p) && isImage(p));
        } catch (IOException e) {
            return false;
        }
    }

    private static String describe(List<Path> files, List<Path> folders) {
        if (files.isEmpty() && folders.isEmpty()) {
            return "nothing (it is empty)";
        }
        List<String> parts = new ArrayList<>();
        if (!files.isEmpty()) {
            parts.add(files.size() + " file" + (files.size() == 1 ? "" : "s") + " (e.g. " + files.stream().limit(3)
                    .map(p -> p.getFileName().toString()).collect(Collectors.joining(", ")) + ")");
        }
        if (!folders.isEmpty()) {
            parts.add(folders.size() + " folder" + (folders.size() == 1 ? "" : "s") + " without images (e.g. "
                    + folders.stream().limit(3).map(p -> p.getFileName().toString()).collect(Collectors.joining(", "))
                    + ")");
        }
        return String.join(" and ", parts);
    }
}
