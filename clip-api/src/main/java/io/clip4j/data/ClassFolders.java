package io.clip4j.data;

import io.clip4j.ClipException;
import io.clip4j.image.ImageInput;
import io.clip4j.text.MessageText;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads a classification set laid out as {@code root/<class>/<image>} (torchvision's {@code ImageFolder}
 * layout): every sub-directory of {@code root} that holds at least one image is a class, sorted by name (label =
 * index in that order), its class name is the directory name with {@code '_'} replaced by a space; its images are
 * the files directly inside ending in {@code .png}, {@code .jpg}, {@code .jpeg}, {@code .webp}, {@code .gif},
 * {@code .bmp}, {@code .tif} or {@code .tiff} (case-insensitive), sorted by name. An entry with such a name that
 * is not a regular file (a named pipe, a dangling symbolic link) is skipped with a warning, as
 * {@link ImageFolders#list} skips it.
 *
 * <p>Differences from torchvision's {@code ImageFolder}: a sub-directory without images is skipped (torchvision
 * raises {@code FileNotFoundError}), so it takes no label and the labels of the classes after it are one lower than
 * torchvision's would be; images in nested folders are not taken (torchvision walks them); and the extensions are
 * the ones above (torchvision also takes {@code .ppm} and {@code .pgm}, not {@code .gif}); and since the class
 * name is what zero-shot prompts, captions and reports know a class by, two folders that give one name
 * ({@code a_b} and {@code a b}) or a folder that gives a blank one ({@code ___}) are refused.
 */
public final class ClassFolders {
    private ClassFolders() {
    }

    /**
     * Reads a labelled image set laid out as one folder per class (torchvision's {@code ImageFolder} layout).
     *
     * @param root the dataset directory
     * @return the dataset, named after the directory; labels index the class folders that hold images
     * @throws NullPointerException if {@code root} is null
     * @throws ClipException        if the directory cannot be listed or holds no class folder with an image, or if
     *                              two class folders give the same class name as prompts read it (trimmed, runs
     *                              of whitespace as one space: {@code cat} and {@code cat_}) or one gives a blank
     *                              name (the message names the folders)
     */
    public static LabeledDataset read(Path root) {
        if (!Files.isDirectory(root)) {
            throw new ClipException(root + (Files.exists(root) ? ": not a directory" : ": no such directory"));
        }
        List<Path> classes = list(root, Files::isDirectory);
        List<String> names = new ArrayList<>();
        Map<String, String> folderOfName = new HashMap<>();
        List<LabeledImage> examples = new ArrayList<>();
        for (Path dir : classes) {
            List<Path> images = list(dir, ImageFolders::isImageFile); // warns of pipes, dangling links
            if (images.isEmpty()) {
                continue;
            }
            int label = names.size();
            String folder = dir.getFileName().toString();
            String name = folder.replace('_', ' ');
            // Checked here, where the folders are known: zero-shot's "duplicate label 'a b'" or "label 1 of 2 is
            // blank" named neither folder, and training would caption two classes alike or with nothing.
            if (name.chars().allMatch(Character::isWhitespace)) { // String.isBlank is not in Android API 26
                throw new ClipException(root + ": class folder '" + printable(folder) + "' gives a blank class name"
                        + " ('_' reads as a space); rename it");
            }
            String other = folderOfName.putIfAbsent(promptKey(name), folder);
            if (other != null) {
                throw new ClipException(root + ": class folders '" + printable(other) + "' and '" + printable(folder)
                        + "' both give the class name '" + printable(promptKey(name)) + "' ('_' reads as a space,"
                        + " and prompts ignore spaces at the ends and repeated ones); rename one");
            }
            names.add(name);
            for (Path img : images) {
                examples.add(new LabeledImage(ImageInput.of(img), label));
            }
        }
        if (examples.isEmpty()) {
            throw new ClipException(root + ": no class folder with images (" + ImageFolders.extensions() + ") found");
        }
        return new LabeledDataset(root.getFileName() == null ? root.toString() : root.getFileName().toString(),
                names, examples);
    }

    /**
     * A class name as its prompts read it: the tokenizer's whitespace_clean trims it and collapses runs of
     * whitespace, so "cat" and "cat " (folders cat and cat_) would be two classes with the same prompts.
     */
    static String promptKey(String name) {
        StringBuilder b = new StringBuilder(name.length());
        boolean space = false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isWhitespace(c)) {
                space = b.length() > 0;
            } else {
                if (space) {
                    b.append(' ');
                    space = false;
                }
                b.append(c);
            }
        }
        return b.toString();
    }

    private static String printable(String folderName) {
        return MessageText.printable(folderName, 60);
    }

    private static List<Path> list(Path dir, java.util.function.Predicate<Path> keep) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(keep).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new ClipException(dir + ": cannot list directory: " + e, e);
        }
    }
}
