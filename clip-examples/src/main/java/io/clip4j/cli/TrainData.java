package io.clip4j.cli;

import io.clip4j.data.CaptionFile;
import io.clip4j.data.CaptionedImages;
import io.clip4j.data.ClassFolders;
import io.clip4j.data.IdxDataset;
import io.clip4j.data.LabeledDataset;
import io.clip4j.data.PathCaptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The {@code --data} / {@code --eval} specifications of {@code clip train}:
 * <ul>
 *   <li>{@code FILE.csv} / {@code FILE.jsonl} (or {@code captions:FILE}): image-caption pairs;</li>
 *   <li>{@code folder:DIR}: class folders, captions from prompt templates;</li>
 *   <li>{@code idx:IMAGES,LABELS,NAMES}: MNIST-format files; NAMES is {@code fashion-mnist}, {@code mnist} or a
 *       file with one class name per line; captions from prompt templates;</li>
 *   <li>{@code paths:DIR}: every image under DIR, captioned from its path (e.g. the Open Clip Art export).</li>
 * </ul>
 */
final class TrainData {
    /** The prefixes of a specification. */
    private static final List<String> KINDS = List.of("captions", "paths", "folder", "idx");

    private TrainData() {
    }

    /** @return the training examples a specification names */
    static CaptionedImages captioned(String spec, List<String> templates, long seed) {
        String kind = kind(spec);
        String arg = arg(spec);
        switch (kind) {
            case "captions": return CaptionedImages.of(CaptionFile.read(Path.of(arg)));
            case "paths": return CaptionedImages.of(PathCaptions.read(Path.of(arg)));
            case "folder": case "idx": return CaptionedImages.fromLabels(labeled(spec), templates, seed);
            default: throw new IllegalArgumentException("unknown --data kind '" + kind + "' in '" + spec
                    + "' (use FILE.csv, FILE.jsonl, captions:FILE, folder:DIR, idx:IMAGES,LABELS,NAMES or paths:DIR)");
        }
    }

    /**
     * @return the labelled set a {@code folder:} or {@code idx:} specification names, or a folder of class folders
     *         given without a prefix, as {@code clip eval} takes it ({@code train --eval DIR} was refused as
     *         "cannot tell the kind of --data")
     */
    static LabeledDataset labeled(String spec) {
        // Anything but the two kinds is a folder given as it is, like clip eval's readDataset: its path may hold a
        // colon (runs/a:b), which kind() would take for a prefix.
        if (!spec.startsWith("folder:") && !spec.startsWith("idx:")) {
            if (!spec.isEmpty() && Files.isDirectory(Path.of(spec))) {
                return ClassFolders.read(Path.of(spec));
            }
            throw new IllegalArgumentException("a labelled set (DIR or folder:DIR of class folders, or"
                    + " idx:IMAGES,LABELS,NAMES) is needed, got '" + spec + "'"
                    + (spec.isEmpty() || Files.exists(Path.of(spec)) ? "" : " (no such folder)"));
        }
        String arg = arg(spec);
        if (spec.startsWith("folder:")) {
            return ClassFolders.read(Path.of(arg));
        }
        // idx:IMAGES,LABELS,NAMES
        String[] p = arg.split(",");
        if (p.length != 3) {
            throw new IllegalArgumentException("idx data needs idx:IMAGES,LABELS,NAMES, got '" + spec + "'");
        }
        Path images = Path.of(p[0]);
        Path labels = Path.of(p[1]);
        for (Path f : List.of(images, labels)) { // in the order written, before the names file is read
            if (!Files.exists(f)) {
                throw new IllegalArgumentException("idx data: " + (f == images ? "images" : "labels")
                        + " file not found: " + f);
            }
        }
        // The set is named after its images file; a path without a file name (the root) fails in read.
        String name = images.getFileName() == null ? p[0] : images.getFileName().toString();
        return IdxDataset.read(images, labels, classNames(p[2]), name);
    }

    private static List<String> classNames(String names) {
        switch (names.toLowerCase(Locale.ROOT).replace('_', '-')) { // fashion_mnist: the Python/TF spelling
            case "fashion-mnist": return IdxDataset.FASHION_MNIST_CLASSES;
            case "mnist": return IdxDataset.MNIST_CLASSES;
            default:
                Path file = Path.of(names);
                if (!Files.exists(file)) { // "file not found" alone did not say that NAMES may be a set's name
                    throw new IllegalArgumentException("class names file " + names + ": file not found (NAMES is"
                            + " fashion-mnist, mnist or a file with one class name per line)");
                }
                return LabelFiles.read(file, "class names file");
        }
    }

    private static String kind(String spec) {
        int colon = spec.indexOf(':');
        String lower = spec.toLowerCase(Locale.ROOT);
        // No prefix (one letter: a Windows drive), or a captions file whose path holds a colon.
        if (colon <= 1 || isCaptionsFileWithColon(spec, colon)) {
            if (lower.endsWith(".csv") || lower.endsWith(".jsonl") || lower.endsWith(".json")) {
                return "captions";
            }
            throw new IllegalArgumentException("cannot tell the kind of --data '" + spec
                    + "'; prefix it with captions:, folder:, idx: or paths:");
        }
        return spec.substring(0, colon);
    }

    /**
     * Whether a specification whose text before the colon is no kind names an existing captions file as it is: its
     * path holds a colon (runs/10:30/captions.csv), which was read as the kind "runs/10" and refused.
     */
    private static boolean isCaptionsFileWithColon(String spec, int colon) {
        String lower = spec.toLowerCase(Locale.ROOT);
        return !KINDS.contains(spec.substring(0, colon))
                && (lower.endsWith(".csv") || lower.endsWith(".jsonl") || lower.endsWith(".json"))
                && isRegularFile(spec);
    }

    /** Whether a path names a regular file; a name the file system cannot hold (Windows' "x:y.csv") does not. */
    private static boolean isRegularFile(String spec) {
        try {
            return Files.isRegularFile(Path.of(spec));
        } catch (java.nio.file.InvalidPathException e) {
            return false; // then the "unknown kind" message, not "Illegal char <:>"
        }
    }

    private static String arg(String spec) {
        int colon = spec.indexOf(':');
        String arg = colon <= 1 || isCaptionsFileWithColon(spec, colon) ? spec : spec.substring(colon + 1);
        if (arg.isEmpty()) { // Path.of("") would be the working directory
            throw new IllegalArgumentException("'" + spec + "' names no file or folder after the prefix");
        }
        return arg;
    }
}
