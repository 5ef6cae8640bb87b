package io.clip4j.data;

import io.clip4j.ClipException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** An RFC 4180 CSV parser (comma separator, double-quote quoting, CRLF or LF records). */
final class Csv {
    /** The record of a blank line, one field that is empty; shared, as the records are only read. */
    private static final List<String> BLANK = Collections.singletonList("");

    private Csv() {
    }

    /**
     * @param file for messages
     * @param text the whole file
     * @return records, each a list of fields (a trailing line break does not make an extra record)
     * @throws ClipException for an unterminated quoted field or text after a closing quote
     */
    static List<List<String>> parse(Path file, String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = 0;
        int n = text.length();
        int record = 1;
        boolean atRecordStart = true;
        while (i < n) {
            char c = text.charAt(i);
            atRecordStart = false;
            if (c == '"' && field.length() == 0) {
                // quoted field: runs to the next lone quote
                int start = i;
                i++;
                while (true) {
                    if (i >= n) {
                        throw new ClipException(file + ": record " + record + ": quoted field opened at "
                                + lineAndColumn(text, start) + " is never closed");
                    }
                    char q = text.charAt(i);
                    if (q == '"') {
                        if (i + 1 < n && text.charAt(i + 1) == '"') {
                            field.append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    field.append(q);
                    i++;
                }
                if (i < n && text.charAt(i) != ',' && text.charAt(i) != '\n' && text.charAt(i) != '\r') {
                    throw new ClipException(file + ": record " + record + ": unexpected character '" + text.charAt(i)
                            + "' after a closing quote at " + lineAndColumn(text, i));
                }
                continue;
            }
            if (c == ',') {
                row.add(field.toString());
                field.setLength(0);
                i++;
            } else if (c == '\r' || c == '\n') {
                if (row.isEmpty() && field.length() == 0) {
                    rows.add(BLANK); // a list per blank line made 4 MB of line breaks fill a 64 MB heap
                } else {
                    row.add(field.toString());
                    field.setLength(0);
                    rows.add(row);
                    row = new ArrayList<>();
                }
                record++;
                atRecordStart = true;
                i += c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n' ? 2 : 1;
            } else {
                field.append(c);
                i++;
            }
        }
        if (!atRecordStart || field.length() > 0 || !row.isEmpty()) {
            row.add(field.toString());
            rows.add(row);
        }
        return rows;
    }

    /** "line 3, column 13" (1-based) of a character offset: what an editor shows, unlike the offset itself. */
    private static String lineAndColumn(String text, int offset) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < offset; i++) {
            char c = text.charAt(i);
            if (c == '\n' || (c == '\r' && (i + 1 >= text.length() || text.charAt(i + 1) != '\n'))) {
                line++;
                lineStart = i + 1;
            }
        }
        return "line " + line + ", column " + (offset - lineStart + 1);
    }
}
