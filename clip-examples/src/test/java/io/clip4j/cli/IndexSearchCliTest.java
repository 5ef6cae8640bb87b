package io.clip4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** clip index + clip search on the tiny-vit fixture images, ranked as the reference's logits_per_image. */
class IndexSearchCliTest {
    private static final Path DATA = Path.of(System.getProperty("clip4j.testdata"));
    private static final Path VIT = DATA.resolve("models/tiny-vit");
    private static final String[] IMAGES = {"CLIP.png", "astronaut.png", "chelsea.png", "coffee.png"}; // fixture order

    @TempDir
    Path tmp;

    @Test
    void indexThenSearchByTextAndImage() throws IOException {
        Path photos = Files.createDirectories(tmp.resolve("photos/nested"));
        for (int i = 0; i < 3; i++) {
            Files.copy(DATA.resolve("preprocess/images").resolve(IMAGES[i]), tmp.resolve("photos").resolve(IMAGES[i]));
        }
        Files.writeString(photos.resolve("broken.jpg"), "not a jpeg");
        Files.writeString(photos.resolve("notes.txt"), "not an image name: not indexed");
        Path index = tmp.resolve("photos.npz");

        CliRunner r = CliRunner.run("index", "--model", VIT.toString(), "--images", tmp.resolve("photos").toString(),
                "--out", index.toString(), "--batch", "2", "--no-progress");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("3 images (3 added, 1 skipped)"), r.out);
        assertTrue(r.err.contains("broken.jpg"), r.err);

        // --update without --model: the index's model; the same files spelled another way are the same ids.
        Path coffee = Files.copy(DATA.resolve("preprocess/images/coffee.png"), photos.resolve("coffee.png"));
        r = CliRunner.run("index", "--images", photos.resolve("../..").resolve("photos").toString(),
                "--out", index.toString(), "--update", "--no-progress");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("4 images (1 added, 1 skipped)"), r.out);
        // Files that are gone are dropped by --update.
        Path gone = Files.copy(DATA.resolve("preprocess/images/coffee.png"), photos.resolve("gone.png"));
        r = CliRunner.run("index", "--images", tmp.resolve("photos").toString(), "--out", index.toString(), "--update",
                "--no-progress");
        assertTrue(r.out.contains("5 images (1 added, 1 skipped)"), r.out);
        Files.delete(gone);
        r = CliRunner.run("index", "--images", tmp.resolve("photos").toString(), "--out", index.toString(), "--update",
                "--no-progress");
        assertTrue(r.out.contains("4 images (0 added, 1 skipped, 1 removed)"), r.out);

        // No --model: the model recorded in the index is used.
        r = CliRunner.run("search", "--index", index.toString(), "--text", "a dog", "--image", coffee.toString(),
                "--top-k", "4", "--json");
        assertEquals(0, r.code, r.err);
        String[] lines = r.out.strip().split("\n");
        assertEquals(2, lines.length);
        float[] logits = Npy.read(VIT.resolve("logits_per_image.npy")).toFloatArray(); // [4 images, 8 texts]
        List<String> expected = IntStream.range(0, 4).boxed()
                .sorted(Comparator.comparingDouble(i -> -logits[i * 8 + 1])) // text 1 is "a dog"
                .map(i -> IMAGES[i]).collect(Collectors.toList());
        JsonNode text = new ObjectMapper().readTree(lines[0]);
        assertEquals("a dog", text.get("query").asText());
        List<String> got = new ArrayList<>();
        text.get("hits").forEach(h -> got.add(Path.of(h.get("id").asText()).getFileName().toString()));
        assertEquals(expected, got);
        JsonNode image = new ObjectMapper().readTree(lines[1]);
        assertEquals(coffee.toString(), image.get("hits").get(0).get("id").asText());
        assertEquals(1.0, image.get("hits").get(0).get("score").asDouble(), 1e-5);

        r = CliRunner.run("search", "--index", index.toString(), "--text", "a dog", "--top-k", "2");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.startsWith("text: a dog"), r.out);
        assertEquals(4, r.out.strip().split("\n").length, r.out);
    }

    @Test
    void aMissingIndexModelIsNamedWhenTheDefaultStandsIn() throws IOException {
        Path copy = Files.createDirectories(tmp.resolve("vit-copy"));
        Files.copy(VIT.resolve("model.safetensors"), copy.resolve("model.safetensors"));
        Files.copy(VIT.resolve("config.json"), copy.resolve("config.json"));
        Path index = tmp.resolve("i.npz");
        CliRunner r = CliRunner.run("index", "--model", copy.toString(), "--images",
                DATA.resolve("preprocess/images/chelsea.png").toString(), "--out", index.toString(), "--no-progress");
        assertEquals(0, r.code, r.err);
        r = CliRunner.run("search", "--index", index.toString(), "--text", "a cat");
        assertEquals(0, r.code, r.err);
        assertEquals("", r.err);
        Files.delete(copy.resolve("model.safetensors"));
        Files.delete(copy.resolve("config.json"));
        Files.delete(copy);
        // The default model stood in silently; a refusal then named the index's model as if it had been loaded.
        r = CliRunner.run("search", "--index", index.toString(), "--text", "a cat");
        assertTrue(r.err.startsWith("clip: the index's model (" + copy + ") is not a file here; using the default"
                + " model"), r.err);
    }

    @Test
    void mistakesGiveOneLine() throws IOException {
        Path index = tmp.resolve("i.npz");
        CliRunner r = CliRunner.run("index", "--model", VIT.toString(), "--images",
                DATA.resolve("preprocess/images/chelsea.png").toString(), "--out", index.toString(), "--no-progress");
        assertEquals(0, r.code, r.err);
        r = CliRunner.run("search", "--model", DATA.resolve("models/tiny-rn/model.pt").toString(),
                "--index", index.toString(), "--text", "a cat");
        assertEquals(1, r.code);
        assertTrue(r.err.startsWith("clip: the index was built with ") && r.err.contains("tiny-vit"), r.err);
        assertEquals(1, r.err.strip().split("\n").length, r.err);
        r = CliRunner.run("search", "--index", tmp.resolve("missing.npz").toString(), "--text", "a cat");
        assertEquals(1, r.code);
        assertTrue(r.err.contains("missing.npz"), r.err);
        r = CliRunner.run("search", "--index", index.toString());
        assertEquals(ClipCli.EXIT_USAGE, r.code);
        assertTrue(r.err.contains("nothing to search for"), r.err);
        r = CliRunner.run("search", "--index", index.toString(), "--text", "a cat", "  ");
        assertEquals(1, r.code, r.err); // an invalid value, as zero-shot's blank label
        assertTrue(r.err.contains("--text 2 of 2 is blank"), r.err);
        // Blank as the tokenizer reads it: it searched for the empty text.
        r = CliRunner.run("search", "--index", index.toString(), "--text", "a cat", "&nbsp;\u3000");
        assertEquals(1, r.code, r.err);
        assertEquals("clip: --text 2 of 2 is blank: '&nbsp;\u3000' gives no tokens (the tokenizer unescapes HTML and"
                + " drops whitespace)", r.err.strip());
        String image = DATA.resolve("preprocess/images/chelsea.png").toString();
        r = CliRunner.run("index", "--model", VIT.toString(), "--images", image, "--out", tmp.toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains("is a directory"), r.err);
        r = CliRunner.run("index", "--model", VIT.toString(), "--images", image, "--out",
                tmp.resolve("missing/i.npz").toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains("folder " + tmp.resolve("missing") + " does not exist"), r.err);
        Path broken = Files.writeString(tmp.resolve("broken.png"), "not a png");
        r = CliRunner.run("index", "--model", VIT.toString(), "--images", broken.toString(), "--out",
                tmp.resolve("none.npz").toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains("no image could be read") && !Files.exists(tmp.resolve("none.npz")), r.err);
        r = CliRunner.run("search", "--index", index.toString(), "--text", "a cat", "--image", broken.toString());
        assertEquals(1, r.code);
        assertTrue(r.err.startsWith("clip: skipped " + broken), r.err);
        assertTrue(r.out.startsWith("text: a cat") && !r.out.contains("image:"), "the other queries are answered: "
                + r.out);
        r = CliRunner.run("index", "--model", VIT.toString(), "--images",
                Files.createDirectory(tmp.resolve("no-images")).toString(), "--out", tmp.resolve("empty.npz").toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains("no image files (.png/"), r.err);
        // An --out that is one of the images (here inside a folder given to --images) replaced the image with the
        // index it was part of.
        Path photos = Files.createDirectory(tmp.resolve("photos"));
        Path photo = Files.copy(DATA.resolve("preprocess/images/chelsea.png"), photos.resolve("cat.png"));
        byte[] before = Files.readAllBytes(photo);
        r = CliRunner.run("index", "--model", VIT.toString(), "--images", photos.toString(), "--out",
                photo.toString(), "--no-progress");
        assertEquals(1, r.code, r.err);
        assertEquals("clip: --out " + photo + " is an input image; writing it would replace the image (give another"
                + " file name)", r.err.strip());
        assertArrayEquals(before, Files.readAllBytes(photo));
        // Nor any other file that is not an index (a mistyped --out README.md replaced it); an index is rebuilt.
        Path notes = Files.writeString(tmp.resolve("notes.txt"), "my notes");
        r = CliRunner.run("index", "--model", VIT.toString(), "--images", photos.toString(), "--out",
                notes.toString(), "--no-progress");
        assertEquals(1, r.code, r.err);
        assertEquals("clip: --out " + notes + " exists and is not a clip4j index; not overwriting it (give another"
                + " file name, or delete it first)", r.err.strip());
        assertEquals("my notes", Files.readString(notes));
        r = CliRunner.run("index", "--model", VIT.toString(), "--images", photos.toString(), "--out",
                index.toString(), "--no-progress");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.startsWith(index + ": 1 images"), r.out);
    }

    /**
     * An --out that exists but is not a regular file (a pipe, a socket, or as root a device such as /dev/null) was
     * not checked like a regular file that is not an index: the index was moved onto it, replacing it.
     */
    @Test
    void anOutThatIsNotARegularFileIsNotReplaced() throws IOException {
        Path socketFile = tmp.resolve("s.npz");
        try (java.nio.channels.ServerSocketChannel socket = java.nio.channels.ServerSocketChannel.open(
                java.net.StandardProtocolFamily.UNIX)) {
            socket.bind(java.net.UnixDomainSocketAddress.of(socketFile));
            String image = DATA.resolve("preprocess/images/chelsea.png").toString();
            for (String update : new String[]{"--no-progress", "--update"}) {
                CliRunner r = CliRunner.run("index", "--model", VIT.toString(), "--images", image, "--out",
                        socketFile.toString(), update);
                assertEquals(1, r.code, r.err);
                assertEquals("clip: " + socketFile + ": exists and is not a regular file (a device, pipe or socket);"
                        + " not replacing it with an index", r.err.strip());
                assertTrue(Files.exists(socketFile) && !Files.isRegularFile(socketFile), "still a socket");
            }
            CliRunner r = CliRunner.run("search", "--index", socketFile.toString(), "--text", "a cat");
            assertEquals(1, r.code, r.err);
            assertEquals("clip: " + socketFile + ": not an index file (not a regular file: a device, pipe or socket)",
                    r.err.strip());
        }
    }

    /**
     * Rebuilding or updating an index through a symbolic link rewrites the index the link names: the new index was
     * moved onto the link, which became a regular file while the linked index stayed as it was.
     */
    @Test
    void anIndexIsRewrittenThroughASymbolicLink() throws IOException {
        Path real = tmp.resolve("real.npz");
        String chelsea = DATA.resolve("preprocess/images/chelsea.png").toString();
        String coffee = DATA.resolve("preprocess/images/coffee.png").toString();
        CliRunner r = CliRunner.run("index", "--model", VIT.toString(), "--images", chelsea, "--out", real.toString(),
                "--no-progress");
        assertEquals(0, r.code, r.err);
        Path link = Files.createSymbolicLink(tmp.resolve("current.npz"), real.getFileName());
        r = CliRunner.run("index", "--model", VIT.toString(), "--images", chelsea, coffee, "--out", link.toString(),
                "--no-progress");
        assertEquals(0, r.code, r.err);
        assertTrue(Files.isSymbolicLink(link), "the link is kept");
        assertEquals(List.of(Path.of(chelsea).toAbsolutePath().toString(), Path.of(coffee).toAbsolutePath().toString()),
                io.clip4j.search.EmbeddingIndex.load(real).ids());
        String astronaut = DATA.resolve("preprocess/images/astronaut.png").toString();
        r = CliRunner.run("index", "--images", astronaut, "--out", link.toString(), "--update", "--no-progress");
        assertEquals(0, r.code, r.err);
        assertTrue(Files.isSymbolicLink(link), "the link is kept");
        assertEquals(3, io.clip4j.search.EmbeddingIndex.load(real).size());
        try (var files = Files.list(tmp)) {
            assertEquals(List.of("current.npz", "real.npz"), files.map(f -> f.getFileName().toString()).sorted()
                    .collect(Collectors.toList()), "no temporary file left behind");
        }
    }

    /**
     * An index built with --activation GELU from a checkpoint that does not record its activation (OpenAI's
     * model.pt format): search and --update without --model took the checkpoint but ran it with QUICK_GELU, whose
     * embeddings came within the fingerprint's tolerance, so the scores were silently another model's and --update
     * mixed QuickGELU rows into a GELU index.
     */
    @Test
    void theIndexsActivationComesWithItsModel() throws IOException {
        Path index = tmp.resolve("gelu.npz");
        Path pt = VIT.resolve("model.pt");
        String chelsea = DATA.resolve("preprocess/images/chelsea.png").toString();
        String coffee = DATA.resolve("preprocess/images/coffee.png").toString();
        CliRunner r = CliRunner.run("index", "--model", pt.toString(), "--activation", "gelu", "--images", chelsea,
                "--out", index.toString(), "--no-progress");
        assertEquals(0, r.code, r.err);
        assertEquals("GELU", io.clip4j.search.EmbeddingIndex.load(index).activation());
        CliRunner named = CliRunner.run("search", "--index", index.toString(), "--model", pt.toString(),
                "--activation", "GELU", "--text", "a cat", "--json");
        assertEquals(0, named.code, named.err);
        CliRunner implied = CliRunner.run("search", "--index", index.toString(), "--text", "a cat", "--json");
        assertEquals(0, implied.code, implied.err);
        assertEquals(named.out, implied.out, "the model that built the index, as it ran");
        CliRunner other = CliRunner.run("search", "--index", index.toString(), "--model", pt.toString(), "--text",
                "a cat");
        assertEquals(1, other.code, other.out);
        assertEquals("clip: the index was built with " + pt + " running GELU; this model runs QUICK_GELU: load the model that built it with"
                + " activation GELU (--activation GELU)", other.err.strip());
        r = CliRunner.run("index", "--images", coffee, "--out", index.toString(), "--update", "--no-progress");
        assertEquals(0, r.code, r.err);
        // The row added by --update is GELU's: the image finds itself with cosine 1.
        r = CliRunner.run("search", "--index", index.toString(), "--model", pt.toString(), "--activation", "gelu",
                "--image", coffee, "--top-k", "1", "--json");
        assertEquals(0, r.code, r.err);
        JsonNode hit = new ObjectMapper().readTree(r.out).get("hits").get(0);
        assertEquals(Path.of(coffee).toAbsolutePath().toString(), hit.get("id").asText());
        assertEquals(1.0, hit.get("score").asDouble(), 1e-6);
    }
}
