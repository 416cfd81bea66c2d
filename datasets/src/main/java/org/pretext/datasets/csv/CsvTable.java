package org.pretext.datasets.csv;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.pretext.PretextException;
import org.pretext.datasets.store.ExampleWriter;
import org.pretext.datasets.store.LabelCoding;

/**
 * One CSV table of numeric features and a label column: its layout (delimiter, header, which
 * column is the label, which are dropped) and two passes over it, one that checks every cell and
 * collects the labels, one that writes the features. A cell that is not a finite number is an
 * error naming the file, line and column.
 *
 * @param file the file
 * @param delimiter the field separator
 * @param header whether the first row holds column names
 * @param names column names (from the header, else {@code column 1}, {@code column 2}, …)
 * @param labelColumn the label column's index, or -1 for unlabelled data
 * @param features the indices of the feature columns
 */
record CsvTable(Path file, char delimiter, boolean header, List<String> names, int labelColumn, int[] features) {
    /** Header names that mark the label column when it is not named explicitly. */
    static final Set<String> LABEL_NAMES = Set.of("label", "labels", "class", "target", "y", "category", "species");

    /** What the first pass found. */
    record Scan(int rows, int[] rawLabels, List<String> distinctLabels) {
        List<String> labelValues() {
            List<String> out = new ArrayList<>(rows);
            for (int r : rawLabels) {
                out.add(distinctLabels.get(r));
            }
            return out;
        }
    }

    /**
     * Works out a table's layout from its first rows.
     *
     * @param delimiterSpec {@code auto}, {@code comma}, {@code semicolon}, {@code tab} or one character
     * @param headerSpec {@code auto}, {@code yes} or {@code no}
     * @param labelSpec {@code auto}, {@code none}, a column name, or a 0-based index (negative: from the end)
     * @param dropSpec comma-separated column names or indices to ignore, or empty
     */
    static CsvTable open(Path file, String delimiterSpec, String headerSpec, String labelSpec, String dropSpec) {
        if (!Files.isRegularFile(file)) {
            throw new PretextException("CSV file " + file + " does not exist or is not a file");
        }
        char delimiter = delimiter(file, delimiterSpec);
        CsvRows.Row first;
        CsvRows.Row second;
        try (CsvRows rows = new CsvRows(reader(file), delimiter, file.toString())) {
            first = rows.next();
            second = rows.next();
        } catch (IOException e) {
            throw readError(file, e);
        }
        if (first == null) {
            throw new PretextException("CSV file " + file + " is empty: expected rows of numeric features and a label");
        }
        int columns = first.fields().size();
        boolean header = switch (headerSpec.toLowerCase(Locale.ROOT)) {
            case "yes", "true" -> true;
            case "no", "false" -> false;
            default -> detectHeader(first.fields(), second == null ? null : second.fields());
        };
        List<String> names = new ArrayList<>();
        for (int j = 0; j < columns; j++) {
            names.add(header ? first.fields().get(j).trim() : "column " + (j + 1));
        }
        int label = labelColumn(file, labelSpec, header, names);
        Set<Integer> dropped = new LinkedHashSet<>();
        if (dropSpec != null && !dropSpec.isBlank()) {
            for (String d : dropSpec.split(",")) {
                int j = column(file, d.trim(), header, names, "drop-columns");
                if (j == label) {
                    throw new PretextException("CSV file " + file + ": column '" + names.get(j)
                            + "' is both the label column and in drop-columns");
                }
                dropped.add(j);
            }
        }
        int[] features = java.util.stream.IntStream.range(0, columns)
                .filter(j -> j != label && !dropped.contains(j)).toArray();
        if (features.length == 0) {
            throw new PretextException("CSV file " + file + " has no feature columns besides the label column '"
                    + names.get(label) + "': expected at least one numeric column");
        }
        return new CsvTable(file, delimiter, header, List.copyOf(names), label, features);
    }

    private static char delimiter(Path file, String spec) {
        String s = spec == null ? "auto" : spec;
        switch (s.toLowerCase(Locale.ROOT)) {
            case "comma":
                return ',';
            case "semicolon":
                return ';';
            case "tab", "\\t":
                return '\t';
            case "auto":
                break;
            default:
                if (s.length() == 1) {
                    return s.charAt(0);
                }
                throw new PretextException("CSV delimiter '" + s + "': expected auto, comma, semicolon, tab or a"
                        + " single character");
        }
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".tsv")) {
            return '\t';
        }
        String line;
        try (java.io.BufferedReader r = new java.io.BufferedReader(reader(file))) {
            line = r.readLine();
        } catch (IOException e) {
            throw readError(file, e);
        }
        if (line == null) {
            return ',';
        }
        int comma = count(line, ',');
        int semi = count(line, ';');
        int tab = count(line, '\t');
        if (tab > comma && tab >= semi) {
            return '\t';
        }
        return semi > comma ? ';' : ',';
    }

    private static int count(String s, char c) {
        int n = 0;
        boolean q = false;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '"') {
                q = !q;
            } else if (ch == c && !q) {
                n++;
            }
        }
        return n;
    }

    static boolean isNumber(String s) {
        String t = s.trim();
        if (t.isEmpty()) {
            return false;
        }
        try {
            return Double.isFinite(Double.parseDouble(t));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean detectHeader(List<String> first, List<String> second) {
        if (second == null) {
            return first.stream().noneMatch(CsvTable::isNumber);
        }
        for (int j = 0; j < Math.min(first.size(), second.size()); j++) {
            if (!isNumber(first.get(j)) && isNumber(second.get(j))) {
                return true;
            }
        }
        return first.stream().noneMatch(CsvTable::isNumber) && second.stream().anyMatch(CsvTable::isNumber);
    }

    private static int labelColumn(Path file, String spec, boolean header, List<String> names) {
        String s = spec == null ? "auto" : spec.trim();
        if (s.equalsIgnoreCase("none")) {
            return -1;
        }
        if (s.equalsIgnoreCase("auto")) {
            if (header) {
                for (int j = 0; j < names.size(); j++) {
                    if (LABEL_NAMES.contains(names.get(j).toLowerCase(Locale.ROOT))) {
                        return j;
                    }
                }
            }
            return names.size() - 1;
        }
        return column(file, s, header, names, "label-column");
    }

    private static int column(Path file, String s, boolean header, List<String> names, String param) {
        if (s.matches("-?\\d+")) {
            int j = Integer.parseInt(s);
            int k = j < 0 ? names.size() + j : j;
            if (k < 0 || k >= names.size()) {
                throw new PretextException("CSV file " + file + " has " + names.size() + " columns: " + param + " "
                        + s + " is outside 0.." + (names.size() - 1) + " (or -1..-" + names.size() + " from the end)");
            }
            return k;
        }
        if (header) {
            for (int j = 0; j < names.size(); j++) {
                if (names.get(j).equals(s)) {
                    return j;
                }
            }
            for (int j = 0; j < names.size(); j++) {
                if (names.get(j).equalsIgnoreCase(s)) {
                    return j;
                }
            }
        }
        throw new PretextException("CSV file " + file + " has no column named '" + s + "' (" + param + "): "
                + (header ? "its columns are " + names : "it has no header row, so give a 0-based column index"));
    }

    static Reader reader(Path file) throws IOException {
        return new java.io.InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
    }

    private static PretextException readError(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new PretextException("CSV file " + file + " does not exist");
        }
        if (e instanceof CharacterCodingException) {
            return new PretextException("CSV file " + file + " is not UTF-8 text (" + e.getMessage()
                    + "): expected a UTF-8 (or ASCII) CSV file", e);
        }
        return new PretextException("CSV file " + file + " could not be read: " + e.getMessage(), e);
    }

    /** Number of feature columns. */
    int featureCount() {
        return features.length;
    }

    /** A column's name for messages: {@code column 3 ('petal_width')} or {@code column 3}. */
    private String columnName(int j) {
        return header ? "column " + (j + 1) + " ('" + names.get(j) + "')" : "column " + (j + 1);
    }

    /** The first pass: every row has the right number of fields and numeric features; labels collected. */
    Scan scan() {
        int[] raw = new int[1024];
        Map<String, Integer> seen = new HashMap<>();
        List<String> distinct = new ArrayList<>();
        int n = 0;
        float[] scratch = new float[features.length];
        try (CsvRows rows = new CsvRows(reader(file), delimiter, file.toString())) {
            CsvRows.Row r = rows.next();
            if (header && r != null) {
                r = rows.next();
            }
            for (; r != null; r = rows.next()) {
                parse(r, scratch, 0);
                if (labelColumn >= 0) {
                    String y = r.fields().get(labelColumn).trim();
                    if (y.isEmpty()) {
                        throw new PretextException("CSV file " + file + ", line " + r.line() + ", "
                                + columnName(labelColumn) + ": the label is empty: expected a class label");
                    }
                    Integer code = seen.get(y);
                    if (code == null) {
                        code = distinct.size();
                        seen.put(y, code);
                        distinct.add(y);
                    }
                    if (n == raw.length) {
                        raw = Arrays.copyOf(raw, n * 2);
                    }
                    raw[n] = code;
                }
                n++;
            }
        } catch (IOException e) {
            throw readError(file, e);
        }
        if (n == 0) {
            throw new PretextException("CSV file " + file + " holds a header but no rows: expected at least one row");
        }
        return new Scan(n, labelColumn >= 0 ? Arrays.copyOf(raw, n) : null, distinct);
    }

    /** Parses one row's features into {@code out} at {@code offset}. */
    private void parse(CsvRows.Row r, float[] out, int offset) {
        List<String> f = r.fields();
        if (f.size() != names.size()) {
            throw new PretextException("CSV file " + file + ", line " + r.line() + " has " + f.size()
                    + " fields: expected " + names.size() + " like " + (header ? "the header" : "the first row")
                    + " (delimiter '" + (delimiter == '\t' ? "\\t" : String.valueOf(delimiter)) + "')");
        }
        for (int k = 0; k < features.length; k++) {
            String cell = f.get(features[k]).trim();
            double v;
            try {
                v = cell.isEmpty() ? Double.NaN : Double.parseDouble(cell);
            } catch (NumberFormatException e) {
                v = Double.NaN;
            }
            if (!Float.isFinite((float) v)) { // 1e39 is a finite double but an infinite float32
                throw new PretextException("CSV file " + file + ", line " + r.line() + ", " + columnName(features[k])
                        + ": " + (cell.isEmpty() ? "the cell is empty" : "'" + cell + "' is not a finite number"
                                + (Double.isFinite(v) ? " in float32" : ""))
                        + ": expected numeric features"
                        + (labelColumn >= 0 ? " (the label column is '" + names.get(labelColumn) + "'; set"
                                + " label-column or drop-columns if another column is not a feature)" : "")
                        + ". For a table of sentences use a text dataset instead.");
            }
            out[offset + k] = (float) v;
        }
    }

    /** The second pass: features and coded labels into a writer, in chunks. */
    void write(ExampleWriter writer, LabelCoding coding, Scan scan) {
        int d = features.length;
        int chunk = Math.max(1, Math.min(4096, (1 << 22) / d));
        float[] buf = new float[chunk * d];
        int[] lab = labelColumn >= 0 ? new int[chunk] : null;
        int[] codeOf = null;
        if (labelColumn >= 0) {
            codeOf = new int[scan.distinctLabels().size()];
            for (int i = 0; i < codeOf.length; i++) {
                codeOf[i] = coding.indexOf(scan.distinctLabels().get(i));
            }
        }
        int n = 0;
        int row = 0;
        try (CsvRows rows = new CsvRows(reader(file), delimiter, file.toString())) {
            CsvRows.Row r = rows.next();
            if (header && r != null) {
                r = rows.next();
            }
            for (; r != null; r = rows.next()) {
                parse(r, buf, n * d);
                if (lab != null) {
                    lab[n] = codeOf[scan.rawLabels()[row]];
                }
                n++;
                row++;
                if (n == chunk) {
                    writer.appendFloats(buf, 0, n, lab);
                    n = 0;
                }
            }
            if (n > 0) {
                writer.appendFloats(buf, 0, n, lab == null ? null : Arrays.copyOf(lab, n));
            }
        } catch (IOException e) {
            throw readError(file, e);
        }
        if (row != scan.rows()) {
            throw new PretextException("CSV file " + file + " changed while it was being read");
        }
    }
}
