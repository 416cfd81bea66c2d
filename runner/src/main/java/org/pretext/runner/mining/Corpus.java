package org.pretext.runner.mining;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.pretext.PretextException;
import org.pretext.datasets.text.SentenceTable;

/**
 * An unlabelled corpus to mine: a text file (one example per non-blank line), a column of a TSV or
 * CSV file with a header (SST-2's {@code train.tsv}), or a folder of {@code .txt} files (one
 * example per file, in name order). A table may also name a gold-label column, used only to
 * measure the precision of the mined labels.
 *
 * @param source the path read
 * @param texts the examples
 * @param gold the gold label of each example, or null
 */
public record Corpus(Path source, List<String> texts, List<String> gold) {

    /**
     * Reads a corpus.
     *
     * @param column the text column of a table (ignored for text files and folders)
     * @param goldColumn the gold-label column of a table, or null
     */
    public static Corpus read(Path path, String column, String goldColumn) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean table = name.endsWith(".tsv") || name.endsWith(".tab") || name.endsWith(".csv");
        if (goldColumn != null && !table) {
            throw new PretextException("--gold-column " + goldColumn + " needs a TSV or CSV corpus with a header, but "
                    + path + " is " + (Files.isDirectory(path) ? "a folder" : "a text file"));
        }
        if (Files.isDirectory(path)) {
            List<Path> files;
            try (Stream<Path> s = Files.list(path)) {
                files = s.filter(Files::isRegularFile)
                        .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".txt")).sorted().toList();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("Cannot list the corpus folder " + path, e);
            }
            if (files.isEmpty()) {
                throw new PretextException("The corpus folder " + path + " holds no .txt files: expected text files,"
                        + " one example each");
            }
            List<String> texts = new ArrayList<>();
            for (Path f : files) {
                String t = readText(f).strip();
                if (!t.isEmpty()) {
                    texts.add(t.replaceAll("\\s+", " "));
                }
            }
            return new Corpus(path, List.copyOf(texts), null);
        }
        if (!Files.isRegularFile(path)) {
            throw new PretextException("The corpus " + path + " does not exist: expected a text file, a TSV/CSV file"
                    + " or a folder of .txt files");
        }
        if (table) {
            SentenceTable t = SentenceTable.read(path, column, goldColumn);
            return new Corpus(path, t.sentences(), t.labels());
        }
        List<String> texts = readText(path).lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        if (texts.isEmpty()) {
            throw new PretextException("The corpus " + path + " has no text: expected one example per line");
        }
        return new Corpus(path, texts, null);
    }

    private static String readText(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new PretextException("The corpus file " + f + " is not UTF-8 text");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("Cannot read the corpus file " + f, e);
        }
    }
}
