package org.pretext.datasets.text;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pretext.PretextException;

/**
 * A labelled (or unlabelled) sentence set in a delimited UTF-8 file with a header row: tab-separated
 * ({@code .tsv}, fields taken literally, as GLUE's SST-2) or comma-separated ({@code .csv}, RFC 4180
 * quoting, quoted fields may hold commas, quotes and newlines). The text and label columns are
 * found by name in the header. Blank lines are skipped; a row with the wrong number of fields, an
 * empty sentence or an empty label is an error naming the file and line. Sentences are stripped
 * of surrounding whitespace.
 *
 * @param file the file read
 * @param sha256 its checksum
 * @param sentences the sentences in file order
 * @param labels the label of each sentence as written, or null without a label column
 */
public record SentenceTable(Path file, String sha256, List<String> sentences, List<String> labels) {

    /**
     * Reads a table.
     *
     * @param textColumn header name of the sentence column
     * @param labelColumn header name of the label column, or null to read sentences only
     */
    public static SentenceTable read(Path file, String textColumn, String labelColumn) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        boolean tsv = name.endsWith(".tsv") || name.endsWith(".tab");
        if (!tsv && !name.endsWith(".csv")) {
            throw new PretextException("The sentence file " + file + " is neither .tsv nor .csv: expected a"
                    + " tab-separated (.tsv) or comma-separated (.csv) file with a header row");
        }
        Utf8Text.Read r = Utf8Text.read(file);
        List<Row> rows = tsv ? splitTsv(r.text()) : splitCsv(r.text(), file);
        if (rows.isEmpty()) {
            throw new PretextException("The sentence file " + file + " is empty: expected a header row naming the"
                    + " columns '" + textColumn + "'" + (labelColumn == null ? "" : " and '" + labelColumn + "'"));
        }
        List<String> header = rows.get(0).fields();
        int ti = column(header, textColumn, file, tsv);
        int li = labelColumn == null ? -1 : column(header, labelColumn, file, tsv);
        List<String> sentences = new ArrayList<>();
        List<String> labels = labelColumn == null ? null : new ArrayList<>();
        for (int i = 1; i < rows.size(); i++) {
            Row row = rows.get(i);
            List<String> f = row.fields();
            if (f.size() != header.size()) {
                throw new PretextException(file + ":" + row.line() + ": expected " + header.size() + " fields "
                        + header + " separated by " + (tsv ? "tabs" : "commas") + ", found " + f.size());
            }
            String s = f.get(ti).strip();
            if (s.isEmpty()) {
                throw new PretextException(file + ":" + row.line() + ": the sentence (column '" + textColumn
                        + "') is empty: expected text");
            }
            sentences.add(s);
            if (li >= 0) {
                String l = f.get(li).strip();
                if (l.isEmpty()) {
                    throw new PretextException(file + ":" + row.line() + ": the label (column '" + labelColumn
                            + "') is empty: expected a class label");
                }
                labels.add(l);
            }
        }
        if (sentences.isEmpty()) {
            throw new PretextException("The sentence file " + file + " has a header but no rows: expected sentences");
        }
        return new SentenceTable(file, r.sha256(), List.copyOf(sentences), labels == null ? null : List.copyOf(labels));
    }

    private static int column(List<String> header, String name, Path file, boolean tsv) {
        int i = header.indexOf(name);
        if (i < 0) {
            throw new PretextException(file + ":1: the header " + header + " has no column '" + name + "'"
                    + (header.size() == 1 && !tsv && header.get(0).contains("\t")
                            ? " (the file looks tab-separated: name it .tsv)" : "")
                    + (header.size() == 1 && tsv && header.get(0).contains(",")
                            ? " (the file looks comma-separated: name it .csv)" : ""));
        }
        return i;
    }

    /** One record with the line it starts on. */
    record Row(int line, List<String> fields) {}

    static List<Row> splitTsv(String text) {
        List<Row> rows = new ArrayList<>();
        int line = 0;
        for (String l : text.split("\n", -1)) {
            line++;
            if (l.endsWith("\r")) {
                l = l.substring(0, l.length() - 1);
            }
            if (l.isBlank()) {
                continue;
            }
            List<String> fields = new ArrayList<>(List.of(l.split("\t", -1)));
            rows.add(new Row(line, fields));
        }
        return rows;
    }

    static List<Row> splitCsv(String text, Path file) {
        List<Row> rows = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int line = 1;
        int start = 1;
        boolean quoted = false;
        boolean wasQuoted = false;
        boolean any = false;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < n && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    field.append(c);
                }
                continue;
            }
            if (c == '"') {
                if (field.length() > 0 || wasQuoted) {
                    throw new PretextException(file + ":" + line + ": a quote inside an unquoted field: expected"
                            + " fields with quotes to be wholly quoted, quotes doubled (\"\")");
                }
                quoted = true;
                wasQuoted = true;
                any = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                wasQuoted = false;
                any = true;
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
                    i++;
                }
                if (any || field.length() > 0) {
                    fields.add(field.toString());
                    if (!(fields.size() == 1 && fields.get(0).isBlank() && !wasQuoted)) {
                        rows.add(new Row(start, fields));
                    }
                }
                fields = new ArrayList<>();
                field.setLength(0);
                wasQuoted = false;
                any = false;
                line++;
                start = line;
            } else {
                if (wasQuoted) {
                    throw new PretextException(file + ":" + line + ": text after a closing quote: expected a comma"
                            + " or the end of the line");
                }
                field.append(c);
                any = true;
            }
        }
        if (quoted) {
            throw new PretextException(file + ":" + start + ": a quoted field is never closed: expected a closing quote");
        }
        if (any || field.length() > 0) {
            fields.add(field.toString());
            if (!(fields.size() == 1 && fields.get(0).isBlank() && !wasQuoted)) {
                rows.add(new Row(start, fields));
            }
        }
        return rows;
    }
}
