package io.clip4j.text;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ftfy 6.3.1's {@code fix_encoding} with its default settings: repairs mojibake, text that was encoded in one
 * encoding and decoded in another (e.g. {@code cafÃ©} -> {@code café}, {@code вЂњ} -> {@code “},
 * {@code √≠} -> {@code í}). A re-implementation of ftfy's algorithm ({@code fix_encoding_and_explain} and the
 * fixes it calls); the data it decides with - ftfy's badness heuristic, codec tables and byte patterns - is
 * generated from ftfy into {@link FtfyTables}.
 *
 * <p>One step, repeated until the text no longer changes:
 * <ol>
 *   <li>ASCII text, or text that {@link Badness#isBad} does not flag, is left alone (the fast path);</li>
 *   <li>for each single-byte encoding of {@link SloppyCodecs} in ftfy's order that can encode the whole text:
 *       encode; restore 0xA0 bytes that became spaces ({@code restore_byte_a0}, not for MacRoman); for the
 *       sloppy codecs, replace lossy sequences (bytes lost to {@code ?} or U+FFFD) by U+FFFD's bytes; decode as
 *       UTF-8 ({@link Utf8Variants}). The first decoding that succeeds is the result;</li>
 *   <li>else, if parts of the text look like UTF-8 mojibake ({@code UTF8_DETECTOR_RE}), each such part that is
 *       bad on its own is fixed recursively ({@code decode_inconsistent_utf8});</li>
 *   <li>else, Latin-1-encodable text is re-read as Windows-1252 where that changes it and all bytes are defined;</li>
 *   <li>else C1 controls become their Windows-1252 characters ({@code fix_c1_controls}).</li>
 * </ol>
 */
final class EncodingRepair {
    private static final Pattern ALTERED_UTF8 = Pattern.compile(FtfyTables.ALTERED_UTF8_RE);
    private static final Pattern LOSSY_UTF8 = Pattern.compile(FtfyTables.LOSSY_UTF8_RE);
    private static final Pattern A_GRAVE_WORD = Pattern.compile(FtfyTables.A_GRAVE_WORD_RE);
    /** U+FFFD as UTF-8 bytes, ftfy's replacement of a lossy sequence. */
    private static final String REPLACEMENT_BYTES = "\u00EF\u00BF\u00BD";

    private EncodingRepair() {}

    /** ftfy's {@code fix_encoding(text)}. */
    static String fixEncoding(String text) {
        while (true) {
            String fixed = fixOneStep(text);
            if (fixed.equals(text)) {
                return text;
            }
            text = fixed;
        }
    }

    /** ftfy's {@code _fix_encoding_one_step_and_explain}. */
    private static String fixOneStep(String text) {
        if (text.isEmpty() || SloppyCodecs.isAscii(text) || !Badness.isBad(text)) {
            return text;
        }
        boolean latin1Possible = false;
        for (int e = 0; e < SloppyCodecs.count(); e++) {
            String bytes = SloppyCodecs.encode(text, e);
            if (bytes == null) {
                continue;
            }
            latin1Possible |= e == SloppyCodecs.LATIN_1;
            String name = SloppyCodecs.name(e);
            if (!name.equals("macroman") && ALTERED_UTF8.matcher(bytes).find()) {
                bytes = restoreByteA0(bytes);
            }
            if (name.startsWith("sloppy")) {
                bytes = replaceAll(LOSSY_UTF8, bytes, false);
            }
            String fixed = Utf8Variants.decode(bytes);
            if (fixed != null) {
                return fixed;
            }
        }
        if (Utf8Detector.find(text, 0) >= 0) {
            String fixed = decodeInconsistentUtf8(text);
            if (!fixed.equals(text)) {
                return fixed;
            }
        }
        // ftfy checks for "windows-1252" among the possible encodings, a name its list never holds (it holds
        // "sloppy-windows-1252"), so Latin-1-encodable text always gets this re-reading
        if (latin1Possible) {
            String fixed = SloppyCodecs.decodeWindows1252Strict(text);
            if (fixed != null && !fixed.equals(text)) {
                return fixed;
            }
        }
        return hasC1Control(text) ? fixC1Controls(text) : text;
    }

    /**
     * ftfy's {@code restore_byte_a0}: UTF-8 whose 0xA0 bytes (no-break space in Latin-1) were turned into
     * spaces. {@code C3 20} (an à before a space) gets its A0 back except before a few Portuguese/plural words, then
     * every space in a sequence matching {@code ALTERED_UTF8_RE} becomes A0.
     */
    private static String restoreByteA0(String bytes) {
        StringBuilder out = new StringBuilder(bytes.length() + 8);
        Matcher m = A_GRAVE_WORD.matcher(bytes);
        int copied = 0;
        while (m.find()) {
            out.append(bytes, copied, m.start()).append("\u00C3\u00A0 ");
            copied = m.end();
        }
        String graveFixed = out.append(bytes, copied, bytes.length()).toString();
        return replaceAll(ALTERED_UTF8, graveFixed, true);
    }

    /** Each match of {@code p} replaced: its spaces by A0 ({@code spacesToA0}), or by U+FFFD's bytes. */
    private static String replaceAll(Pattern p, String bytes, boolean spacesToA0) {
        Matcher m = p.matcher(bytes);
        if (!m.find()) {
            return bytes;
        }
        StringBuilder out = new StringBuilder(bytes.length() + 8);
        int copied = 0;
        do {
            out.append(bytes, copied, m.start());
            out.append(spacesToA0 ? m.group().replace(' ', '\u00A0') : REPLACEMENT_BYTES);
            copied = m.end();
        } while (m.find());
        return out.append(bytes, copied, bytes.length()).toString();
    }

    /**
     * ftfy's {@code decode_inconsistent_utf8}: each run that looks like UTF-8 mojibake, is shorter than the whole
     * text and is bad on its own is replaced by its {@link #fixEncoding} (text mixing mojibake and good text).
     */
    private static String decodeInconsistentUtf8(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int copied = 0;
        int start = Utf8Detector.find(text, 0);
        while (start >= 0) {
            int end = Utf8Detector.matchEnd(text, start);
            String run = text.substring(start, end);
            out.append(text, copied, start);
            out.append(run.length() < text.length() && Badness.isBad(run) ? fixEncoding(run) : run);
            copied = end;
            start = Utf8Detector.find(text, end);
        }
        return out.append(text, copied, text.length()).toString();
    }

    private static boolean hasC1Control(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80 && c <= 0x9F) {
                return true;
            }
        }
        return false;
    }

    /** ftfy's {@code fix_c1_controls}: U+0080..U+009F decoded as their sloppy Windows-1252 bytes. */
    static String fixC1Controls(String text) {
        char[] out = text.toCharArray();
        for (int i = 0; i < out.length; i++) {
            if (out[i] >= 0x80 && out[i] <= 0x9F) {
                out[i] = SloppyCodecs.decode(SloppyCodecs.SLOPPY_WINDOWS_1252, out[i]);
            }
        }
        return new String(out);
    }
}
