package io.clip4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4j.image.ImagePreprocessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one resolver of a checkpoint's preprocessing: open_clip's preprocess_cfg, Hugging Face's
 * preprocessor_config.json (real-world forms accepted, every field clip4j does not compute refused by name), else
 * CLIP's.
 */
class ImageTransformConfigTest {
    private static final Path VIT = Fixtures.model("tiny-vit");
    private static final Path OPEN_CLIP = OpenClipFixture.directory();
    private static final String FILE = ImageTransformConfig.HUGGING_FACE_FILE;
    /** openai/clip-vit-base-patch32's original file (CLIPFeatureExtractor: size and crop_size integers). */
    private static final String LEGACY = "{\"crop_size\": 224, \"do_center_crop\": true, \"do_normalize\": true,"
            + " \"do_resize\": true, \"feature_extractor_type\": \"CLIPFeatureExtractor\","
            + " \"image_mean\": [0.48145466, 0.4578275, 0.40821073],"
            + " \"image_std\": [0.26862954, 0.26130258, 0.27577711], \"resample\": 3, \"size\": 224}";
    /** As transformers' CLIPImageProcessor.save_pretrained writes it today. */
    private static final String CURRENT = "{\"_valid_processor_keys\": [\"images\", \"do_resize\", \"size\"],"
            + " \"crop_size\": {\"height\": 224, \"width\": 224}, \"do_center_crop\": true, \"do_convert_rgb\": true,"
            + " \"do_normalize\": true, \"do_rescale\": true, \"do_resize\": true,"
            + " \"feature_extractor_type\": \"CLIPFeatureExtractor\","
            + " \"image_mean\": [0.48145466, 0.4578275, 0.40821073], \"image_processor_type\": \"CLIPImageProcessor\","
            + " \"image_std\": [0.26862954, 0.26130258, 0.27577711], \"processor_class\": \"CLIPProcessor\","
            + " \"resample\": 3, \"rescale_factor\": 0.00392156862745098, \"size\": {\"shortest_edge\": 224}}";

    @TempDir
    Path tmp;

    /** A Hugging Face directory: tiny-vit's config.json and model.safetensors, plus this preprocessor_config.json. */
    private Path hfDir(String preprocessor) throws IOException {
        Path dir = Files.createTempDirectory(tmp, "hf");
        Files.copy(VIT.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(VIT.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        if (preprocessor != null) {
            Files.writeString(dir.resolve(FILE), preprocessor);
        }
        return dir;
    }

    private ImageTransformConfig read(String json) throws IOException {
        Path f = Files.createTempDirectory(tmp, "p").resolve(FILE);
        Files.writeString(f, json);
        return ImageTransformConfig.readHuggingFace(f, 224);
    }

    /** The file's current form with one key set to a JSON value (or removed when null). */
    private static String with(String key, String value) {
        String body = CURRENT.substring(1, CURRENT.length() - 1);
        String out = body.replaceAll("\"" + key + "\": (\\{[^}]*\\}|\\[[^]]*\\]|[^,]*)(, )?", "");
        out = out.replaceAll(", $", "");
        return "{" + out + (value == null ? "" : ", \"" + key + "\": " + value) + "}";
    }

    @Test
    void openAisLegacyAndCurrentFilesGiveClipsPreprocessing() throws IOException {
        for (String json : new String[]{LEGACY, CURRENT, "{}"}) {
            ImageTransformConfig c = read(json);
            assertArrayEquals(ImagePreprocessor.clipMean(), c.mean(), json);
            assertArrayEquals(ImagePreprocessor.clipStd(), c.std(), json);
            assertFalse(c.squash(), json);
            assertTrue(c.isClip(), json);
            assertTrue(c.source().orElseThrow().endsWith(FILE));
        }
        ImageTransformConfig fast = read(with("image_processor_type", "\"CLIPImageProcessorFast\""));
        assertTrue(fast.isClip());
        // a 336 model's file (openai/clip-vit-large-patch14-336)
        Path f = tmp.resolve("336.json");
        Files.writeString(f, LEGACY.replace("224", "336"));
        assertTrue(ImageTransformConfig.readHuggingFace(f, 336).isClip());
    }

    @Test
    void meanAndStdOfAHuggingFaceDirectoryAreHonoured() throws IOException {
        ImageTransformConfig c = ImageTransformConfig.of(hfDir(with("image_mean", "[0.5, 0.4, 0.3]")
                .replace("[0.26862954, 0.26130258, 0.27577711]", "[0.2, 0.25, 0.3]")), 224);
        assertArrayEquals(new double[]{0.5, 0.4, 0.3}, c.mean());
        assertArrayEquals(new double[]{0.2, 0.25, 0.3}, c.std());
        assertFalse(c.isClip());
        ImageTransformConfig one = read(with("image_mean", "0.5").replace("[0.26862954, 0.26130258, 0.27577711]",
                "0.25"));
        assertArrayEquals(new double[]{0.5, 0.5, 0.5}, one.mean());
        assertArrayEquals(new double[]{0.25, 0.25, 0.25}, one.std());
        // do_normalize false: transformers leaves pixel / 255, i.e. mean 0 and std 1, whatever image_mean says
        ImageTransformConfig raw = read(with("do_normalize", "false").replace("0.48145466", "0.9"));
        assertArrayEquals(new double[]{0, 0, 0}, raw.mean());
        assertArrayEquals(new double[]{1, 1, 1}, raw.std());
    }

    @Test
    void aSquareSizeIsAStraightResize() throws IOException {
        assertTrue(read(with("size", "{\"height\": 224, \"width\": 224}")).squash());
        assertTrue(read(with("size", "[224, 224]")).squash());
        assertTrue(read(with("do_center_crop", "false").replace("\"shortest_edge\": 224", "\"height\": 224,"
                + " \"width\": 224")).squash(), "nothing left to crop");
        assertTrue(read(with("use_square_size", "true")).squash());
        assertFalse(read(with("size", "{\"shortest_edge\": 224, \"longest_edge\": null}")).squash());
    }

    private void assertRefused(String json, String start) throws IOException {
        Path f = Files.createTempDirectory(tmp, "r").resolve(FILE);
        Files.writeString(f, json);
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> ImageTransformConfig.readHuggingFace(f, 224), json);
        assertTrue(e.getMessage().startsWith(f + ": " + start), e.getMessage());
    }

    /** CLIPImageProcessorFast (BaseImageProcessorFast.resize) caps the long side with it; the slow class ignores it. */
    @Test
    void aLongestEdgeIsRefused() throws IOException {
        assertRefused(with("size", "{\"shortest_edge\": 224, \"longest_edge\": 1000}"), "size.longest_edge = 1000");
        assertRefused(with("size", "{\"shortest_edge\": 224, \"longest_edge\": 224}"), "size.longest_edge = 224");
    }

    /**
     * An explicit null is not "the default": CLIPImageProcessor skips a step whose switch is None and raises for a
     * None resample or rescale_factor; CLIPImageProcessorFast takes its defaults, but keeps a None size or crop_size
     * and raises.
     */
    @Test
    void explicitNullsWhereTransformersClassesDisagreeAreRefusedByName() throws IOException {
        for (String key : new String[]{"do_resize", "do_center_crop", "do_rescale", "do_normalize", "resample",
                "rescale_factor", "size", "crop_size"}) {
            assertRefused(with(key, "null"), key + " = null is not supported");
        }
        // crop_size is not read when nothing is cropped
        assertTrue(read(with("crop_size", "null").replace("\"do_center_crop\": true", "\"do_center_crop\": false")
                .replace("\"shortest_edge\": 224", "\"height\": 224, \"width\": 224")).squash());
        // both classes default a null mean/std; a null do_convert_rgb is no conversion (slow) or one (fast),
        // the same for the RGB image either computes with; null use_square_size/default_to_square are false
        for (String key : new String[]{"image_mean", "image_std", "do_convert_rgb", "use_square_size",
                "default_to_square"}) {
            ImageTransformConfig c = read(with(key, "null"));
            assertTrue(c.isClip(), key);
            assertFalse(c.squash(), key);
        }
        assertRefused(with("do_convert_rgb", "\"yes\""), "do_convert_rgb is not true or false");
    }

    /** CLIPImageProcessorFast reads an integer size with default_to_square true as size x size; the slow class not. */
    @Test
    void defaultToSquareWithAnIntegerSizeIsRefused() throws IOException {
        assertRefused(LEGACY.replace("\"size\": 224", "\"size\": 224, \"default_to_square\": true"),
                "default_to_square = true");
        assertFalse(read(LEGACY.replace("\"size\": 224", "\"size\": 224, \"default_to_square\": false")).squash());
        // a dict size is read the same by both classes whatever default_to_square says
        assertFalse(read(with("default_to_square", "true")).squash());
    }

    /**
     * use_square_size: CLIPImageProcessor squares to size["shortest_edge"] (KeyError for a height/width size),
     * CLIPImageProcessorFast to its class default 224.
     */
    @Test
    void useSquareSizeOnlyWithAShortestEdgeOf224() throws IOException {
        assertRefused("{\"size\": {\"height\": 224, \"width\": 224}, \"use_square_size\": true}",
                "use_square_size = true");
        assertRefused("{\"size\": [224, 224], \"use_square_size\": true}", "use_square_size = true");
        Path f = tmp.resolve("kosmos336.json");
        Files.writeString(f, "{\"size\": {\"shortest_edge\": 336}, \"crop_size\": 336, \"use_square_size\": true}");
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> ImageTransformConfig.readHuggingFace(f, 336));
        assertTrue(e.getMessage().startsWith(f + ": use_square_size = true"), e.getMessage());
        assertTrue(read("{\"size\": 224, \"use_square_size\": true}").squash());
    }

    /** A file written from float32 values carries CLIP's mean/std rounded: still CLIP's, its values kept exact. */
    @Test
    void float32RoundedClipMeanAndStdAreClips() throws IOException {
        String f32 = with("image_mean", "[0.48145467042922974, 0.45782750844955444, 0.40821072459220886]")
                .replace("[0.26862954, 0.26130258, 0.27577711]",
                        "[0.2686295509338379, 0.2613025903701782, 0.27577710151672363]");
        ImageTransformConfig c = read(f32);
        assertTrue(c.isClip());
        assertArrayEquals(new double[]{0.48145467042922974, 0.45782750844955444, 0.40821072459220886}, c.mean(), 0);
        assertArrayEquals(new double[]{0.2686295509338379, 0.2613025903701782, 0.27577710151672363}, c.std(), 0);
        assertTrue(read(with("image_mean", "[0.4814546596813202, 0.4578275, 0.40821073]")).isClip());
        assertFalse(read(with("image_mean", "[0.4815, 0.4578275, 0.40821073]")).isClip());
        assertFalse(read(with("image_std", "[0.26862954, 0.26130258, 0.2758]")).isClip());
    }

    @Test
    void everyFieldClip4jDoesNotComputeIsRefusedByName() throws IOException {
        String[][] cases = {
                {"do_resize", "false"},
                {"resample", "2"},
                {"resample", "\"bicubic\""},
                {"do_center_crop", "false"},
                {"do_rescale", "false"},
                {"rescale_factor", "0.5"},
                {"size", "{\"shortest_edge\": 256}"},
                {"size", "256"},
                {"size", "{\"height\": 224, \"width\": 256}"},
                {"size", "{\"longest_edge\": 224}"},
                {"crop_size", "{\"height\": 200, \"width\": 200}"},
                {"crop_size", "200"},
                // 2^32 + 224 and 2^32 + 3: each would wrap to an accepted int
                {"size", "{\"shortest_edge\": 4294967520}"},
                {"size", "[4294967520, 224]"},
                {"crop_size", "4294967520"},
                {"crop_size", "{\"height\": 224, \"width\": 4294967520}"},
                {"resample", "4294967299"},
                {"image_mean", "[0.5, 0.5]"},
                {"image_std", "[0.5, 0.0, 0.5]"},
                {"image_std", "[0.5, -0.2, 0.5]"},
                {"image_processor_type", "\"SiglipImageProcessor\""},
                {"image_processor_type", "\"ViTImageProcessor\""},
                {"feature_extractor_type", "\"ViTFeatureExtractor\""},
                {"do_normalize", "\"yes\""},
        };
        for (String[] c : cases) {
            Path f = Files.createTempDirectory(tmp, "r").resolve(FILE);
            Files.writeString(f, with(c[0], c[1]));
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> ImageTransformConfig.readHuggingFace(f, 224), c[0] + " = " + c[1]);
            assertTrue(e.getMessage().startsWith(f + ": " + c[0]), e.getMessage());
        }
        // defaults are CLIPImageProcessor's: a 336 model with a file that names no sizes would be cut to 224
        Path f = tmp.resolve("none.json");
        Files.writeString(f, "{}");
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> ImageTransformConfig.readHuggingFace(f, 336));
        assertTrue(e.getMessage().contains(": size = absent (224) is not supported"), e.getMessage());
        Files.writeString(f, "[1]");
        assertThrows(CheckpointException.class, () -> ImageTransformConfig.readHuggingFace(f, 224));
        Files.writeString(f, "{");
        assertThrows(CheckpointException.class, () -> ImageTransformConfig.readHuggingFace(f, 224));
    }

    @Test
    void theFormatDecidesWhichFileGivesThePreprocessing() throws IOException {
        // a file named alone, a directory without the file: CLIP's
        assertSame(ImageTransformConfig.clip(), ImageTransformConfig.of(VIT.resolve("model.safetensors"), 224));
        assertSame(ImageTransformConfig.clip(), ImageTransformConfig.of(VIT, 224));
        assertSame(ImageTransformConfig.clip(), ImageTransformConfig.of(hfDir(null), 224));
        assertEquals(Optional.empty(), ImageTransformConfig.clip().source());
        // open_clip's directory, and its weights file named alone: preprocess_cfg
        for (Path p : new Path[]{OPEN_CLIP, OPEN_CLIP.resolve(OpenClipConfig.PYTORCH_FILE)}) {
            ImageTransformConfig oc = ImageTransformConfig.of(p, 224);
            assertArrayEquals(new double[]{0.5, 0.4, 0.3}, oc.mean());
            assertArrayEquals(new double[]{0.2, 0.25, 0.3}, oc.std());
            assertEquals(OPEN_CLIP.resolve(OpenClipConfig.CONFIG_FILE), oc.source().orElseThrow());
        }
        // a directory with both formats is the Hugging Face model it is read as, with that model's file
        Path both = hfDir(with("image_mean", "[0.1, 0.2, 0.3]"));
        Files.copy(OPEN_CLIP.resolve(OpenClipConfig.CONFIG_FILE), both.resolve(OpenClipConfig.CONFIG_FILE));
        assertArrayEquals(new double[]{0.1, 0.2, 0.3}, ImageTransformConfig.of(both, 224).mean());
        // an open_clip directory ignores a preprocessor_config.json beside its own config
        Path oc = Files.createTempDirectory(tmp, "oc");
        Files.copy(OPEN_CLIP.resolve(OpenClipConfig.CONFIG_FILE), oc.resolve(OpenClipConfig.CONFIG_FILE));
        Files.copy(VIT.resolve("state_dict.pt"), oc.resolve(OpenClipConfig.PYTORCH_FILE));
        Files.writeString(oc.resolve(FILE), with("image_mean", "[0.1, 0.2, 0.3]"));
        assertArrayEquals(new double[]{0.5, 0.4, 0.3}, ImageTransformConfig.of(oc, 224).mean());
        // a refused file fails the directory
        Path bad = hfDir(with("resample", "0"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> ImageTransformConfig.of(bad, 224));
        assertTrue(e.getMessage().startsWith(bad.resolve(FILE) + ": resample = 0 is not supported"), e.getMessage());
    }

    @Test
    void aWeightsFileNamedAloneIsRefusedWhereThePreprocessorConfigBesideItIsNotClips() throws IOException {
        // CLIP's own file beside it (OpenAI's repos): the CLIP preprocessing it gets anyway
        assertSame(ImageTransformConfig.clip(), ImageTransformConfig.of(hfDir(CURRENT).resolve("model.safetensors"),
                224));
        // another mean/std, pixel / 255, a square size: named alone it would be normalised and resized as CLIP's
        for (String json : new String[]{with("image_mean", "[0.5, 0.5, 0.5]"), with("do_normalize", "false"),
                with("size", "{\"height\": 224, \"width\": 224}")}) {
            Path file = hfDir(json).resolve("model.safetensors");
            CheckpointException e = assertThrows(CheckpointException.class, () -> ImageTransformConfig.of(file, 224));
            assertTrue(e.getMessage().startsWith(file + ": a weights file named alone gets CLIP's preprocessing")
                    && e.getMessage().contains("load the directory " + file.getParent()), e.getMessage());
        }
        // one clip4j does not compute: refused too, with the file's reason
        Path file = hfDir(with("resample", "0")).resolve("model.safetensors");
        CheckpointException e = assertThrows(CheckpointException.class, () -> ImageTransformConfig.of(file, 224));
        assertTrue(e.getMessage().contains("resample = 0 is not supported"), e.getMessage());
        // another file beside it is not one that preprocessor_config.json belongs to
        Path other = file.resolveSibling("state_dict.pt");
        Files.copy(VIT.resolve("state_dict.pt"), other);
        assertSame(ImageTransformConfig.clip(), ImageTransformConfig.of(other, 224));
    }
}
