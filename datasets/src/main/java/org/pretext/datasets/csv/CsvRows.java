package org.pretext.datasets.csv;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;
import org.pretext.PretextException;

/**
 * Reads the rows of a delimited text table (RFC 4180: fields separated by one character, quoted
 * with {@code "} where they hold the delimiter, a quote or a line break, {@code ""} for a quote
 * inside quotes; lines end with LF or CRLF). Blank lines are skipped. Each row knows the line it
 * started on, for messages.
 */
final class CsvRows implements AutoCloseable {
    private final BufferedReader in;
    private final char delimiter;
    private final String file;
    private int line = 1;
    private boolean first = true;

    /** A row's fields and the 1-based line it starts on. */
    record Row(List<String> fields, int line) {}

    CsvRows(Reader reader, char delimiter, String file) {
        this.in = reader instanceof BufferedReader b ? b : new BufferedReader(reader, 1 << 16);
        this.delimiter = delimiter;
        this.file = file;
    }

    /** The next non-blank row, or null at the end. */
    Row next() throws IOException {
        while (true) {
            int start = line;
            List<String> fields = new ArrayList<>();
            StringBuilder cur = new StringBuilder();
            boolean quoted = false;
            boolean wasQuoted = false;
            boolean any = false;
            int c;
            while (true) {
                c = in.read();
                if (first) {
                    first = false;
                    if (c == 0xFEFF) {
                        c = in.read();
                    }
                }
                if (c < 0) {
                    if (quoted) {
                        throw new PretextException("CSV file " + file + ", line " + start
                                + ": a quoted field is not closed before the end of the file");
                    }
                    break;
                }
                any = true;
                if (quoted) {
                    if (c == '"') {
                        in.mark(1);
                        int d = in.read();
                        if (d == '"') {
                            cur.append('"');
                        } else {
                            quoted = false;
                            if (d >= 0) {
                                in.reset();
                            }
                        }
                    } else {
                        if (c == '\n') {
                            line++;
                        }
                        cur.append((char) c);
                    }
                    continue;
                }
                if (c == '"' && cur.length() == 0 && !wasQuoted) {
                    quoted = true;
                    wasQuoted = true;
                } else if (c == delimiter) {
                    fields.add(cur.toString());
                    cur.setLength(0);
                    wasQuoted = false;
                } else if (c == '\n') {
                    line++;
                    break;
                } else if (c != '\r') {
                    cur.append((char) c);
                }
            }
            if (!any) {
                return null;
            }
            fields.add(cur.toString());
            if (fields.size() == 1 && fields.get(0).isBlank() && !wasQuoted) {
                if (c < 0) {
                    return null;
                }
                continue;
            }
            return new Row(fields, start);
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
