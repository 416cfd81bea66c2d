package org.pretext.datasets.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a file or folder looks like from its names, for the built-in dataset providers'
 * {@link org.pretext.data.DatasetProvider#recognises recognises(Path)}: cheap checks that read no
 * file's contents.
 */
public final class PathKinds {
    /** Extensions of the image files the image-folder provider decodes. */
    public static final Set<String> IMAGES = Set.of("png", "jpg", "jpeg", "bmp", "gif", "tif", "tiff", "wbmp");

    private PathKinds() {}

    /** The lower-case extension of a file name, or "" when it has none. */
    public static String extension(Path p) {
        Path name = p.getFileName();
        String n = name == null ? "" : name.toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
    }

    /** Whether {@code p} is a regular file with one of the extensions. */
    public static boolean isFile(Path p, Set<String> extensions) {
        return Files.isRegularFile(p) && extensions.contains(extension(p));
    }

    /** The entries of a folder that are not hidden, sorted; empty for a file or an unreadable folder. */
    public static List<Path> entries(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Whether a folder holds, at its top level, a file with one of the extensions. */
    public static boolean holdsFiles(Path dir, Set<String> extensions) {
        return entries(dir).stream().anyMatch(p -> isFile(p, extensions));
    }

    /** Whether a folder holds an image file within {@code depth} levels. */
    public static boolean holdsImages(Path dir, int depth) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.walk(dir, depth)) {
            return s.anyMatch(p -> isFile(p, IMAGES));
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }
}
