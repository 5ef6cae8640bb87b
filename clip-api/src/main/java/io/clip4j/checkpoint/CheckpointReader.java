package io.clip4j.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.clip4j.io.Streams;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Entry point: reads a CLIP checkpoint in any supported format into a {@link StateDict} under OpenAI
 * ({@code clip/model.py}, also open_clip) parameter names. The format is recognised from the content,
 * never from the file name:
 * <ul>
 *   <li>a directory: Hugging Face layout, {@code config.json} plus {@code model.safetensors} (or the shards
 *       listed in {@code model.safetensors.index.json}, or its only {@code *.safetensors} file), else
 *       {@code pytorch_model.bin} (or the shards of {@code pytorch_model.bin.index.json}); or open_clip's layout,
 *       {@code open_clip_config.json} plus {@code open_clip_model.safetensors}, else
 *       {@code open_clip_pytorch_model.bin} (used when the directory lacks Hugging Face {@code config.json} and
 *       weights; see {@link OpenClipConfig#find});</li>
 *   <li>a ZIP archive ({@code PK\3\4}): {@code torch.save} of a state dict (torch &ge; 1.6) or a TorchScript
 *       archive such as OpenAI's published {@code ViT-B-32.pt};</li>
 *   <li>a safetensors file (8-byte header length followed by a JSON object);</li>
 *   <li>a legacy (pre-1.6, non-zip) {@code torch.save} pickle: rejected with a clear message.</li>
 * </ul>
 * Afterwards names are normalised: a {@code module.} prefix on every key (DataParallel) is stripped and
 * Hugging Face {@code CLIPModel} names are translated by the one mapping table. Tensors are memory-mapped
 * slices of the file where possible; only re-arranged tensors (Hugging Face q/k/v concatenation and
 * projection transposes, non-contiguous torch views) are copied.
 */
public final class CheckpointReader {

    private CheckpointReader() {
    }

    /**
     * Reads the tensors of a checkpoint in any supported format, renamed to OpenAI's parameter names.
     *
     * @param fileOrDir a checkpoint file, or a Hugging Face or open_clip model directory
     * @return its tensors under OpenAI parameter names
     * @throws NullPointerException if {@code fileOrDir} is null
     * @throws CheckpointException naming the path and the problem for an unknown, unsupported, truncated or
     *                             corrupt checkpoint, or one that lacks a tensor the name mapping needs; or saying
     *                             that the reading thread was interrupted (its status stays set), or that the Java
     *                             heap ran out while reading it
     */
    public static StateDict read(Path fileOrDir) {
        // A programming error, not a damaged checkpoint: it was reported as "null: unreadable checkpoint".
        Objects.requireNonNull(fileOrDir, "fileOrDir");
        try {
            return readChecked(fileOrDir);
        } catch (CheckpointException e) {
            throw interrupted() ? new CheckpointException(fileOrDir + ": reading was interrupted (the"
                    + " thread's interrupt status is set): " + e.getMessage(), e) : e;
        } catch (RuntimeException e) {
            // Every validation above should already have produced a CheckpointException; this keeps the
            // documented contract (one exception type, naming the file) should a corrupt input slip past them.
            throw new CheckpointException(fileOrDir + (interrupted() ? ": reading was interrupted: "
                    : ": unreadable checkpoint: ") + e, e);
        } catch (OutOfMemoryError e) {
            // A small crafted pickle can describe millions of tensors, and a real checkpoint's re-arranged tensors
            // are copied to the heap: what this read allocated is garbage once we leave.
            throw new CheckpointException(fileOrDir + ": not enough Java heap to read the checkpoint (" + e.getMessage()
                    + "; max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB); raise -Xmx", e);
        }
    }

    // An interrupt closes the file channels (ClosedByInterruptException): the file is then reported as unreadable,
    // or a directory's weights file as missing, while nothing is wrong with it.
    private static boolean interrupted() {
        return Thread.currentThread().isInterrupted();
    }

    private static StateDict readChecked(Path fileOrDir) {
        if (Files.isDirectory(fileOrDir)) {
            return normalise(readDirectory(fileOrDir));
        }
        return normalise(readFile(fileOrDir));
    }

    /** One checkpoint file, its names as stored. */
    private static StateDict readFile(Path fileOrDir) {
        if (!Files.isRegularFile(fileOrDir)) {
            throw new CheckpointException(fileOrDir + (Files.exists(fileOrDir)
                    ? ": not a checkpoint file (not a regular file: a device, pipe or socket)"
                    : ": no such checkpoint file or directory"));
        }
        byte[] head = head(fileOrDir);
        long size;
        try {
            size = Files.size(fileOrDir);
        } catch (IOException e) {
            throw new CheckpointException(fileOrDir + ": cannot read file size: " + e.getMessage(), e);
        }
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return TorchArchiveReader.read(fileOrDir);
        }
        if (SafetensorsReader.looksLikeSafetensors(head, size)) {
            return SafetensorsReader.read(fileOrDir);
        }
        if (head.length >= 2 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5) {
            throw new CheckpointException(fileOrDir + ": legacy torch.save format not supported;"
                    + " re-save with torch>=1.6 (zip format) or convert to safetensors");
        }
        throw new CheckpointException(fileOrDir + ": unknown checkpoint format (expected a torch zip archive,"
                + " a safetensors file or a Hugging Face model directory)");
    }

    private static byte[] head(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return Streams.readUpTo(in, 16);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read file: " + e.getMessage(), e);
        }
    }

    /**
     * A Hugging Face model directory, or any directory holding {@code model.safetensors}, {@code pytorch_model.bin}
     * (or a shard index of either) or exactly one {@code *.safetensors}: {@code config.json} is optional, since the
     * sizes are inferred from the tensors and only cross-checked against it when present. A directory in open_clip's
     * format ({@link OpenClipConfig#find}) gives its {@code open_clip_model.safetensors} or
     * {@code open_clip_pytorch_model.bin} instead.
     */
    private static StateDict readDirectory(Path dir) {
        List<Path> files = weightFiles(dir);
        Map<String, TensorData> all = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Path f : files) {
            StateDict part = readFile(f);
            for (Map.Entry<String, TensorData> e : part.asMap().entrySet()) {
                if (all.put(e.getKey(), e.getValue()) != null) {
                    throw new CheckpointException(dir + ": tensor '" + e.getKey() + "' appears in more than one shard");
                }
            }
            for (Map.Entry<String, String> e : part.metadata().entrySet()) {
                String before = metadata.putIfAbsent(e.getKey(), e.getValue());
                // Only clip4j's own keys change the computation; another tool's per-shard notes keep the first value.
                if (before != null && !before.equals(e.getValue()) && e.getKey().startsWith("clip4j.")) {
                    throw new CheckpointException(dir + ": shards store different __metadata__ values of '"
                            + e.getKey() + "' (\"" + before + "\" and \"" + e.getValue() + "\")");
                }
            }
        }
        return new StateDict(dir.toString(), all, metadata);
    }

    /**
     * The weights of a model directory, in transformers' order: the shards of {@code model.safetensors.index.json},
     * {@code model.safetensors}, {@code pytorch_model.bin}, the shards of {@code pytorch_model.bin.index.json}; else
     * the only {@code *.safetensors} file.
     */
    private static List<Path> weightFiles(Path dir) {
        if (OpenClipConfig.governs(dir)) {
            return openClipWeights(dir);
        }
        Path index = dir.resolve("model.safetensors.index.json");
        if (Files.isRegularFile(index)) {
            return shardsOf(dir, index);
        }
        if (Files.isRegularFile(dir.resolve("model.safetensors"))) {
            return List.of(dir.resolve("model.safetensors"));
        }
        if (Files.isRegularFile(dir.resolve("pytorch_model.bin"))) {
            return List.of(dir.resolve("pytorch_model.bin"));
        }
        Path binIndex = dir.resolve("pytorch_model.bin.index.json");
        if (Files.isRegularFile(binIndex)) {
            return shardsOf(dir, binIndex);
        }
        List<Path> found = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().endsWith(".safetensors") && Files.isRegularFile(p))
                    .sorted().forEach(found::add);
        } catch (IOException e) {
            throw new CheckpointException(dir + ": cannot list directory: " + e.getMessage(), e);
        }
        if (found.size() != 1) {
            throw new CheckpointException(dir + ": expected a Hugging Face model (model.safetensors, or exactly one"
                    + " *.safetensors file, or pytorch_model.bin) or an open_clip one (" + OpenClipConfig.CONFIG_FILE
                    + " with " + OpenClipConfig.SAFETENSORS_FILE + " or " + OpenClipConfig.PYTORCH_FILE + "), found "
                    + found.size() + " *.safetensors files" + torchFilesHint(dir));
        }
        return found;
    }

    /** open_clip's weights: {@code open_clip_model.safetensors}, else {@code open_clip_pytorch_model.bin}. */
    private static List<Path> openClipWeights(Path dir) {
        for (String name : new String[]{OpenClipConfig.SAFETENSORS_FILE, OpenClipConfig.PYTORCH_FILE}) {
            if (Files.isRegularFile(dir.resolve(name))) {
                return List.of(dir.resolve(name));
            }
        }
        throw new CheckpointException(dir + ": has " + OpenClipConfig.CONFIG_FILE + " but neither "
                + OpenClipConfig.SAFETENSORS_FILE + " nor " + OpenClipConfig.PYTORCH_FILE);
    }

    /**
     * Whether a directory holds Hugging Face weights: {@code model.safetensors}, {@code pytorch_model.bin} or a shard
     * index of either.
     */
    static boolean hasHuggingFaceWeights(Path dir) {
        for (String n : new String[]{"model.safetensors", "model.safetensors.index.json", "pytorch_model.bin",
                "pytorch_model.bin.index.json"}) {
            if (Files.isRegularFile(dir.resolve(n))) {
                return true;
            }
        }
        return false;
    }

    /** A folder holding .pt/.bin files instead: those are loaded by naming the file. */
    private static String torchFilesHint(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> torch = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".pt") || n.endsWith(".bin") || n.endsWith(".pth")).sorted()
                    .collect(java.util.stream.Collectors.toList());
            return torch.isEmpty() ? "" : "; to load " + String.join(" or ", torch) + ", pass the file itself";
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * The shard files a Hugging Face shard index ({@code model.safetensors.index.json},
     * {@code pytorch_model.bin.index.json}) lists in its {@code weight_map}: the one reader of that format.
     *
     * @param index the index file
     * @return the shard file names, sorted, each once
     * @throws CheckpointException if the file cannot be read, has no {@code weight_map} object, lists no shard, or
     *                             lists a name that is not a plain file name (a separator, {@code .}, {@code ..})
     */
    public static List<String> shardNames(Path index) {
        JsonNode map = JsonFiles.readObject(index, "shard index").get("weight_map");
        if (map == null || !map.isObject()) {
            throw new CheckpointException(index + ": shard index has no weight_map object");
        }
        if (map.size() == 0) {
            throw new CheckpointException(index + ": shard index lists no shards");
        }
        TreeSet<String> names = new TreeSet<>();
        for (Iterator<JsonNode> it = map.elements(); it.hasNext(); ) {
            JsonNode v = it.next();
            String n = v.asText();
            if (!v.isTextual() || n.isEmpty() || n.equals(".") || n.equals("..") || n.contains("/")
                    || n.contains("\\")) {
                throw new CheckpointException(index + ": bad shard file name " + v);
            }
            names.add(n);
        }
        return new ArrayList<>(names);
    }

    private static List<Path> shardsOf(Path dir, Path index) {
        List<String> names = shardNames(index);
        List<Path> out = new ArrayList<>();
        for (String n : names) {
            Path shard;
            try {
                shard = dir.resolve(n);
            } catch (InvalidPathException e) {
                throw new CheckpointException(index + ": bad shard file name \"" + n + "\": " + e.getReason());
            }
            // Opening a named pipe for reading would block until some writer opens it: never, here.
            if (!Files.isRegularFile(shard)) {
                throw new CheckpointException(index + ": shard \"" + n + "\" is missing or not a regular file");
            }
            out.add(shard);
        }
        return out;
    }

    /** Strips a DataParallel {@code module.} prefix and translates Hugging Face names. */
    private static StateDict normalise(StateDict sd) {
        StateDict out = sd;
        if (!sd.keys().isEmpty() && sd.keys().stream().allMatch(k -> k.startsWith("module."))) {
            Map<String, TensorData> m = new LinkedHashMap<>();
            sd.asMap().forEach((k, v) -> m.put(k.substring("module.".length()), v));
            out = new StateDict(sd.source(), m, sd.metadata());
        }
        if (HuggingFaceKeys.isHuggingFace(out)) {
            out = HuggingFaceKeys.toOpenAi(out);
        }
        if (out.size() == 0) {
            throw new CheckpointException(sd.source() + ": checkpoint holds no tensors");
        }
        return out;
    }
}
