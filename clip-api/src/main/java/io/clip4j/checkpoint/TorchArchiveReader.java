package io.clip4j.checkpoint;

import io.clip4j.checkpoint.RestrictedUnpickler.StorageType;
import io.clip4j.checkpoint.RestrictedUnpickler.TorchObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the tensors of a PyTorch zip archive (torch &ge; 1.6): {@code <prefix>/data.pkl} is unpickled by
 * {@link RestrictedUnpickler} and each persistent storage id {@code ('storage', torch.XStorage, key,
 * location, numel)} becomes a memory-mapped slice of {@code <prefix>/data/<key>}.
 * <ul>
 *   <li>{@code torch.save} state dict: the pickle is a dict of name to tensor; an open_clip training
 *       checkpoint nests it under {@code "state_dict"}, which is unwrapped. Non-tensor values are ignored.</li>
 *   <li>TorchScript archive (has {@code constants.pkl} or {@code code/}): the pickle is the module object
 *       graph ({@code __torch__.*} classes); every tensor attribute is collected under its dotted path
 *       ({@code visual.conv1.weight}, ...). The int64 buffers {@code input_resolution}, {@code context_length}
 *       and {@code vocab_size} of OpenAI's archives are dropped, as the reference {@code build_model} does, so
 *       a TorchScript archive yields the same keys as the state dict it was made from.</li>
 * </ul>
 * Contiguous tensors (the normal case) are zero-copy slices; a non-contiguous view is copied into a
 * contiguous tensor.
 */
final class TorchArchiveReader {
    /** Top-level buffers of OpenAI's TorchScript CLIP archives that are not model parameters. */
    private static final Set<String> SCRIPT_EXTRAS = Set.of("input_resolution", "context_length", "vocab_size");
    /** Module nesting depth guard; CLIP needs about 8. */
    private static final int MAX_DEPTH = 64;

    private TorchArchiveReader() {
    }

    /**
     * @param file a torch zip archive
     * @return its tensors under the names the archive stores (OpenAI names for CLIP checkpoints)
     * @throws CheckpointException if the archive or its pickle is corrupt or uses anything unsupported
     */
    static StateDict read(Path file) {
        try (ZipArchive zip = ZipArchive.open(file)) {
            String prefix = prefix(zip);
            if (zip.contains(prefix + "byteorder")) {
                String order = StandardCharsets.US_ASCII.decode(zip.entry(prefix + "byteorder")).toString().trim();
                if (!order.equals("little")) {
                    throw new CheckpointException(file + ": big-endian torch archives are not supported");
                }
            }
            boolean script = zip.contains(prefix + "constants.pkl")
                    || zip.names().stream().anyMatch(n -> n.startsWith(prefix + "code/"));
            Storages storages = new Storages(zip, prefix);
            Object root = RestrictedUnpickler.load(file + ": " + prefix + "data.pkl", zip.entry(prefix + "data.pkl"),
                    storages);
            Map<String, TensorData> tensors = new LinkedHashMap<>();
            if (script) {
                if (!(root instanceof TorchObject)) {
                    throw new CheckpointException(file + ": TorchScript data.pkl does not hold a module object");
                }
                collect(file, "", (TorchObject) root, tensors, Collections.newSetFromMap(new IdentityHashMap<>()), 0);
                tensors.keySet().removeAll(SCRIPT_EXTRAS);
            } else {
                stateDict(file, root, tensors);
            }
            return new StateDict(file.toString(), tensors);
        }
    }

    /** The archive's single top-level folder ({@code archive/}, {@code model/}, ...), found by its data.pkl. */
    private static String prefix(ZipArchive zip) {
        String found = null;
        for (String n : zip.names()) {
            if (n.endsWith("data.pkl") && n.indexOf('/') == n.length() - "data.pkl".length() - 1) {
                if (found != null) {
                    throw new CheckpointException(zip.path() + ": more than one data.pkl in the archive");
                }
                found = n.substring(0, n.length() - "data.pkl".length());
            }
        }
        if (found == null) {
            throw new CheckpointException(zip.path() + ": ZIP archive without <folder>/data.pkl is not a torch archive"
                    + (zip.contains("index.json") ? " (this looks like a clip4j search index from 'clip index', not a"
                    + " checkpoint)" : ""));
        }
        return found;
    }

    private static void stateDict(Path file, Object root, Map<String, TensorData> out) {
        if (!(root instanceof Map)) {
            throw new CheckpointException(file + ": pickle holds a " + kind(root) + ", not a dict of tensors");
        }
        Map<?, ?> m = (Map<?, ?>) root;
        if (m.get("state_dict") instanceof Map) {
            m = (Map<?, ?>) m.get("state_dict");
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (e.getKey() instanceof String && e.getValue() instanceof TensorData) {
                out.put((String) e.getKey(), (TensorData) e.getValue());
            }
        }
    }

    /** Walks a TorchScript module: tensors by dotted path; non-tensor attributes (flags, numbers) skipped. */
    private static void collect(Path file, String path, TorchObject module, Map<String, TensorData> out,
                                Set<Object> seen, int depth) {
        if (depth > MAX_DEPTH || !seen.add(module)) {
            throw new CheckpointException(file + ": module graph too deep or cyclic at '" + path + "'");
        }
        if (!(module.state instanceof Map)) {
            return; // a class with a custom __getstate__ holds no parameters CLIP needs
        }
        for (Map.Entry<?, ?> e : ((Map<?, ?>) module.state).entrySet()) {
            if (!(e.getKey() instanceof String)) {
                continue;
            }
            String name = path + e.getKey();
            Object v = e.getValue();
            if (v instanceof TensorData) {
                out.put(name, (TensorData) v);
            } else if (v instanceof TorchObject) {
                collect(file, name + ".", (TorchObject) v, out, seen, depth + 1);
            }
        }
    }

    private static String kind(Object o) {
        return o == null ? "None" : o.getClass().getSimpleName();
    }

    /** Resolves persistent storage ids to mapped archive entries and builds tensors on them. */
    private static final class Storages implements RestrictedUnpickler.Torch {
        private final ZipArchive zip;
        private final String prefix;
        private final Map<String, Storage> byKey = new HashMap<>();
        /** Bytes copied so far for non-contiguous views. */
        private long copied;

        Storages(ZipArchive zip, String prefix) {
            this.zip = zip;
            this.prefix = prefix;
        }

        @Override
        public Object persistentLoad(List<Object> pid) {
            if (pid.size() != 5 || !"storage".equals(pid.get(0)) || !(pid.get(1) instanceof StorageType)
                    || !(pid.get(2) instanceof String) || !(pid.get(4) instanceof Long)) {
                throw new CheckpointException(zip.path() + ": unsupported persistent id in data.pkl (" + pid.size()
                        + " fields)");
            }
            DType dtype = ((StorageType) pid.get(1)).dtype;
            String key = (String) pid.get(2);
            long numel = (Long) pid.get(4);
            Storage s = byKey.get(key);
            if (s == null) {
                String entry = prefix + "data/" + key;
                if (!zip.contains(entry)) {
                    throw new CheckpointException(zip.path() + ": storage '" + entry + "' is missing from the archive");
                }
                ByteBuffer bytes = zip.entry(entry);
                if (numel < 0 || numel > bytes.remaining() / dtype.byteSize()) {
                    throw new CheckpointException(zip.path() + ": storage '" + entry + "' holds " + bytes.remaining()
                            + " bytes, too few for " + numel + " elements of " + dtype);
                }
                s = new Storage(entry, dtype, Buffers.slice(bytes, bytes.position(), (int) (numel * dtype.byteSize())));
                byKey.put(key, s);
            } else if (s.dtype != dtype) {
                throw new CheckpointException(zip.path() + ": storage '" + s.entry + "' used as both " + s.dtype
                        + " and " + dtype);
            }
            return s;
        }

        @Override
        public TensorData rebuildTensor(Object storage, long offset, long[] size, long[] stride) {
            if (!(storage instanceof Storage)) {
                throw new CheckpointException(zip.path() + ": tensor without a storage in data.pkl");
            }
            Storage s = (Storage) storage;
            String what = "view of '" + s.entry + "' with size " + Arrays.toString(size) + ", stride "
                    + Arrays.toString(stride) + ", offset " + offset;
            if (size.length != stride.length || offset < 0) {
                throw new CheckpointException(zip.path() + ": malformed tensor " + what);
            }
            long elements = s.bytes.remaining() / s.dtype.byteSize();
            long numel = 1;
            long last = offset;
            boolean contiguous = true;
            long expected = 1;
            for (int d = size.length - 1; d >= 0; d--) {
                if (size[d] < 0 || stride[d] < 0) {
                    throw new CheckpointException(zip.path() + ": malformed tensor " + what);
                }
                try {
                    numel = Math.multiplyExact(numel, size[d]);
                    if (size[d] > 0) {
                        last = Math.addExact(last, Math.multiplyExact(size[d] - 1, stride[d]));
                    }
                } catch (ArithmeticException e) {
                    throw new CheckpointException(zip.path() + ": malformed tensor " + what);
                }
                if (size[d] != 1 && stride[d] != expected) {
                    contiguous = false;
                }
                expected *= size[d];
            }
            if (numel == 0) {
                return new TensorData(s.dtype, size, ByteBuffer.allocate(0));
            }
            if (last >= elements) {
                throw new CheckpointException(zip.path() + ": " + what + " reaches element " + last
                        + " of a storage of " + elements);
            }
            if (contiguous) {
                int es = s.dtype.byteSize();
                return new TensorData(s.dtype, size, Buffers.slice(s.bytes, (int) (offset * es), (int) (numel * es)));
            }
            // A view may read elements more than once (stride 0, as expand() makes, or overlapping strides), and
            // many views may share one storage: copying them all could turn a file of a few hundred bytes into
            // gigabytes. Checkpoints store each parameter's bytes once, so all copies together never exceed the file.
            int es = s.dtype.byteSize();
            long bytes = numel > Long.MAX_VALUE / es ? Long.MAX_VALUE : numel * es;
            if (bytes > zip.size() - copied) {
                throw new CheckpointException(zip.path() + ": " + what + " is a non-contiguous view of " + bytes
                        + " bytes; copying it (and the views before it, " + copied + " bytes) would exceed the "
                        + zip.size() + " bytes of the archive");
            }
            copied += bytes;
            return TensorOps.gather(zip.path().toString(), what, s.dtype, s.bytes, offset, size, stride);
        }
    }

    /** One storage: its archive entry, element type and bytes (exactly numel elements). */
    private static final class Storage {
        final String entry;
        final DType dtype;
        final ByteBuffer bytes;

        Storage(String entry, DType dtype, ByteBuffer bytes) {
            this.entry = entry;
            this.dtype = dtype;
            this.bytes = bytes;
        }
    }
}
