package io.clip4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4j.ClipModel;
import io.clip4j.image.ImageInput;
import io.clip4j.checkpoint.OpenClipFixture;
import io.clip4j.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** zero-shot, embed and bench through the CLI, against the tiny-vit reference outputs. */
class ModelCommandsCliTest {
    private static final Path DATA = Path.of(System.getProperty("clip4j.testdata"));
    private static final Path VIT = DATA.resolve("models/tiny-vit");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static float[] row(Path npy, int r) {
        Npy n = Npy.read(npy);
        int d = (int) n.shape()[1];
        return Arrays.copyOfRange(n.toFloatArray(), r * d, (r + 1) * d);
    }

    /** preprocess --model's pixel_values, and the loaded model's own preprocessing of the same image. */
    private static float[][] preprocessedByCliAndModel(Path model, Path image, Path out) {
        CliRunner r = CliRunner.run("preprocess", "--model", model.toString(), "--image", image.toString(),
                "--out", out.toString());
        assertEquals(0, r.code, r.err);
        try (ClipModel m = ClipModel.builder(model).build()) {
            int side = m.config().imageResolution();
            Npy written = Npy.read(out);
            assertArrayEquals(new long[]{3, side, side}, written.shape());
            return new float[][]{written.toFloatArray(), m.preprocess(List.of(ImageInput.of(image)))};
        }
    }

    @Test
    void preprocessWithModelWritesWhatTheModelEncodes(@TempDir Path tmp) throws IOException {
        Path image = DATA.resolve("preprocess/images/chelsea.png"); // not square: squash and crop differ
        CliRunner clip = CliRunner.run("preprocess", "--image", image.toString(), "--out",
                tmp.resolve("clip.npy").toString());
        assertEquals(0, clip.code, clip.err);
        float[] clipValues = Npy.read(tmp.resolve("clip.npy")).toFloatArray();
        // open_clip's preprocess_cfg mean [0.5, 0.4, 0.3], std [0.2, 0.25, 0.3]: preprocess alone used CLIP's
        float[][] oc = preprocessedByCliAndModel(OpenClipFixture.directory(), image, tmp.resolve("oc.npy"));
        assertArrayEquals(oc[1], oc[0]);
        assertFalse(Arrays.equals(clipValues, oc[0]));
        // the same directory with resize_mode 'squash'
        Path squash = Files.createDirectory(tmp.resolve("squash"));
        try (var files = Files.list(OpenClipFixture.directory())) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, squash.resolve(f.getFileName().toString()));
            }
        }
        Path config = squash.resolve("open_clip_config.json");
        ObjectNode cfg = (ObjectNode) JSON.readTree(config.toFile());
        ((ObjectNode) cfg.get("preprocess_cfg")).put("resize_mode", "squash");
        JSON.writeValue(config.toFile(), cfg);
        float[][] sq = preprocessedByCliAndModel(squash, image, tmp.resolve("sq.npy"));
        assertArrayEquals(sq[1], sq[0]);
        assertFalse(Arrays.equals(oc[0], sq[0]));
        // the bundled default model: 48 px, CLIP's mean/std
        float[][] bundled = preprocessedByCliAndModel(DATA.resolve("../models/default/model.safetensors"), image,
                tmp.resolve("bundled.npy"));
        assertEquals(3 * 48 * 48, bundled[0].length);
        assertArrayEquals(bundled[1], bundled[0]);
        // --size would contradict the model's image_resolution
        CliRunner both = CliRunner.run("preprocess", "--model", VIT.toString(), "--size", "224", "--image",
                image.toString(), "--out", tmp.resolve("both.npy").toString());
        assertEquals(ClipCli.EXIT_INPUT, both.code, both.err);
        assertEquals("clip: --size and --model both set the output side; --model uses the model's "
                + "image_resolution, so give one of them", both.err.strip());
        assertFalse(Files.exists(tmp.resolve("both.npy")));
    }

    @Test
    void threadsOptionAlsoSizesOpenBlas() {
        // OpenBLAS runs the float32 matrix products on a pool of its own that LibTorch's thread count does not size.
        io.clip4j.torch.NativeLibraries.ensureLoaded();
        int torchBefore = org.bytedeco.pytorch.global.torch.get_num_threads();
        int blasBefore = org.bytedeco.openblas.presets.openblas_nolapack.blas_get_num_threads();
        try {
            org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(2);
            CliRunner r = CliRunner.run("embed", "--model", VIT.toString(), "--threads", "1", "--text", "a dog");
            assertEquals(0, r.code, r.err);
            assertEquals(1, org.bytedeco.openblas.presets.openblas_nolapack.blas_get_num_threads());
            assertEquals(1, org.bytedeco.pytorch.global.torch.get_num_threads());
        } finally {
            org.bytedeco.pytorch.global.torch.set_num_threads(torchBefore);
            org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(blasBefore);
        }
    }

    @Test
    void embedPrintsReferenceFeatures() throws IOException {
        CliRunner r = CliRunner.run("embed", "--model", VIT.toString(), "--json",
                "--image", DATA.resolve("preprocess/images/chelsea.png").toString(), "--text", "a dog");
        assertEquals(0, r.code, r.err);
        String[] lines = r.out.strip().split("\n");
        assertEquals(2, lines.length);
        JsonNode img = JSON.readTree(lines[0]);
        assertEquals("image", img.get("kind").asText());
        float[] expected = row(VIT.resolve("image_features.npy"), 2); // chelsea is image 2 of the fixture
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], img.get("embedding").get(i).floatValue(), 1e-4);
        }
        JsonNode txt = JSON.readTree(lines[1]);
        assertEquals("a dog", txt.get("input").asText());
        float[] dog = row(VIT.resolve("text_features.npy"), 1);
        for (int i = 0; i < dog.length; i++) {
            assertEquals(dog[i], txt.get("embedding").get(i).floatValue(), 1e-4);
        }
        CliRunner norm = CliRunner.run("embed", "--model", VIT.toString(), "--text", "a dog", "--normalize");
        double ss = 0;
        for (JsonNode v : JSON.readTree(norm.out.strip()).get("embedding")) {
            ss += v.asDouble() * v.asDouble();
        }
        assertEquals(1.0, ss, 1e-5);
        // Several values after one --text, as zero-shot's --label takes them (it was "Unmatched argument").
        CliRunner two = CliRunner.run("embed", "--model", VIT.toString(), "--text", "a dog", "a cat");
        assertEquals(0, two.code, two.err);
        List<String> inputs = new java.util.ArrayList<>();
        for (String line : two.out.strip().split("\n")) {
            inputs.add(JSON.readTree(line).get("input").asText());
        }
        assertEquals(List.of("a dog", "a cat"), inputs);
    }

    @Test
    void activationOptionSelectsGelu() throws IOException {
        // open_clip's LAION models: a state dict does not say GELU, the user does (testdata/models/tiny-vit-gelu).
        CliRunner r = CliRunner.run("embed", "--model", VIT.resolve("state_dict.pt").toString(), "--json",
                "--activation", "gelu", "--text", "a dog"); // case-insensitive, as HF configs spell it
        assertEquals(0, r.code, r.err);
        float[] dog = row(DATA.resolve("models/tiny-vit-gelu/text_features.npy"), 1);
        JsonNode txt = JSON.readTree(r.out.strip());
        for (int i = 0; i < dog.length; i++) {
            assertEquals(dog[i], txt.get("embedding").get(i).floatValue(), 1e-4);
        }
        CliRunner bad = CliRunner.run("embed", "--model", VIT.toString(), "--activation", "RELU", "--text", "x");
        assertEquals(ClipCli.EXIT_USAGE, bad.code, bad.err);
    }

    @ParameterizedTest
    @ValueSource(strings = {"JAVA", "KERNELS"})
    void zeroShotJsonMatchesReferenceLogits(String pipeline) throws IOException {
        // With template "{}" the prompts are the fixture texts, so logits equal logits_per_image.
        CliRunner r = CliRunner.run("zero-shot", "--model", VIT.toString(), "--json", "--template", "{}",
                "--image", DATA.resolve("preprocess/images/astronaut.png").toString(), "--image-pipeline", pipeline,
                "--label", "a diagram", "a dog", "a cat", "a photo of a cat", "--top-k", "4");
        assertEquals(0, r.code, r.err);
        JsonNode o = JSON.readTree(r.out.strip());
        assertEquals(4, o.get("predictions").size());
        assertTrue(o.get("image").asText().endsWith("astronaut.png"));
        float[] logits = row(VIT.resolve("logits_per_image.npy"), 1);
        String[] labels = {"a diagram", "a dog", "a cat", "a photo of a cat"};
        double prev = 2;
        for (JsonNode p : o.get("predictions")) {
            int j = Arrays.asList(labels).indexOf(p.get("label").asText());
            assertEquals(logits[j], p.get("logit").floatValue(), 1e-4);
            assertTrue(p.get("probability").asDouble() <= prev);
            prev = p.get("probability").asDouble();
        }
        CliRunner table = CliRunner.run("zero-shot", "--model", VIT.toString(),
                "--image", DATA.resolve("preprocess/images/astronaut.png").toString(), "--label", "cat", "dog");
        assertEquals(0, table.code, table.err);
        assertTrue(table.out.contains("rank") && table.out.contains("probability"), table.out);
    }

    @Test
    void folderRunsSkipUndecodableFilesReportThemAndExitOne(@TempDir Path dir) throws IOException {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        Files.copy(DATA.resolve("preprocess/images/astronaut.png"), photos.resolve("a_astronaut.png"));
        Files.writeString(photos.resolve("b_broken.png"), "not a png");
        Files.copy(DATA.resolve("preprocess/images/chelsea.png"), photos.resolve("c_chelsea.png"));
        String[] labels = {"a diagram", "a dog", "a cat", "a photo of a cat"};
        CliRunner zs = CliRunner.run("zero-shot", "--model", VIT.toString(), "--json", "--template", "{}",
                "--image", photos.toString(), "--label", labels[0], labels[1], labels[2], labels[3], "--top-k", "4");
        assertEquals(ClipCli.EXIT_INPUT, zs.code, zs.err);
        assertTrue(zs.err.startsWith("clip: skipped " + photos.resolve("b_broken.png")), zs.err);
        assertEquals(1, zs.err.strip().split("\n").length, zs.err);
        String[] lines = zs.out.strip().split("\n");
        assertEquals(2, lines.length, zs.out);
        for (int k = 0; k < 2; k++) { // astronaut and chelsea are images 1 and 2 of the fixture
            JsonNode o = JSON.readTree(lines[k]);
            assertTrue(o.get("image").asText().endsWith(k == 0 ? "a_astronaut.png" : "c_chelsea.png"));
            float[] logits = row(VIT.resolve("logits_per_image.npy"), k + 1);
            for (JsonNode p : o.get("predictions")) {
                assertEquals(logits[Arrays.asList(labels).indexOf(p.get("label").asText())],
                        p.get("logit").floatValue(), 1e-4);
            }
        }
        CliRunner embed = CliRunner.run("embed", "--model", VIT.toString(), "--image", photos.toString());
        assertEquals(ClipCli.EXIT_INPUT, embed.code, embed.err);
        assertTrue(embed.err.contains("b_broken.png"), embed.err);
        lines = embed.out.strip().split("\n");
        assertEquals(2, lines.length, embed.out);
        float[] chelsea = row(VIT.resolve("image_features.npy"), 2);
        JsonNode last = JSON.readTree(lines[1]).get("embedding");
        for (int i = 0; i < chelsea.length; i++) {
            assertEquals(chelsea[i], last.get(i).floatValue(), 1e-4);
        }
    }

    @Test
    void openAiModelNamesResolveThroughTheModelCache(@TempDir Path dir) throws IOException {
        CliRunner missing = CliRunner.run("embed", "--model", "ViT-B/32", "--model-cache", dir.toString(), "--offline",
                "--text", "a dog");
        assertEquals(ClipCli.EXIT_INPUT, missing.code, missing.err);
        assertEquals("clip: ViT-B/32 is not in the cache (" + dir.resolve("ViT-B-32.pt") + ") and downloads are off;"
                + " put a copy of ViT-B-32.pt there (its SHA-256 is checked), e.g. from"
                + " https://openaipublic.azureedge.net/clip/models/"
                + "40d365715913c9da98579312b702a82c18be219cc2a73407c4526f58eba950af/ViT-B-32.pt or a mirror",
                missing.err.strip());
        // A file in the cache under the model's name is used only if its SHA-256 is the release's.
        Files.copy(VIT.resolve("model.pt"), dir.resolve("ViT-B-32.pt"));
        CliRunner damaged = CliRunner.run("embed", "--model", "ViT-B/32", "--model-cache", dir.toString(), "--offline",
                "--text", "a dog");
        assertEquals(ClipCli.EXIT_INPUT, damaged.code, damaged.err);
        assertTrue(damaged.err.startsWith("clip: " + dir.resolve("ViT-B-32.pt") + ": SHA-256 "), damaged.err);
        assertTrue(damaged.err.contains("does not match ViT-B/32's 40d36571"), damaged.err);
        // clip.load's names are exact; ViT-B-32.pt is the cached file's name (the README's Java examples use it).
        for (String near : new String[]{"vit-b/32", "ViT-B-32", "ViT-B-32.pt"}) {
            CliRunner typo = CliRunner.run("embed", "--model", near, "--text", "a dog");
            assertEquals("clip: --model " + near + ": no such file; did you mean the OpenAI model 'ViT-B/32'?",
                    typo.err.strip());
        }
        // Named like OpenAI's models but none of them: ViT-B/33 was looked up as a Hugging Face repo id (and
        // downloaded without --offline), RN50x5 reported as a missing file, neither naming the models that load.
        for (String wrong : new String[]{"ViT-B/33", "RN50x5", "ViT-H-14"}) {
            CliRunner typo = CliRunner.run("embed", "--model", wrong, "--text", "a dog");
            assertEquals(ClipCli.EXIT_INPUT, typo.code, typo.err);
            assertEquals("clip: --model " + wrong + ": no such file, and not one of OpenAI's models (RN50, RN101,"
                    + " RN50x4, RN50x16, RN50x64, ViT-B/32, ViT-B/16, ViT-L/14, ViT-L/14@336px)", typo.err.strip());
        }
        assertEquals("clip: --model is empty", CliRunner.run("embed", "--model", "", "--text", "x").err.strip());
        // A Hugging Face repo id that is neither a path nor in the hub cache (the tests' cache holds no such model).
        CliRunner hub = CliRunner.run("embed", "--model", "clip4j-test/no-such-model", "--offline", "--text", "a dog");
        assertEquals(ClipCli.EXIT_INPUT, hub.code, hub.err);
        assertTrue(hub.err.startsWith("clip: clip4j-test/no-such-model is not in the Hugging Face cache "), hub.err);
        assertTrue(hub.err.contains("and downloads are off"), hub.err);
    }

    @Test
    void textsLongerThanTheContextAreCutWithANote() throws IOException {
        String longLabel = "cat ".repeat(100).strip(); // 100 tokens, beyond tiny-vit's context_length
        int contextLength = JSON.readTree(VIT.resolve("config.json").toFile()).get("text_config")
                .get("max_position_embeddings").asInt();
        CliRunner r = CliRunner.run("zero-shot", "--model", VIT.toString(), "--image",
                DATA.resolve("preprocess/images/chelsea.png").toString(), "--label", "dog", "--label", longLabel);
        assertEquals(0, r.code, r.err);
        assertTrue(r.err.startsWith("clip: note: 1 of 2 prompts are longer than the model's context_length ("
                + contextLength + " tokens) and are cut, e.g. \"a photo of a cat cat"), r.err);
        CliRunner shortOnes = CliRunner.run("embed", "--model", VIT.toString(), "--text", "a dog");
        assertEquals("", shortOnes.err);
    }

    @Test
    void theZeroShotTableAlignsCjkLabelsByTerminalColumns() {
        CliRunner r = CliRunner.run("zero-shot", "--model", VIT.toString(), "--image",
                DATA.resolve("preprocess/images/chelsea.png").toString(), "--label", "猫", "a dog", "靴子");
        assertEquals(0, r.code, r.err);
        String[] lines = r.out.strip().split("\\R");
        assertEquals(5, lines.length, r.out); // the image, the header, three predictions
        // Padded by String.length, "猫" (1 char, 2 columns) pushed its row's numbers one column right of "a dog"'s.
        for (int i = 2; i < lines.length; i++) {
            assertEquals(TerminalColumns.width(lines[1]), TerminalColumns.width(lines[i]), r.out);
        }
    }

    @Test
    void labelsFileGivesTheSameLabelsAsLabelOptions(@TempDir Path dir) throws IOException {
        Path labels = dir.resolve("labels.txt");
        Files.write(labels, "\uFEFFa dog\r\n\n  a cat  \r\na diagram\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String image = DATA.resolve("preprocess/images/astronaut.png").toString();
        CliRunner fromFile = CliRunner.run("zero-shot", "--model", VIT.toString(), "--json", "--image", image,
                "--labels-file", labels.toString());
        CliRunner fromOptions = CliRunner.run("zero-shot", "--model", VIT.toString(), "--json", "--image", image,
                "--label", "a dog", "a cat", "a diagram");
        assertEquals(0, fromFile.code, fromFile.err);
        assertEquals(3, JSON.readTree(fromFile.out.strip()).get("predictions").size());
        assertEquals(fromOptions.out, fromFile.out);
    }

    @Test
    void unusableLabelsFilesAreOneLineErrors(@TempDir Path dir) throws IOException {
        Path blank = Files.write(dir.resolve("blank.txt"), new byte[]{'\n', ' ', '\n'});
        Path latin1 = Files.write(dir.resolve("latin1.txt"), new byte[]{'c', 'a', 'f', (byte) 0xe9, '\n'});
        String image = DATA.resolve("preprocess/images/tiny_7x5.png").toString();
        String[][] cases = {{blank.toString(), "no labels"}, {latin1.toString(), "not UTF-8"},
                {dir.resolve("missing.txt").toString(), "missing.txt: file not found"},
                {dir.toString(), "a directory, not a file"}, {"/dev/zero", "longer than 16 MiB"}};
        for (String[] c : cases) {
            if (!Files.exists(Path.of(c[0])) && c[0].startsWith("/dev")) {
                continue; // no /dev/zero on this OS
            }
            CliRunner r = CliRunner.run("zero-shot", "--model", VIT.toString(), "--image", image, "--labels-file", c[0]);
            assertEquals(ClipCli.EXIT_INPUT, r.code, r.err);
            assertEquals(1, r.err.strip().split("\n").length, r.err);
            assertTrue(r.err.contains(c[1]) && r.err.contains("--labels-file"), r.err);
        }
    }

    /** clip info reports the hyper-parameters the reference build_model derived (the fixture's meta.json dims). */
    @Test
    void infoReportsTheReferenceDims() throws IOException {
        for (String m : new String[]{"tiny-vit", "tiny-rn"}) {
            Path dir = DATA.resolve("models").resolve(m);
            CliRunner r = CliRunner.run("info", "--model", dir.resolve("model.pt").toString(), "--json");
            assertEquals(0, r.code, r.err);
            JsonNode info = JSON.readTree(r.out);
            JsonNode meta = JSON.readTree(dir.resolve("meta.json").toFile());
            meta.get("dims").fields().forEachRemaining(d -> {
                if (!d.getKey().equals("vision_patch_size") || m.equals("tiny-vit")) {
                    assertEquals(d.getValue(), info.get(d.getKey()), m + " " + d.getKey());
                }
            });
            assertEquals(meta.get("logit_scale_exp").asDouble(), info.get("logit_scale_exp").asDouble(), 1e-5);
            assertEquals(m.equals("tiny-vit") ? "ViT" : "ModifiedResNet", info.get("architecture").asText());
            assertTrue(info.get("openai_sizes").isNull(), "a tiny model is none of OpenAI's nine");
        }
        CliRunner text = CliRunner.run("info", "--model", VIT.toString());
        assertTrue(text.out.contains("openai_sizes          none") && text.out.contains("embed_dim             64"),
                text.out);
        assertTrue(text.out.contains("resize_mode           shortest"), text.out);
        assertTrue(text.out.contains("transformer_mlp_width 512"), text.out);
        CliRunner exif = CliRunner.run("info", "--model", VIT.toString(), "--apply-exif"); // info reads no image
        assertEquals(ClipCli.EXIT_USAGE, exif.code, exif.err);
        assertTrue(exif.err.contains("Unknown option: '--apply-exif'"), exif.err);
        // an open_clip directory: heads, activation and normalisation from open_clip_config.json
        CliRunner oc = CliRunner.run("info", "--model", OpenClipFixture.directory().toString(), "--json");
        assertEquals(0, oc.code, oc.err);
        JsonNode info = JSON.readTree(oc.out);
        assertEquals(8, info.get("vision_heads").asInt());
        assertEquals(4, info.get("transformer_heads").asInt());
        assertEquals("GELU", info.get("activation").asText());
        assertEquals(0.4f, (float) info.get("image_mean").get(1).asDouble());
        assertEquals(0.3f, (float) info.get("image_std").get(2).asDouble());
        // MLPs of int(width * mlp_ratio), as open_clip's ViT-g / bigG
        CliRunner mlp = CliRunner.run("info", "--model", DATA.resolve("models/tiny-mlp").toString(), "--json");
        assertEquals(0, mlp.code, mlp.err);
        assertEquals(315, JSON.readTree(mlp.out).get("vision_mlp_width").asInt());
        assertEquals(139, JSON.readTree(mlp.out).get("transformer_mlp_width").asInt());
    }

    @Test
    void benchReportsRates(@TempDir Path dir) throws IOException {
        Files.copy(DATA.resolve("preprocess/images/tiny_7x5.png"), dir.resolve("a.png"));
        Files.copy(DATA.resolve("preprocess/images/tiny_1x1.png"), Files.createDirectory(dir.resolve("sub"))
                .resolve("b.png"));
        CliRunner r = CliRunner.run("bench", "--model", VIT.toString(), "--images", dir.toString(), "--rounds", "1");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains(", 2 images,"), r.out); // subfolders too, as zero-shot's folders (it found 1)
        assertTrue(r.out.contains("images/s") && r.out.contains("texts/s"), r.out);
        assertTrue(r.out.contains("zero-shot top-5") && r.out.contains("64 classes"), r.out);
        // A file that cannot be decoded is left out, as zero-shot, embed and index do; it stopped the whole run.
        Path broken = Files.writeString(dir.resolve("broken.png"), "not a png");
        CliRunner skip = CliRunner.run("bench", "--model", VIT.toString(), "--images", dir.toString(), "--rounds", "1");
        assertEquals(ClipCli.EXIT_INPUT, skip.code, skip.err);
        assertTrue(skip.err.startsWith("clip: skipped " + broken + ": "), skip.err);
        assertTrue(skip.out.contains(", 2 images,") && skip.out.contains("zero-shot top-5"), skip.out);
        CliRunner rounds = CliRunner.run("bench", "--model", VIT.toString(), "--images", dir.toString(), "--rounds", "0");
        assertEquals("clip: --rounds must be >= 1, got 0", rounds.err.strip());
    }

    @Test
    void aModelWithNonFiniteImageWeightsIsOneErrorNotASkippedLinePerImage(@TempDir Path dir) throws IOException {
        // tiny-vit with a NaN visual.proj: zero-shot over a folder printed "clip: skipped <file>: image_features of
        // image 0 contain NaN: the checkpoint's weights are probably not finite" for every file, after encoding each
        // file twice.
        java.util.Map<String, io.clip4j.checkpoint.TensorData> weights = new java.util.LinkedHashMap<>(
                io.clip4j.checkpoint.CheckpointReader.read(VIT.resolve("state_dict.pt")).asMap());
        long[] shape = weights.get("visual.proj").shape();
        float[] nan = new float[(int) (shape[0] * shape[1])];
        Arrays.fill(nan, Float.NaN);
        weights.put("visual.proj", io.clip4j.checkpoint.SafetensorsWriter.float32(nan, shape));
        Path broken = dir.resolve("nan-visual.safetensors");
        io.clip4j.checkpoint.SafetensorsWriter.write(broken, weights, java.util.Map.of());
        Path photos = Files.createDirectories(dir.resolve("photos"));
        for (String name : new String[]{"astronaut.png", "chelsea.png", "coffee.png"}) {
            Files.copy(DATA.resolve("preprocess/images").resolve(name), photos.resolve(name));
        }
        CliRunner r = CliRunner.run("zero-shot", "--model", broken.toString(), "--label", "cat", "--label", "dog",
                "--image", photos.toString());
        assertEquals(ClipCli.EXIT_INPUT, r.code, r.err);
        assertEquals(1, r.err.strip().split("\n").length, r.err);
        assertTrue(r.err.startsWith("clip: none of 3 images gave finite features (3 non-finite), so the model is at"
                + " fault, not the images; the first: " + photos.resolve("astronaut.png")), r.err);
        assertEquals("", r.out);
    }

    @Test
    void modelErrorsAreOneLine(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.safetensors");
        Files.write(bad, new byte[]{8, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
        CliRunner r = CliRunner.run("zero-shot", "--model", bad.toString(), "--label", "x",
                "--image", DATA.resolve("preprocess/images/tiny_7x5.png").toString());
        assertEquals(ClipCli.EXIT_INPUT, r.code);
        assertEquals(1, r.err.strip().split("\n").length, r.err);
        assertTrue(r.err.contains("bad.safetensors"), r.err);
        CliRunner swallowed = CliRunner.run("zero-shot", "--model", VIT.toString(), "--label", "cat", "--frobnicate",
                "--image", DATA.resolve("preprocess/images/tiny_7x5.png").toString());
        assertEquals(ClipCli.EXIT_USAGE, swallowed.code, "an unknown option is not a label: " + swallowed.out);
        assertTrue(swallowed.err.contains("--frobnicate"), swallowed.err);
        assertTrue(!swallowed.err.contains("Expected parameter"), "--label had its value: " + swallowed.err);
        CliRunner rnDir = CliRunner.run("embed", "--model", DATA.resolve("models/tiny-rn").toString(), "--text", "x");
        assertEquals(ClipCli.EXIT_INPUT, rnDir.code, rnDir.err);
        assertTrue(rnDir.err.contains("to load model.pt or state_dict.pt, pass the file itself"), rnDir.err);
        CliRunner outDir = CliRunner.run("preprocess", "--image", DATA.resolve("preprocess/images/tiny_7x5.png")
                .toString(), "--out", dir.toString());
        assertEquals(ClipCli.EXIT_INPUT, outDir.code, outDir.err);
        assertTrue(outDir.err.startsWith("clip: a directory, not a file: " + dir), outDir.err);
        CliRunner dir2 = CliRunner.run("zero-shot", "--model", VIT.toString(), "--label", "cat",
                "--image", dir.toString());
        assertTrue(dir2.err.contains("no image files (.png/.jpg/") && dir2.err.contains(dir.toString()), dir2.err);
        Path folder = Files.createDirectories(dir.resolve("photos/nested"));
        Files.copy(DATA.resolve("preprocess/images/chelsea.png"), folder.resolve("chelsea.png"));
        CliRunner fromFolder = CliRunner.run("zero-shot", "--model", VIT.toString(), "--label", "cat", "--label", "dog",
                "--image", dir.resolve("photos").toString(), "--json");
        assertEquals(0, fromFolder.code, fromFolder.err);
        assertTrue(fromFolder.out.contains("nested/chelsea.png"), fromFolder.out);
        if (Files.exists(Path.of("/dev/zero"))) {
            CliRunner dev = CliRunner.run("zero-shot", "--model", VIT.toString(), "--label", "cat", "--image", "/dev/zero");
            assertTrue(dev.err.contains("not an image file (not a regular file): /dev/zero"), dev.err);
        }
        CliRunner badPipeline = CliRunner.run("embed", "--model", VIT.toString(), "--text", "x",
                "--image-pipeline", "GPU");
        assertEquals(ClipCli.EXIT_USAGE, badPipeline.code, badPipeline.err);
        assertTrue(badPipeline.err.contains("--image-pipeline") && badPipeline.err.contains("KERNELS"),
                badPipeline.err);
        CliRunner badDevice = CliRunner.run("embed", "--model", VIT.toString(), "--text", "x", "--device", "tpu");
        assertEquals(ClipCli.EXIT_USAGE, badDevice.code, "a usage error like --precision's: " + badDevice.err);
        assertTrue(badDevice.err.startsWith("clip: Invalid value for option '--device': unknown device 'tpu' "),
                badDevice.err);
        CliRunner noModel = CliRunner.run("embed", "--text", "x");
        assertEquals(ClipCli.EXIT_INPUT, noModel.code, "no default model property in tests: " + noModel.err);
    }
}
