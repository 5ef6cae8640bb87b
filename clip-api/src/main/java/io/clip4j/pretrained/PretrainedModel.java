package io.clip4j.pretrained;

import io.clip4j.checkpoint.CheckpointException;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A released checkpoint that can be downloaded by name, like the reference's {@code clip.load(name)}: its name,
 * its URL and the SHA-256 of its bytes. As in the reference's {@code _download}, the expected SHA-256 is the URL's
 * second-to-last path segment.
 *
 * @param name the name users pass, e.g. {@code ViT-B/32}
 * @param url  an {@code http(s)} URL whose path ends in {@code /<sha256>/<file name>}, the file name made of
 *             letters, digits and {@code . _ @ + -} (not {@code .} or {@code ..})
 */
public record PretrainedModel(String name, String url) {
    /** The file name becomes a path in the cache folder: no "..", separators or query strings. */
    private static final Pattern URL =
            Pattern.compile("https?://[^/?#]+(/[^/?#]+)*/[0-9a-f]{64}/(?!\\.\\.?$)[A-Za-z0-9._@+-]+");

    /**
     * Creates a model entry; its SHA-256 and file name are read from the URL.
     *
     * @param name the model's name
     * @param url  its download URL
     * @throws CheckpointException if the URL does not end in {@code /<64 hex digits>/<file name>} with such a name
     */
    public PretrainedModel {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(url, "url");
        if (!URL.matcher(url).matches()) {
            throw new CheckpointException(name + ": download URL " + url
                    + " does not end in /<sha256 in 64 lower-case hex digits>/<file name of [A-Za-z0-9._@+-]>");
        }
    }

    /** {@return the SHA-256 of the file's bytes, 64 lower-case hex digits (from the URL)} */
    public String sha256() {
        String[] parts = url.split("/");
        return parts[parts.length - 2];
    }

    /** {@return the file name it is stored under in a cache folder, e.g. {@code ViT-B-32.pt} (from the URL)} */
    public String fileName() {
        return url.substring(url.lastIndexOf('/') + 1);
    }
}
