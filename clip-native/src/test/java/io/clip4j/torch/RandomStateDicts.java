package io.clip4j.torch;

import io.clip4j.ClipConfig;
import io.clip4j.checkpoint.DType;
import io.clip4j.checkpoint.StateDict;
import io.clip4j.checkpoint.TensorData;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Random state dicts with the reference's names, shapes and fp16/fp32 mix. To keep the nine OpenAI sizes cheap,
 * all tensors of one dtype are slices of one shared random direct buffer (so they repeat values, which does not
 * matter for building and a smoke forward pass); no Java heap is used for weights.
 */
final class RandomStateDicts {
    private RandomStateDicts() {
    }

    static StateDict create(ClipConfig c, long seed) {
        return create(ReferenceShapes.of(c), seed);
    }

    static StateDict create(Map<String, long[]> shapes, long seed) {
        long maxHalf = 1;
        long maxFloat = 1;
        long maxPositive = 1;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long n = numel(e.getValue());
            if (isPositive(e.getKey())) {
                maxPositive = Math.max(maxPositive, n);
            } else if (isFloat32(e.getKey())) {
                maxFloat = Math.max(maxFloat, n);
            } else {
                maxHalf = Math.max(maxHalf, n);
            }
        }
        Random rnd = new Random(seed);
        ByteBuffer halves = ByteBuffer.allocateDirect((int) (maxHalf * 2)).order(ByteOrder.LITTLE_ENDIAN);
        while (halves.hasRemaining()) {
            halves.putShort(halfBits((rnd.nextFloat() * 2 - 1) * 0.05f));
        }
        ByteBuffer floats = ByteBuffer.allocateDirect((int) (maxFloat * 4)).order(ByteOrder.LITTLE_ENDIAN);
        while (floats.hasRemaining()) {
            floats.putFloat((rnd.nextFloat() * 2 - 1) * 0.05f);
        }
        ByteBuffer positive = ByteBuffer.allocateDirect((int) (maxPositive * 4)).order(ByteOrder.LITTLE_ENDIAN);
        while (positive.hasRemaining()) {
            positive.putFloat(0.5f + rnd.nextFloat());
        }
        Map<String, TensorData> m = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            long n = numel(shape);
            if (name.endsWith("num_batches_tracked")) {
                m.put(name, new TensorData(DType.I64, shape, ByteBuffer.allocate(8)));
            } else if (name.equals("logit_scale")) {
                ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, (float) Math.log(1 / 0.07));
                m.put(name, new TensorData(DType.F32, shape, b));
            } else if (isPositive(name)) {
                m.put(name, new TensorData(DType.F32, shape, slice(positive, n * 4)));
            } else if (isFloat32(name)) {
                m.put(name, new TensorData(DType.F32, shape, slice(floats, n * 4)));
            } else {
                m.put(name, new TensorData(DType.F16, shape, slice(halves, n * 2)));
            }
        }
        return new StateDict("random(seed=" + seed + ")", m);
    }

    /** BatchNorm variances must be positive; LayerNorm gains are kept near 1. */
    private static boolean isPositive(String name) {
        return name.endsWith("running_var") || name.contains("ln_") && name.endsWith(".weight");
    }

    /** The fp32 tensors of OpenAI checkpoints (the rest is fp16), see the fixtures README. */
    private static boolean isFloat32(String name) {
        return name.contains("ln_") || name.contains(".bn") || name.contains("downsample.1")
                || name.contains("embedding") || name.equals("logit_scale");
    }

    private static ByteBuffer slice(ByteBuffer b, long bytes) {
        ByteBuffer d = b.duplicate();
        d.position(0).limit((int) bytes);
        return d.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }

    /** Nearest-below IEEE half for |v| < 65504 (truncates the mantissa; subnormals flush to zero). */
    private static short halfBits(float v) {
        int f = Float.floatToIntBits(v);
        int sign = (f >>> 16) & 0x8000;
        int exp = ((f >>> 23) & 0xff) - 127 + 15;
        if (exp <= 0) {
            return (short) sign;
        }
        return (short) (sign | (exp << 10) | ((f >>> 13) & 0x3ff));
    }
}
