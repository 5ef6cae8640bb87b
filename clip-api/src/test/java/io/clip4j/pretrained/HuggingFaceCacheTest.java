package io.clip4j.pretrained;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4j.checkpoint.CheckpointException;
import io.clip4j.checkpoint.CheckpointReader;
import io.clip4j.checkpoint.StateDict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hub cache laid out as huggingface_hub writes it: blobs, snapshot symlinks, refs/main. */
class HuggingFaceCacheTest {
    private static final Path VIT = Path.of(System.getProperty("clip4j.testdata"), "models/tiny-vit");
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    Path hub;

    private Path cacheTinyVit(boolean withRef) throws IOException {
        Path repo = hub.resolve("models--openai--clip-tiny");
        Path blobs = Files.createDirectories(repo.resolve("blobs"));
        Path snapshot = Files.createDirectories(repo.resolve("snapshots").resolve(COMMIT));
        for (String file : new String[]{"config.json", "model.safetensors"}) {
            Path blob = Files.copy(VIT.resolve(file), blobs.resolve(file.hashCode() + "0000"));
            Files.createSymbolicLink(snapshot.resolve(file), snapshot.relativize(blob));
        }
        if (withRef) {
            Files.createDirectories(repo.resolve("refs"));
            Files.writeString(repo.resolve("refs/main"), COMMIT);
        }
        return snapshot;
    }

    @Test
    void findsTheSnapshotThatRefsMainNamesAndItLoads() throws IOException {
        Path snapshot = cacheTinyVit(true);
        assertEquals(Optional.of(snapshot), HuggingFaceCache.find(hub, "openai/clip-tiny"));
        StateDict fromCache = CheckpointReader.read(snapshot);
        StateDict direct = CheckpointReader.read(VIT);
        assertEquals(direct.asMap().keySet(), fromCache.asMap().keySet());
        assertEquals(direct.get("text_projection").data(), fromCache.get("text_projection").data());
        assertEquals(Optional.empty(), HuggingFaceCache.find(hub, "openai/clip-other"));
    }

    @Test
    void withoutRefsMainTheOnlySnapshotIsUsedAndBrokenEntriesAreNamed() throws IOException {
        Path snapshot = cacheTinyVit(false);
        assertEquals(Optional.of(snapshot), HuggingFaceCache.find(hub, "openai/clip-tiny"));
        Files.createDirectories(snapshot.resolveSibling("fedcba9876543210fedcba9876543210fedcba98"));
        CheckpointException two = assertThrows(CheckpointException.class,
                () -> HuggingFaceCache.find(hub, "openai/clip-tiny"));
        assertTrue(two.getMessage().contains("holds 2 snapshots and no refs/main"), two.getMessage());
        Path refs = Files.createDirectories(hub.resolve("models--openai--clip-tiny/refs"));
        Files.writeString(refs.resolve("main"), "ffffffffffffffffffffffffffffffffffffffff\n");
        CheckpointException gone = assertThrows(CheckpointException.class,
                () -> HuggingFaceCache.find(hub, "openai/clip-tiny"));
        assertTrue(gone.getMessage().contains("which has no snapshot"), gone.getMessage());
        Files.writeString(refs.resolve("main"), "v1.0\n");
        CheckpointException notHash = assertThrows(CheckpointException.class,
                () -> HuggingFaceCache.find(hub, "openai/clip-tiny"));
        assertTrue(notHash.getMessage().contains("'v1.0', which is not a 40-hex commit hash"), notHash.getMessage());
        Files.write(refs.resolve("main"), new byte[1 << 20]); // e.g. a weights file copied there by mistake
        CheckpointException large = assertThrows(CheckpointException.class,
                () -> HuggingFaceCache.find(hub, "openai/clip-tiny"));
        assertTrue(large.getMessage().contains("main is 1048576 bytes, not a 40-hex commit hash"), large.getMessage());
    }

    @Test
    void repoIdsAreOwnerSlashName() {
        assertTrue(HuggingFaceCache.isRepoId("openai/clip-vit-base-patch32"));
        assertTrue(HuggingFaceCache.isRepoId("laion/CLIP-ViT-H-14-laion2B-s32B-b79K"));
        for (String s : new String[]{"ViT-B-32.pt", "a/b/c", "/abs/path", "../x", "a/..", "a/b c", "./a"}) {
            assertFalse(HuggingFaceCache.isRepoId(s), s);
        }
        assertThrows(IllegalArgumentException.class, () -> HuggingFaceCache.find(hub, "../etc"));
        // "--" joins owner and name in the cache folder: a--b/c and a/b--c would share models--a--b--c, one model
        // answered for the other (the hub refuses "--" in repo ids for this reason)
        for (String s : new String[]{"a--b/c", "a/b--c", "a/b--"}) {
            assertFalse(HuggingFaceCache.isRepoId(s), s);
        }
        assertTrue(HuggingFaceCache.isRepoId("a-b/c-d"));
        assertThrows(IllegalArgumentException.class, () -> HuggingFaceCache.find(hub, "openai--clip/tiny"));
    }
}
