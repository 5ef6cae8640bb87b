package io.clip4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.ClipConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/** Access to the reference model fixtures (testdata/models) and their meta.json. */
final class Fixtures {
    private Fixtures() {
    }

    static Path models() {
        return Path.of(System.getProperty("clip4j.testdata")).resolve("models");
    }

    static Path model(String name) {
        return models().resolve(name);
    }

    static JsonNode meta(String model) {
        try {
            return new ObjectMapper().readTree(model(model).resolve("meta.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** meta.json state_dict_shapes. */
    static Map<String, long[]> shapes(String model) {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = meta(model).get("state_dict_shapes").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            long[] s = new long[e.getValue().size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = e.getValue().get(i).asLong();
            }
            out.put(e.getKey(), s);
        }
        return out;
    }

    /** meta.json state_dict_dtypes translated to DType. */
    static Map<String, DType> dtypes(String model) {
        Map<String, DType> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = meta(model).get("state_dict_dtypes").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            switch (e.getValue().asText()) {
                case "float16": out.put(e.getKey(), DType.F16); break;
                case "float32": out.put(e.getKey(), DType.F32); break;
                case "int64": out.put(e.getKey(), DType.I64); break;
                default: throw new IllegalStateException("unexpected dtype in meta.json: " + e.getValue());
            }
        }
        return out;
    }

    /** The configuration meta.json declares (dims + vision_heads). */
    static ClipConfig config(String model) {
        JsonNode m = meta(model);
        JsonNode d = m.get("dims");
        JsonNode vl = d.get("vision_layers");
        int[] layers;
        if (vl.isArray()) {
            layers = new int[vl.size()];
            for (int i = 0; i < layers.length; i++) {
                layers[i] = vl.get(i).asInt();
            }
        } else {
            layers = new int[]{vl.asInt()};
        }
        int patch = d.get("vision_patch_size").isNull() ? 0 : d.get("vision_patch_size").asInt();
        return new ClipConfig(d.get("embed_dim").asInt(), d.get("image_resolution").asInt(), layers,
                d.get("vision_width").asInt(), patch, d.get("context_length").asInt(), d.get("vocab_size").asInt(),
                d.get("transformer_width").asInt(), d.get("transformer_heads").asInt(),
                d.get("transformer_layers").asInt(), m.get("vision_heads").asInt());
    }

    /** Names and shapes equal meta.json's state_dict_shapes. */
    static void assertNamesAndShapes(String model, StateDict sd) {
        Map<String, long[]> expected = shapes(model);
        assertEquals(new TreeSet<>(expected.keySet()), new TreeSet<>(sd.keys()), "parameter names of " + sd.source());
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            assertArrayEquals(e.getValue(), sd.get(e.getKey()).shape(), "shape of " + e.getKey());
        }
    }

    /** Names, shapes and dtypes equal meta.json. */
    static void assertMatchesMeta(String model, StateDict sd) {
        assertNamesAndShapes(model, sd);
        for (Map.Entry<String, DType> e : dtypes(model).entrySet()) {
            assertEquals(e.getValue(), sd.get(e.getKey()).dtype(), "dtype of " + e.getKey());
        }
    }

    /** Same names, shapes, and float32 values (dtype may differ, values after widening must be equal). */
    static void assertSameValues(StateDict expected, StateDict actual) {
        assertEquals(new TreeSet<>(expected.keys()), new TreeSet<>(actual.keys()));
        for (String k : expected.keys()) {
            TensorData a = expected.get(k);
            TensorData b = actual.get(k);
            assertArrayEquals(a.shape(), b.shape(), "shape of " + k);
            assertArrayEquals(a.toFloatArray(), b.toFloatArray(), "values of " + k);
        }
    }
}
