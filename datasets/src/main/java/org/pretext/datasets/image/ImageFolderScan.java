package org.pretext.datasets.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.pretext.PretextException;

/**
 * The files of an image folder, before any is decoded: {@code DIR/<class>/…} (labelled, class =
 * folder name, files found at any depth below it), or {@code DIR/*.png} with no class folders
 * (unlabelled), each optionally under {@code DIR/train/} and {@code DIR/test/} (or
 * {@code val}/{@code valid}/{@code validation}). Hidden files and folders (names starting with a dot)
 * are ignored; every other file is an example, and one that is not an image is reported when decoded.
 */
final class ImageFolderScan {
    /** The extensions read as images. */
    static final Set<String> EXTENSIONS = org.pretext.datasets.store.PathKinds.IMAGES;
    private static final List<String> TEST_NAMES = List.of("test", "val", "valid", "validation");

    /**
     * A file to decode.
     *
     * @param file the file
     * @param relative its path relative to the dataset folder, for messages
     * @param label its class index, or -1 when unlabelled
     */
    record Entry(Path file, String relative, int label) {}

    /**
     * The scan's result.
     *
     * @param train the training files, or all files when {@code test} is null
     * @param test the test files, or null
     * @param classNames class names by index (empty when unlabelled)
     * @param notes things worth a warning (files outside class folders, test classes unseen in training)
     */
    record Result(List<Entry> train, List<Entry> test, List<String> classNames, List<String> notes) {
        boolean labelled() {
            return !classNames.isEmpty();
        }
    }

    private ImageFolderScan() {}

    static boolean isImageName(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    static Result scan(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new PretextException("Image folder " + dir + " does not exist or is not a folder");
        }
        Path train = child(dir, List.of("train", "training"));
        Path test = child(dir, TEST_NAMES);
        List<String> notes = new ArrayList<>();
        if (train != null && test != null) {
            Part a = part(dir, train, notes);
            Part b = part(dir, test, notes);
            if (a.classes.isEmpty() != b.classes.isEmpty()) {
                throw new PretextException("Image folder " + dir + ": " + (a.classes.isEmpty() ? train : test)
                        + " holds images directly but " + (a.classes.isEmpty() ? test : train)
                        + " holds class folders: expected class folders in both (labelled) or in neither");
            }
            TreeSet<String> all = new TreeSet<>(a.classes);
            all.addAll(b.classes);
            List<String> classes = new ArrayList<>(all);
            for (String c : b.classes) {
                if (!a.classes.contains(c)) {
                    notes.add("class '" + c + "' has test images but no training images");
                }
            }
            return new Result(a.entries(dir, classes), b.entries(dir, classes), classes, notes);
        }
        Part p = part(dir, dir, notes);
        List<String> classes = new ArrayList<>(p.classes);
        return new Result(p.entries(dir, classes), null, classes, notes);
    }

    private static Path child(Path dir, List<String> names) {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> m = s.filter(Files::isDirectory)
                    .filter(p -> names.contains(p.getFileName().toString().toLowerCase(Locale.ROOT)))
                    .sorted().collect(Collectors.toList());
            return m.isEmpty() ? null : m.get(0);
        } catch (IOException e) {
            throw new PretextException("Image folder " + dir + " could not be listed: " + e.getMessage(), e);
        }
    }

    /** A folder of class folders, or of images. */
    private record Part(Path root, List<String> classes, List<List<Path>> byClass, List<Path> loose) {
        List<Entry> entries(Path base, List<String> allClasses) {
            List<Entry> out = new ArrayList<>();
            if (classes.isEmpty()) {
                for (Path f : loose) {
                    out.add(new Entry(f, base.relativize(f).toString(), -1));
                }
                return out;
            }
            for (int c = 0; c < classes.size(); c++) {
                int label = allClasses.indexOf(classes.get(c));
                for (Path f : byClass.get(c)) {
                    out.add(new Entry(f, base.relativize(f).toString(), label));
                }
            }
            return out;
        }
    }

    private static Part part(Path base, Path root, List<String> notes) {
        List<Path> folders = new ArrayList<>();
        List<Path> loose = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.sorted().collect(Collectors.toList())) {
                if (p.getFileName().toString().startsWith(".")) {
                    continue;
                }
                if (Files.isDirectory(p)) {
                    folders.add(p);
                } else if (Files.isRegularFile(p)) {
                    loose.add(p);
                }
            }
        } catch (IOException e) {
            throw new PretextException("Image folder " + root + " could not be listed: " + e.getMessage(), e);
        }
        List<String> classes = new ArrayList<>();
        List<List<Path>> byClass = new ArrayList<>();
        for (Path f : folders) {
            List<Path> files = files(f);
            if (files.isEmpty()) {
                notes.add("folder " + base.relativize(f) + " holds no files and is not used as a class");
                continue;
            }
            classes.add(f.getFileName().toString());
            byClass.add(files);
        }
        if (classes.isEmpty()) {
            if (loose.isEmpty()) {
                throw new PretextException("Image folder " + root + " holds no files: expected images in class"
                        + " folders (" + root + "/<class>/*.png|jpg) or directly in it (unlabelled)");
            }
            return new Part(root, List.of(), List.of(), loose);
        }
        if (!loose.isEmpty()) {
            notes.add(loose.size() + " files directly in " + (root.equals(base) ? "the dataset folder" : base.relativize(root))
                    + " are outside the class folders and not used (e.g. " + loose.get(0).getFileName() + ")");
        }
        return new Part(root, classes, byClass, List.of());
    }

    private static List<Path> files(Path folder) {
        try (Stream<Path> s = Files.walk(folder)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> {
                        for (Path part : folder.relativize(p)) {
                            if (part.toString().startsWith(".")) {
                                return false;
                            }
                        }
                        return true;
                    })
                    .sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new PretextException("Image folder " + folder + " could not be listed: " + e.getMessage(), e);
        }
    }
}
