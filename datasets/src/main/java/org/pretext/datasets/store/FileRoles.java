package org.pretext.datasets.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.pretext.PretextException;

/**
 * Which file of a folder is what, from its name: the name (without extension) is cut into words
 * at {@code _ - .} and spaces; a word {@code train}/{@code training} marks the training part,
 * {@code test}/{@code testing}/{@code val}/{@code valid}/{@code validation} the test part; a word
 * {@code y}/{@code label}/{@code labels}/{@code target}/{@code targets}/{@code class}/{@code classes}
 * marks a labels file; words such as {@code x}/{@code images}/{@code inputs}/{@code features}/{@code data}
 * are dropped; the words left name the dataset. So {@code train_images.npy} + {@code train_labels.npy} +
 * {@code test_images.npy} + {@code test_labels.npy}, or {@code X_train.npy} + {@code y_train.npy} + …,
 * or {@code data.npy} + {@code labels.npy}, or {@code train.csv} + {@code test.csv} each form one
 * dataset.
 */
public final class FileRoles {
    /** Which part of a dataset a file holds. */
    public enum Role {
        TRAIN, TEST, ALL
    }

    private static final Set<String> TRAIN = Set.of("train", "training");
    private static final Set<String> TEST = Set.of("test", "testing", "val", "valid", "validation");
    private static final Set<String> LABELS = Set.of("y", "label", "labels", "target", "targets", "class", "classes");
    private static final Set<String> INPUTS = Set.of("x", "image", "images", "input", "inputs", "feature", "features",
            "data", "samples", "examples", "imgs", "ims", "values");

    /**
     * What a file name says.
     *
     * @param file the file
     * @param role its part
     * @param labels whether it holds labels
     * @param dataset the words naming its dataset (may be empty)
     */
    public record Entry(Path file, Role role, boolean labels, String dataset) {}

    /**
     * The files of one dataset.
     *
     * @param trainInputs the training inputs, or the single set when {@code testInputs} is null
     * @param trainLabels its labels file, or null
     * @param testInputs the test inputs, or null
     * @param testLabels its labels file, or null
     */
    public record Found(Path trainInputs, Path trainLabels, Path testInputs, Path testLabels) {}

    private FileRoles() {}

    /** Reads a file name. */
    public static Entry classify(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = (dot > 0 ? name.substring(0, dot) : name).toLowerCase(Locale.ROOT);
        Role role = Role.ALL;
        boolean labels = false;
        List<String> rest = new ArrayList<>();
        for (String w : stem.split("[_\\-. ]+")) {
            if (w.isEmpty()) {
                continue;
            }
            if (TRAIN.contains(w)) {
                role = Role.TRAIN;
            } else if (TEST.contains(w)) {
                role = Role.TEST;
            } else if (LABELS.contains(w)) {
                labels = true;
            } else if (!INPUTS.contains(w)) {
                rest.add(w);
            }
        }
        return new Entry(file, role, labels, String.join("_", rest));
    }

    /**
     * The files of the dataset at {@code path}: a folder holding the files of one dataset, or one
     * of its files (its training or single file).
     *
     * @param ext the extension, e.g. {@code .npy}
     * @param labelFiles whether labels come in separate files (.npy) or inside the inputs (CSV)
     */
    public static Found discover(Path path, String ext, boolean labelFiles) {
        Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        List<Entry> entries;
        try (Stream<Path> s = Files.list(dir)) {
            entries = s.filter(p -> Files.isRegularFile(p)
                    && p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(ext)
                    && !p.getFileName().toString().startsWith("."))
                    .sorted().map(FileRoles::classify).collect(Collectors.toList());
        } catch (IOException e) {
            throw new PretextException("Folder " + dir + " could not be listed: " + e.getMessage(), e);
        }
        if (!labelFiles) {
            entries = entries.stream().map(e -> new Entry(e.file(), e.role(), false, e.dataset()))
                    .collect(Collectors.toList());
        }
        String group;
        if (Files.isDirectory(path)) {
            Set<String> groups = entries.stream().map(Entry::dataset).collect(Collectors.toCollection(
                    java.util.TreeSet::new));
            if (entries.isEmpty()) {
                throw new PretextException("Folder " + path + " holds no " + ext + " files");
            }
            if (groups.size() > 1) {
                throw new PretextException("Folder " + path + " holds " + ext + " files of more than one dataset "
                        + names(entries) + ": expected the files of one dataset, named e.g. train_x" + ext
                        + ", train_y" + ext + ", test_x" + ext + ", test_y" + ext + " (or data" + ext
                        + ", labels" + ext + "); point --dataset at one file, or move the others away");
            }
            group = groups.iterator().next();
        } else {
            Entry self = classify(path);
            if (labelFiles && self.labels()) {
                throw new PretextException("File " + path + " looks like a labels file (its name says so): point"
                        + " the dataset at the inputs file, e.g. " + path.resolveSibling("x" + ext));
            }
            if (self.role() == Role.ALL) {
                Path lab = labelFiles ? single(entries, self.dataset(), Role.ALL, true, path) : null;
                return new Found(path, lab, null, null);
            }
            group = self.dataset();
        }
        Map<String, Path> byRole = new LinkedHashMap<>();
        for (Role r : Role.values()) {
            for (boolean lab : labelFiles ? new boolean[] {false, true} : new boolean[] {false}) {
                Path p = single(entries, group, r, lab, dir);
                if (p != null) {
                    byRole.put(r + "/" + lab, p);
                }
            }
        }
        Path trainX = byRole.get("TRAIN/false");
        Path testX = byRole.get("TEST/false");
        Path allX = byRole.get("ALL/false");
        if (trainX != null) {
            if (allX != null) {
                throw new PretextException("In " + dir + " the files " + trainX.getFileName() + " and "
                        + allX.getFileName() + " both look like training inputs: expected train_*/test_* files"
                        + " or one file to split, not both");
            }
            return new Found(trainX, byRole.get("TRAIN/true"), testX, testX == null ? null : byRole.get("TEST/true"));
        }
        if (allX != null) {
            return new Found(allX, byRole.get("ALL/true"), testX, testX == null ? null : byRole.get("TEST/true"));
        }
        throw new PretextException("Found no training inputs among " + names(entries) + " in " + dir
                + ": expected a file named like train_x" + ext + " (or data" + ext + ")");
    }

    private static Path single(List<Entry> entries, String group, Role role, boolean labels, Path where) {
        List<Entry> m = entries.stream()
                .filter(e -> e.dataset().equals(group) && e.role() == role && e.labels() == labels)
                .collect(Collectors.toList());
        if (m.size() > 1) {
            throw new PretextException("In " + where + " the files " + names(m) + " all look like the "
                    + role.name().toLowerCase(Locale.ROOT) + (labels ? " labels" : " inputs")
                    + ": expected one; rename or move the others");
        }
        return m.isEmpty() ? null : m.get(0).file();
    }

    private static List<String> names(List<Entry> entries) {
        return entries.stream().map(e -> e.file().getFileName().toString()).collect(Collectors.toList());
    }
}
