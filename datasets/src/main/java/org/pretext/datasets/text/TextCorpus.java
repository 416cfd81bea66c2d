package org.pretext.datasets.text;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.pretext.PretextException;

/**
 * A plain-text corpus: one UTF-8 file, or every {@code .txt} file under a folder (recursively, in
 * path order, joined by a newline). Empty files and invalid UTF-8 are errors naming the file.
 *
 * @param text the whole text
 * @param files files read with their SHA-256, for provenance
 */
public record TextCorpus(String text, Map<String, String> files) {

    /** Reads a file or a folder of {@code .txt} files. */
    public static TextCorpus read(Path path) {
        if (!Files.exists(path)) {
            throw new PretextException("The text path " + path + " does not exist: expected a UTF-8 text file or a"
                    + " folder of .txt files");
        }
        List<Path> files;
        if (Files.isDirectory(path)) {
            try (Stream<Path> s = Files.walk(path)) {
                files = s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(".txt"))
                        .sorted().toList();
            } catch (IOException e) {
                throw new PretextException("The folder " + path + " could not be listed: " + e.getMessage(), e);
            }
            if (files.isEmpty()) {
                throw new PretextException("The folder " + path + " holds no .txt files: expected UTF-8 text files");
            }
        } else {
            files = List.of(path);
        }
        StringBuilder sb = new StringBuilder();
        Map<String, String> sums = new LinkedHashMap<>();
        for (Path f : files) {
            Utf8Text.Read r = Utf8Text.read(f);
            if (r.text().isBlank()) {
                throw new PretextException("The text file " + f + " is empty: expected UTF-8 text");
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '\n') {
                sb.append('\n');
            }
            sb.append(r.text());
            sums.put(f.toString(), r.sha256());
        }
        return new TextCorpus(sb.toString(), sums);
    }
}
