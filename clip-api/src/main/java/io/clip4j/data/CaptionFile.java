package io.clip4j.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.ClipException;
import io.clip4j.image.ImageInput;
import io.clip4j.text.ClipTokenizer;
import io.clip4j.text.MessageText;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads image-caption pairs from a captions file; image paths are resolved against the file's directory
 * (absolute paths are kept). Two formats, chosen by the file name's extension (for other names, JSON Lines when
 * the first non-blank character is <code>{</code>, else CSV):
 * <ul>
 *   <li>{@code .csv}: RFC 4180 (comma-separated; fields may be double-quoted, a quoted field may contain commas,
 *       line breaks and doubled quotes {@code ""}; CRLF or LF line ends; a UTF-8 byte-order mark is skipped). The
 *       header row must name a {@code path} and a {@code caption} column (any order, any case, blanks around the
 *       names ignored, each named once; other columns are ignored); a record may not have more fields than the
 *       header.</li>
 *   <li>{@code .jsonl} / {@code .json}: one JSON object per non-blank line,
 *       {@code {"image": "path", "caption": "text"}}, no key repeated.</li>
 * </ul>
 * Image paths are normalised ({@code ./a.png} and {@code a.png} name one image). {@link #read(Path)} does not open
 * images, so a missing one fails when it is first decoded (training can then skip it);
 * {@link #read(Path, boolean)} can check them up front (evaluation, where every image must count).
 */
public final class CaptionFile {
    // A second "caption" key in one line replaced the first without a word.
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private CaptionFile() {
    }

    /**
     * Reads image-caption pairs from a CSV or JSONL file, without opening the images.
     *
     * @param file a {@code .csv} or {@code .jsonl} captions file (or another name; see the class comment)
     * @return the pairs in file order (empty for a file with no records)
     * @throws ClipException naming the file and line (CSV: record) for an unreadable file (a directory, a device
     *                       or named pipe, or bytes that are not UTF-8 included), a missing column or field, a CSV
     *                       header naming {@code path} or {@code caption} twice, a CSV record with more fields than
     *                       the header, a JSONL line with more than one JSON value or a repeated key, an image path the
     *                       file system cannot represent (e.g. one holding NUL), a blank caption (one the tokenizer
     *                       reads as nothing, such as {@code &nbsp;}, included) or malformed CSV/JSON
     */
    public static List<ImageCaption> read(Path file) {
        return read(file, false);
    }

    /**
     * Reads image-caption pairs from a CSV or JSONL file, optionally checking that every image is a regular file.
     *
     * @param file            a {@code .csv} or {@code .jsonl} captions file
     * @param imagesMustExist whether an image path that names no regular file is an error here
     * @return the pairs in file order (empty for a file with no records)
     * @throws ClipException as {@link #read(Path)}, and naming the line (CSV: record) and image when
     *                       {@code imagesMustExist} and the image is missing or not a regular file
     */
    public static List<ImageCaption> read(Path file, boolean imagesMustExist) {
        // The root folder has no file name (String.valueOf: no NullPointerException); it is refused as a folder.
        String name = String.valueOf(file.getFileName()).toLowerCase(Locale.ROOT);
        if (Files.isDirectory(file)) {
            throw new ClipException(file + ": a directory, not a captions file (expected a .csv or .jsonl file)");
        }
        // A named pipe would block the read until a writer comes (never), a link to /dev/zero fill the heap.
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new ClipException(file + ": captions file is not a regular file (a device or named pipe)");
        }
        String text;
        try {
            // Strict UTF-8 like Files.readString (Java 11, Android API 33+): malformed bytes are an error, not U+FFFD.
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (NoSuchFileException e) {
            throw new ClipException(file + ": captions file not found", e);
        } catch (CharacterCodingException e) { // an image or other binary file given by mistake
            throw new ClipException(file + ": captions file is not UTF-8 text (expected a .csv or .jsonl file)", e);
        } catch (IOException e) {
            throw new ClipException(file + ": cannot read captions file: " + e, e);
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        Path base = file.toAbsolutePath().getParent();
        if (name.endsWith(".csv")) {
            return fromCsv(file, base, text, imagesMustExist);
        }
        if (name.endsWith(".jsonl") || name.endsWith(".json")) {
            return fromJsonl(file, base, text, imagesMustExist);
        }
        // Another name (captions.txt, a download without extension): a JSON Lines file starts with an object.
        return startsWithObject(text) ? fromJsonl(file, base, text, imagesMustExist)
                : fromCsv(file, base, text, imagesMustExist);
    }

    /**
     * The index of a header's column, matched without regard to case or surrounding blanks ("Path", " caption" as
     * {@code path, caption} writes it), or -1.
     */
    private static int column(Path file, List<String> header, String name) {
        int found = -1;
        for (int i = 0; i < header.size(); i++) {
            if (header.get(i).trim().equalsIgnoreCase(name)) {
                if (found >= 0) { // which one is meant? The first was taken without a word.
                    throw new ClipException(file + ": CSV header " + header + " has two '" + name + "' columns ("
                            + (found + 1) + " and " + (i + 1) + ")");
                }
                found = i;
            }
        }
        return found;
    }

    private static boolean isBlank(String text, int from, int to) {
        for (int k = from; k < to; k++) {
            if (!Character.isWhitespace(text.charAt(k))) {
                return false;
            }
        }
        return true;
    }

    /** Whether the first non-whitespace character is '{' (String.stripLeading is not in Android API 26). */
    private static boolean startsWithObject(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (!Character.isWhitespace(text.charAt(i))) {
                return text.charAt(i) == '{';
            }
        }
        return false;
    }

    private static List<ImageCaption> fromCsv(Path file, Path base, String text, boolean imagesMustExist) {
        List<List<String>> rows = Csv.parse(file, text);
        if (rows.isEmpty()) {
            throw new ClipException(file + ": empty CSV file (expected a header with path,caption)");
        }
        List<String> header = rows.get(0);
        int pathCol = column(file, header, "path");
        int captionCol = column(file, header, "caption");
        if (pathCol < 0 || captionCol < 0) {
            String missing = pathCol < 0 && captionCol < 0 ? "a 'path' and a 'caption' column"
                    : pathCol < 0 ? "a 'path' column" : "a 'caption' column";
            throw new ClipException(file + ": CSV header " + header + " lacks " + missing + " (the"
                    + " first line must be a header, e.g. path,caption)");
        }
        List<ImageCaption> out = new ArrayList<>();
        for (int r = 1; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            if (row.size() == 1 && row.get(0).isEmpty()) {
                continue; // blank line
            }
            // More fields than the header means an unquoted comma (e.g. in a caption) shifted or cut the values.
            if (row.size() <= Math.max(pathCol, captionCol) || row.size() > header.size()) {
                throw new ClipException(file + ": record " + (r + 1) + " has " + row.size() + " fields, the header "
                        + header.size() + (row.size() > header.size() ? " (quote fields that contain commas)" : ""));
            }
            out.add(pair(file, "record " + (r + 1), base, row.get(pathCol), row.get(captionCol), imagesMustExist));
        }
        return out;
    }

    private static List<ImageCaption> fromJsonl(Path file, Path base, String text, boolean imagesMustExist) {
        List<ImageCaption> out = new ArrayList<>();
        // Line by line, without a String per blank line: split("\r?\n") made 4 MB of blank lines fill a 64 MB heap.
        int line = 0;
        for (int from = 0, next; from <= text.length(); from = next) {
            line++;
            int nl = text.indexOf('\n', from);
            next = nl < 0 ? text.length() + 1 : nl + 1;
            int to = nl < 0 ? text.length() : nl > from && text.charAt(nl - 1) == '\r' ? nl - 1 : nl; // CRLF or LF
            if (isBlank(text, from, to)) {
                continue;
            }
            JsonNode node = oneJsonValue(file, line, text.substring(from, to));
            JsonNode image = node == null ? null : node.get("image");
            JsonNode caption = node == null ? null : node.get("caption");
            if (image == null || !image.isTextual() || caption == null || !caption.isTextual()) {
                throw new ClipException(file + ": line " + line + (node != null && node.isArray()
                        ? " is a JSON array (JSON Lines puts one {\"image\": ..., \"caption\": ...} object on each"
                                + " line)"
                        : " needs string fields \"image\" and \"caption\""));
            }
            out.add(pair(file, "line " + line, base, image.asText(), caption.asText(), imagesMustExist));
        }
        return out;
    }

    /** The line's JSON value; readTree alone would silently drop a second object on the same line. */
    private static JsonNode oneJsonValue(Path file, int line, String text) {
        try (JsonParser parser = JSON.createParser(text)) {
            JsonNode node = JSON.readTree(parser);
            if (parser.nextToken() != null) {
                throw new ClipException(file + ": line " + line + " holds more than one JSON value (JSON Lines"
                        + " allows one object per line)");
            }
            return node;
        } catch (JsonEOFException e) { // "expected close marker for Array (start marker at [Source: REDACTED ...])"
            throw new ClipException(file + ": line " + line + " is not valid JSON: " + (text.trim().startsWith("[")
                    ? "an array that does not end on this line" : "a value that does not end on this line")
                    + " (JSON Lines puts one {\"image\": ..., \"caption\": ...} object on each line)");
        } catch (JsonProcessingException e) {
            throw new ClipException(file + ": line " + line + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) { // a String source does no I/O; kept typed all the same
            throw new ClipException(file + ": line " + line + ": " + e, e);
        }
    }

    private static ImageCaption pair(Path file, String where, Path base, String path, String caption,
                                     boolean imagesMustExist) {
        if (path.chars().allMatch(Character::isWhitespace)) {
            throw new ClipException(file + ": " + where + " has an empty image path");
        }
        if (caption.chars().allMatch(Character::isWhitespace)) {
            throw new ClipException(file + ": " + where + " has a blank caption");
        }
        // Blank as the tokenizer reads it ("&nbsp;", U+3000): trained as the empty text. Only a caption with an HTML
        // entity, a terminal escape (ESC [ 1 m: ftfy removes its digits and letter) or without a letter or digit is
        // tokenized here, so a million ordinary ones cost next to nothing.
        if ((caption.indexOf('&') >= 0 || caption.indexOf('\u001b') >= 0
                || caption.codePoints().noneMatch(Character::isLetterOrDigit))
                && ClipTokenizer.create().encode(caption).length == 0) {
            throw new ClipException(file + ": " + where + " has a blank caption: '" + MessageText.printable(caption, 60)
                    + "' gives no tokens (the tokenizer unescapes HTML and drops whitespace)");
        }
        Path image;
        try {
            image = normalize(base.resolve(path));
        } catch (InvalidPathException e) { // e.g. a NUL character, which no file system allows in a name
            throw new ClipException(file + ": " + where + " has an invalid image path: " + e.getMessage(), e);
        }
        if (imagesMustExist && !Files.isRegularFile(image)) {
            throw new ClipException(file + ": " + where + ": " + (Files.exists(image) ? "not an image file: "
                    : "image not found: ") + image);
        }
        return new ImageCaption(ImageInput.of(image), caption);
    }


    /**
     * {@link Path#normalize()} in linear time. The JDK's takes time quadratic in the number of {@code ..} that climb
     * above the root: one 1 MB line of {@code ../../...} took 14 s, a 10 MB one would take most of an hour.
     */
    static Path normalize(Path path) {
        Path root = path.getRoot();
        boolean absolute = path.isAbsolute(); // a Windows "C:x" has a root, yet its ".." are kept
        ArrayDeque<String> names = new ArrayDeque<>();
        for (Path element : path) {
            String name = element.toString();
            if (name.equals(".")) {
                continue;
            }
            if (name.equals("..") && !names.isEmpty() && !names.peekLast().equals("..")) {
                names.removeLast();
            } else if (!(name.equals("..") && names.isEmpty() && absolute)) { // ".." of the root is the root
                names.addLast(name);
            }
        }
        if (names.isEmpty()) {
            return root != null ? root : path.getFileSystem().getPath("");
        }
        // Resolved against the root, not joined to it: getPath("D:", "x") would make Windows' drive-relative D:x
        // the absolute D:\x.
        String joined = String.join(path.getFileSystem().getSeparator(), names);
        return root != null ? root.resolve(joined) : path.getFileSystem().getPath(joined);
    }
}
