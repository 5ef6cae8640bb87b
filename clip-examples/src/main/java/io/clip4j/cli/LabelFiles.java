package io.clip4j.cli;

import io.clip4j.io.Streams;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads class-name files (one label per line), bounded so that a device or pipe cannot exhaust the heap. */
final class LabelFiles {
    /** Far above any label set (ImageNet's 1000 names take 12 KiB). */
    static final int MAX_BYTES = 16 << 20;

    private LabelFiles() {
    }

    /**
     * @param file UTF-8 text, one label per line; a leading BOM, blank lines and surrounding spaces are dropped
     * @param what the option that named the file, for messages
     * @return the labels in file order, at least one
     * @throws IllegalArgumentException if the file is unreadable, not UTF-8, over {@link #MAX_BYTES} or has no label
     */
    static List<String> read(Path file, String what) {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = Streams.readUpTo(in, MAX_BYTES + 1);
        } catch (IOException e) {
            String why = e instanceof java.nio.file.NoSuchFileException ? "file not found"
                    : Files.isDirectory(file) ? "a directory, not a file" : "cannot read (" + e.getMessage() + ")";
            throw new IllegalArgumentException(what + " " + file + ": " + why, e);
        }
        if (bytes.length > MAX_BYTES) {
            throw new IllegalArgumentException(what + " " + file + ": longer than " + (MAX_BYTES >> 20) + " MiB");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " " + file + ": not UTF-8 text", e);
        }
        List<String> out = new ArrayList<>();
        String t = text.replace("\uFEFF", "");
        // Line by line, without a String per blank line: split() turned 16 MB of line breaks into 400 MB of heap.
        for (int from = 0, end; from < t.length(); from = end + (t.startsWith("\r\n", end) ? 2 : 1)) {
            end = from;
            boolean blank = true;
            for (char c; end < t.length() && (c = t.charAt(end)) != '\n' && c != '\r'; end++) {
                blank &= Character.isWhitespace(c);
            }
            if (!blank) {
                out.add(t.substring(from, end).strip());
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(what + " " + file + ": no labels");
        }
        return out;
    }
}
