package io.clip4j.pretrained;

import io.clip4j.checkpoint.CheckpointException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Models that the Python {@code huggingface_hub} (and so {@code transformers}' {@code CLIPModel.from_pretrained})
 * has already downloaded, found by repo id such as {@code openai/clip-vit-base-patch32}. Read only: nothing is
 * downloaded or changed. The cache layout is the hub's: {@code <hub cache>/models--<owner>--<name>/refs/main} names
 * a commit, and {@code snapshots/<commit>/} holds {@code config.json} and the weights, a folder
 * {@code ClipModel.load} reads like any Hugging Face model directory.
 */
public final class HuggingFaceCache {
    /** A commit hash and a newline, with room to spare; a larger refs/main is not one. */
    private static final long MAX_REF_BYTES = 1024;
    private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");

    private HuggingFaceCache() {
    }

    /**
     * Tells whether a string looks like a Hugging Face hub repo id.
     *
     * @param s a string, or null
     * @return whether it has the form of a hub repo id, {@code <owner>/<name>} (letters, digits, {@code . _ -}),
     *         without {@code ..} or {@code --}, as the hub requires; false for null
     */
    public static boolean isRepoId(String s) {
        // "--" joins owner and name in the cache folder: a--b/c and a/b--c would share one folder, one model
        // answered for the other. Null is no repo id: fetch(null) then says so instead of a bare NPE in the matcher.
        return s != null && REPO_ID.matcher(s).matches() && !s.contains("..") && !s.contains("--");
    }

    /**
     * The hub cache folder, as {@code huggingface_hub} chooses it: {@code $HF_HUB_CACHE}, else
     * {@code $HF_HOME/hub}, else {@code $XDG_CACHE_HOME/huggingface/hub}, else {@code ~/.cache/huggingface/hub}.
     *
     * @return the folder (it may not exist)
     */
    public static Path defaultDir() {
        String hub = System.getenv("HF_HUB_CACHE");
        return nonEmpty(hub) ? Paths.get(hub) : home().resolve("hub");
    }

    /**
     * The Hugging Face home folder, as {@code huggingface_hub} chooses it: {@code $HF_HOME}, else
     * {@code $XDG_CACHE_HOME/huggingface}, else {@code ~/.cache/huggingface} (it holds the hub cache and the token
     * file of {@code hf auth login}).
     *
     * @return the folder (it may not exist)
     */
    public static Path home() {
        String home = System.getenv("HF_HOME");
        if (nonEmpty(home)) {
            return Paths.get(home);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (nonEmpty(xdg)) {
            return Paths.get(xdg, "huggingface");
        }
        String user = System.getenv("HOME");
        return Paths.get(nonEmpty(user) ? user : System.getProperty("user.home"), ".cache", "huggingface");
    }

    /**
     * The snapshot folder of a cached model at the revision {@code refs/main} names (or the only snapshot, when
     * there is no such ref).
     *
     * @param hubCache a hub cache folder, e.g. {@link #defaultDir()}
     * @param repoId   a repo id, e.g. {@code openai/clip-vit-base-patch32}
     * @return the snapshot folder, or empty if the model is not cached
     * @throws IllegalArgumentException if {@code repoId} is not a repo id ({@link #isRepoId})
     * @throws CheckpointException      if the cache entry cannot be read, its {@code refs/main} is not a commit hash, or
     *                                  it names a snapshot that is missing
     */
    public static Optional<Path> find(Path hubCache, String repoId) {
        if (!isRepoId(repoId)) {
            throw new IllegalArgumentException("not a Hugging Face repo id (<owner>/<name>): " + repoId);
        }
        Path repo = hubCache.resolve("models--" + repoId.replace("/", "--"));
        Path snapshots = repo.resolve("snapshots");
        if (!Files.isDirectory(snapshots)) {
            return Optional.empty();
        }
        try {
            Path ref = repo.resolve("refs").resolve("main");
            if (Files.isRegularFile(ref)) {
                if (Files.size(ref) > MAX_REF_BYTES) { // not read whole: it could be any file put there by mistake
                    throw new CheckpointException(ref + " is " + Files.size(ref) + " bytes, not a 40-hex commit hash as"
                            + " the hub writes; put the commit of a folder in " + snapshots + " there, or pass that"
                            + " snapshot folder itself");
                }
                String commit = new String(Files.readAllBytes(ref), StandardCharsets.UTF_8).trim();
                if (!commit.matches("[0-9a-f]{40}")) { // the hub writes a commit hash; a name here is hand-made
                    throw new CheckpointException(ref + " holds '" + commit + "', which is not a 40-hex commit hash"
                            + " as the hub writes; put the commit of a folder in " + snapshots + " there, or pass"
                            + " that snapshot folder itself");
                }
                Path snapshot = snapshots.resolve(commit);
                if (!Files.isDirectory(snapshot)) {
                    throw new CheckpointException(ref + " names revision '" + commit + "', which has no snapshot in "
                            + snapshots);
                }
                return Optional.of(snapshot);
            }
            List<Path> all = new ArrayList<>();
            try (DirectoryStream<Path> s = Files.newDirectoryStream(snapshots, Files::isDirectory)) {
                s.forEach(all::add);
            }
            if (all.size() > 1) {
                throw new CheckpointException(snapshots + " holds " + all.size() + " snapshots and no refs/main to"
                        + " choose one; pass the snapshot folder you mean");
            }
            return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
        } catch (IOException e) {
            throw new CheckpointException(repo + ": cannot read the Hugging Face cache entry: " + e, e);
        }
    }

    private static boolean nonEmpty(String s) {
        return s != null && !s.isEmpty();
    }
}
