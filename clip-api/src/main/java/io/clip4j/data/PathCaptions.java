package io.clip4j.data;

import io.clip4j.ClipException;
import io.clip4j.image.ImageInput;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Image-caption pairs for a tree of images that has no caption file (such as the Open Clip Art Library export
 * under {@code /usr/share/openclipart/png}): the caption is derived from the path. For
 * {@code root/science/astronomy/full_moon_dan_gerhards_01.png} it is {@code "full moon (science, astronomy)"}:
 * the file-name words, then the folder names in brackets.
 *
 * <p>File names of that export follow {@code <subject>_<author>_NN}, cut to 24 characters before {@code _NN}.
 * The author suffix is removed heuristically, from corpus statistics: a word that ends at least three
 * {@code _NN} names is an author surname, a word just before such a surname in at least three names a first
 * name; trailing author words are dropped, as is the last (cut) word of a name at the 24-character limit.
 * Names are counted once however many numbered variants they have. Digits-only words are dropped; {@code '_'}
 * separates words and {@code '-'} becomes a space in the caption. A name that would lose every word
 * keeps its first one. This is a heuristic: some captions keep part of an author's name.
 */
public final class PathCaptions {
    private static final Pattern NUMBERED = Pattern.compile("(.*?)_(\\d*)$");
    private static final int CUT_LENGTH = 24;
    private static final int MIN_COUNT = 3;

    private PathCaptions() {
    }

    /**
     * Pairs every image under a folder with a caption made from its path.
     *
     * @param root directory searched recursively for {@code .png/.jpg/.jpeg/.webp/.gif/.bmp/.tif/.tiff} files, as by
     *             {@link ImageFolders#list} (a symbolic link given as the root is followed, an unreadable subfolder
     *             skipped)
     * @return one pair per image, sorted by path
     * @throws ClipException if the root is missing, not a folder or cannot be read, or the tree holds no image
     */
    public static List<ImageCaption> read(Path root) {
        List<Path> files = ImageFolders.list(root);
        if (files.isEmpty()) {
            throw new ClipException(root + ": no images (.png/.jpg/.jpeg/.webp/.gif/.bmp/.tif/.tiff) found");
        }
        List<Stem> stems = new ArrayList<>(files.size());
        for (Path f : files) {
            stems.add(Stem.of(f));
        }
        Set<String> authors = authorWords(stems);
        List<ImageCaption> out = new ArrayList<>(files.size());
        for (int i = 0; i < files.size(); i++) {
            out.add(new ImageCaption(ImageInput.of(files.get(i)), caption(root, files.get(i), stems.get(i), authors)));
        }
        return out;
    }

    /** A file name split into words; {@code numbered} when it ended in {@code _NN} or {@code _}. */
    record Stem(List<String> words, boolean numbered, boolean cut) {
        static Stem of(Path file) {
            String name = file.getFileName().toString();
            name = name.substring(0, name.lastIndexOf('.'));
            Matcher m = NUMBERED.matcher(name);
            boolean numbered = m.matches();
            String base = numbered ? m.group(1) : name;
            List<String> words = new ArrayList<>();
            for (String w : base.toLowerCase(Locale.ROOT).split("[_\\s]+")) {
                if (!w.isEmpty()) {
                    words.add(w);
                }
            }
            return new Stem(words, numbered, numbered && base.length() >= CUT_LENGTH);
        }
    }

    static Set<String> authorWords(List<Stem> named) {
        // Distinct names only: picture_01 ... picture_05 are variants of one name, not five authors' works.
        Set<Stem> stems = new java.util.LinkedHashSet<>(named);
        Map<String, Integer> last = new HashMap<>();
        for (Stem s : stems) {
            if (s.numbered() && !s.cut() && s.words().size() > 1) {
                last.merge(s.words().get(s.words().size() - 1), 1, Integer::sum);
            }
        }
        Set<String> surnames = new HashSet<>();
        last.forEach((w, n) -> {
            if (n >= MIN_COUNT) {
                surnames.add(w);
            }
        });
        Map<String, Integer> before = new HashMap<>();
        for (Stem s : stems) {
            int n = s.words().size();
            if (s.numbered() && n > 2 && surnames.contains(s.words().get(n - 1))) {
                before.merge(s.words().get(n - 2), 1, Integer::sum);
            }
        }
        Set<String> all = new HashSet<>(surnames);
        before.forEach((w, n) -> {
            if (n >= MIN_COUNT) {
                all.add(w);
            }
        });
        return all;
    }

    static String caption(Path root, Path file, Stem stem, Set<String> authors) {
        List<String> words = new ArrayList<>(stem.words());
        // A word of dashes (or of spaces Character.isWhitespace knows but the split does not, such as U+2003) would
        // give a blank caption once '-' becomes a space: "-.png" was refused by ImageCaption (IllegalArgumentException).
        words.removeIf(w -> w.chars().allMatch(Character::isDigit) || isBlank(w));
        if (words.isEmpty()) {
            words.add(stem.words().stream().filter(w -> !isBlank(w)).findFirst().orElse("image"));
        }
        if (stem.cut() && words.size() > 1) {
            words.remove(words.size() - 1); // cut in the middle of a word, almost always the author's
        }
        if (stem.numbered()) {
            while (words.size() > 1 && isAuthor(words.get(words.size() - 1), authors)) {
                words.remove(words.size() - 1);
            }
        }
        StringBuilder sb = new StringBuilder(String.join(" ", words).replace('-', ' '));
        Path rel = root.relativize(file).getParent();
        if (rel != null) {
            List<String> dirs = new ArrayList<>();
            for (Path p : rel) {
                dirs.add(p.toString().replace('_', ' ').replace('-', ' '));
            }
            sb.append(" (").append(String.join(", ", dirs)).append(')');
        }
        return sb.toString();
    }

    /** Whether a word is blank once its dashes become spaces. */
    private static boolean isBlank(String word) {
        return word.chars().allMatch(c -> c == '-' || Character.isWhitespace(c));
    }

    private static boolean isAuthor(String word, Set<String> authors) {
        return authors.contains(word);
    }

    /** @return the words of a file name, for tests */
    static List<String> words(String fileName) {
        return Arrays.asList(Stem.of(Paths.get(fileName)).words().toArray(new String[0]));
    }
}
