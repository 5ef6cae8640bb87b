package io.clip4j.checkpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes state dicts as {@code torch.save} does (zip archive, pickled OrderedDict of float32 tensors), for tests. */
public final class TorchSaveFiles {
    private TorchSaveFiles() {
    }

    /**
     * @param file where to write, e.g. a Hugging Face {@code pytorch_model.bin}
     * @param sd   the tensors, under their names as stored; every value is written as float32 (fp16/bf16 widen
     *             exactly, so the reader gets the same values back)
     * @return {@code file}
     * @throws IOException if the file cannot be written
     */
    public static Path writeFloat32(Path file, StateDict sd) throws IOException {
        PickleBuilder p = new PickleBuilder().proto(2).global("collections", "OrderedDict").op(')', 'R').mark();
        Map<String, byte[]> storages = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : sd.asMap().entrySet()) {
            TensorData t = e.getValue();
            float[] values = t.toFloatArray();
            int[] size = new int[t.dim()];
            int[] stride = new int[t.dim()];
            int s = 1;
            for (int d = t.dim() - 1; d >= 0; d--) {
                size[d] = (int) t.size(d);
                stride[d] = s;
                s *= size[d];
            }
            String key = Integer.toString(storages.size());
            storages.put(key, PickleBuilder.floats(values));
            p.str(e.getKey()).floatTensor(key, values.length, 0, size, stride);
        }
        p.op('u', '.');
        return PickleBuilder.archive(file, p.bytes(), storages);
    }
}
