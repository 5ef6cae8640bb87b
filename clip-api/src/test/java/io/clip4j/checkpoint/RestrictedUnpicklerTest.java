package io.clip4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestrictedUnpicklerTest {
    /** Hooks that must never be reached by the pickles that only build plain values. */
    private static final RestrictedUnpickler.Torch NO_TORCH = new RestrictedUnpickler.Torch() {
        @Override
        public Object persistentLoad(List<Object> pid) {
            throw new AssertionError("persistent_load called");
        }

        @Override
        public TensorData rebuildTensor(Object storage, long offset, long[] size, long[] stride) {
            throw new AssertionError("rebuild called");
        }
    };

    @TempDir
    Path tmp;

    private static Object load(byte[] pickle) {
        return RestrictedUnpickler.load("test.pkl", ByteBuffer.wrap(pickle), NO_TORCH);
    }

    private static void expectRejected(byte[] pickle, String problem) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> load(pickle));
        assertTrue(e.getMessage().startsWith("test.pkl: ") && e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void osSystemGlobalIsRejectedBeforeAnythingRuns() {
        // The classic exploit: os.system("ls") via GLOBAL + REDUCE.
        byte[] evil = new PickleBuilder().proto(2).global("os", "system").mark().str("ls").tuple().op('R', '.').bytes();
        expectRejected(evil, "unsupported class os.system in pickle");
    }

    @Test
    void stackGlobalToBuiltinsIsRejected() {
        byte[] evil = new PickleBuilder().proto(4).str("builtins").str("eval").op(0x93).mark().str("1").tuple()
                .op('R', '.').bytes();
        expectRejected(evil, "unsupported class builtins.eval in pickle");
    }

    @Test
    void ordinaryTorchPickleClassesAreNotCallableWithArguments() {
        byte[] p = new PickleBuilder().proto(2).global("collections", "OrderedDict").mark().str("x").tuple()
                .op('R', '.').bytes();
        expectRejected(p, "unsupported call of collections.OrderedDict");
        byte[] build = new PickleBuilder().proto(2).op(']').op('}').op('b', '.').bytes();
        expectRejected(build, "BUILD on ArrayList");
    }

    @Test
    void buildsPlainValuesOfProtocolFour() {
        // {'a': [1, 2.5, None, True], 'b': ('x', b'\x01')} with FRAME, MEMOIZE, SHORT_BINUNICODE, LONG1, BINFLOAT.
        PickleBuilder b = new PickleBuilder().proto(4).op(0x95, 40, 0, 0, 0, 0, 0, 0, 0).op('}', 0x94).mark();
        b.op(0x8c, 1, 'a', 0x94).op(']', 0x94).mark().op(0x8a, 1, 1).op('G', 0x40, 0x04, 0, 0, 0, 0, 0, 0)
                .op('N', 0x88, 'e');
        b.op(0x8c, 1, 'b').op(0x8c, 1, 'x').op('C', 1, 1).op(0x86).op('u', '.');
        Object o = load(b.bytes());
        Map<?, ?> m = (Map<?, ?>) o;
        assertEquals(List.of(1L, 2.5, true).get(0), ((List<?>) m.get("a")).get(0));
        assertEquals(2.5, ((List<?>) m.get("a")).get(1));
        assertEquals(null, ((List<?>) m.get("a")).get(2));
        assertEquals(true, ((List<?>) m.get("a")).get(3));
        List<?> t = (List<?>) m.get("b");
        assertEquals("x", t.get(0));
        assertArrayEquals(new byte[]{1}, (byte[]) t.get(1));
    }

    @Test
    void longOpcodesAreLittleEndianTwosComplement() {
        // LONG1 with n = 0, 1, 2 and 8 bytes, sign bit set and clear; the values are what pickle.loads returns.
        assertEquals(0L, load(new byte[]{(byte) 0x80, 2, (byte) 0x8a, 0, '.'}));
        assertEquals(-1L, load(new byte[]{(byte) 0x80, 2, (byte) 0x8a, 1, (byte) 0xff, '.'}));
        assertEquals(255L, load(new byte[]{(byte) 0x80, 2, (byte) 0x8a, 2, (byte) 0xff, 0, '.'}));
        assertEquals(-32768L, load(new byte[]{(byte) 0x80, 2, (byte) 0x8a, 2, 0, (byte) 0x80, '.'}));
        assertEquals(Long.MIN_VALUE, load(new byte[]{(byte) 0x80, 2, (byte) 0x8a, 8, 0, 0, 0, 0, 0, 0, 0, (byte) 0x80, '.'}));
        assertEquals(Long.MAX_VALUE, load(new byte[]{(byte) 0x80, 2, (byte) 0x8a, 8, -1, -1, -1, -1, -1, -1, -1, 0x7f, '.'}));
    }

    @Test
    void malformedPicklesFailWithCheckpointException() {
        expectRejected(new byte[]{(byte) 0x80, 2, 'X', 100, 0, 0, 0, 'a'}, "exceeds the remaining");
        expectRejected(new byte[]{(byte) 0x80, 2, 'I', '1', '\n', '.'}, "unsupported pickle opcode 0x49");
        expectRejected(new byte[]{(byte) 0x80, 2, 'R', '.'}, "stack underflow");
        expectRejected(new byte[]{(byte) 0x80, 2, 'h', 7, '.'}, "memo key 7");
        expectRejected(new byte[]{(byte) 0x80, 2, 'N'}, "truncated pickle");
        expectRejected(new byte[]{(byte) 0x80, 2, 'N', 'N', '.'}, "STOP with 2 values");
        expectRejected(new byte[]{(byte) 0x80, 9, 'N', '.'}, "unsupported pickle protocol 9");
        expectRejected(new byte[]{(byte) 0x80, 2, (byte) 0x8a, 9, 1, 1, 1, 1, 1, 1, 1, 1, 1, '.'}, "too large");
    }

    @Test
    void selfContainingListDoesNotHang() {
        // l = []; l.append(l) -- a cycle is representable; it must not loop or overflow the stack.
        byte[] p = {(byte) 0x80, 2, ']', 'q', 0, 'h', 0, 'a', '.'};
        List<?> l = (List<?>) load(p);
        assertTrue(l.get(0) == l);
        // Using that list inside a dict key tuple is refused instead of hashing forever.
        byte[] key = {(byte) 0x80, 2, '}', ']', 'q', 0, 'h', 0, 'a', (byte) 0x85, 'N', 's', '.'};
        expectRejected(key, "unsupported dict key");
    }

    @Test
    void nestedTupleDictKeysAreRefusedWithoutRecursingOrHashing() {
        // {((((None,),),)...): None}, 200,000 deep: recursing over it overflowed the stack.
        PickleBuilder deep = new PickleBuilder().proto(2).op('}', 'N');
        for (int i = 0; i < 200_000; i++) {
            deep.op(0x85);
        }
        expectRejected(deep.op('N', 's', '.').bytes(), "unsupported dict key");
        // t = None; 64 times t = (t, t) via DUP + TUPLE2: 2^64 leaves in 200 bytes; hashing it never ended.
        PickleBuilder dag = new PickleBuilder().proto(2).op('}', 'N');
        for (int i = 0; i < 64; i++) {
            dag.op('2', 0x86);
        }
        long t0 = System.nanoTime();
        expectRejected(dag.op('N', 's', '.').bytes(), "unsupported dict key");
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "took too long");
        // A flat tuple of scalars stays a valid key.
        Map<?, ?> m = (Map<?, ?>) load(new PickleBuilder().proto(2).op('}').integer(1).str("a").op(0x86, 'N', 's', '.')
                .bytes());
        assertEquals(List.of(1L, "a"), m.keySet().iterator().next());
    }

    @Test
    void evilArchiveIsRejectedThroughTheReader() throws IOException {
        byte[] evil = new PickleBuilder().proto(2).global("os", "system").mark().str("touch /tmp/pwned").tuple()
                .op('R', '.').bytes();
        Path f = PickleBuilder.archive(tmp.resolve("evil.pt"), evil, Map.of());
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(f));
        assertTrue(e.getMessage().contains("unsupported class os.system in pickle")
                && e.getMessage().contains(f.toString()), e.getMessage());
        assertFalse(java.nio.file.Files.exists(Path.of("/tmp/pwned")));
    }

    @Test
    void stridedAndOffsetViewsOfOneStorage() throws IOException {
        // {'t': storage[0..6) viewed as 3x2 with strides (1, 3) (a transposed 2x3), 'o': elements 2..4}
        PickleBuilder b = new PickleBuilder().proto(2).op('}').mark();
        b.str("t").floatTensor("0", 6, 0, new int[]{3, 2}, new int[]{1, 3});
        b.str("o").floatTensor("0", 6, 2, new int[]{2}, new int[]{1});
        b.op('u', '.');
        Path f = PickleBuilder.archive(tmp.resolve("views.pt"), b.bytes(),
                Map.of("0", PickleBuilder.floats(0, 1, 2, 3, 4, 5)));
        StateDict sd = CheckpointReader.read(f);
        assertArrayEquals(new long[]{3, 2}, sd.get("t").shape());
        assertArrayEquals(new float[]{0, 3, 1, 4, 2, 5}, sd.get("t").toFloatArray());
        assertArrayEquals(new float[]{2, 3}, sd.get("o").toFloatArray());
        assertTrue(sd.get("o").data().isDirect(), "a contiguous view stays a slice of the mapped file");
    }

    @Test
    void zeroStrideViewsCannotExpandATinyArchive() throws IOException {
        // One float viewed as 20000 x 20000 with strides (0, 0): copying it needed 1.6 GB of heap (OutOfMemoryError).
        PickleBuilder b = new PickleBuilder().proto(2).op('}').mark();
        b.str("t").floatTensor("0", 1, 0, new int[]{20000, 20000}, new int[]{0, 0}).op('u', '.');
        Path f = PickleBuilder.archive(tmp.resolve("bomb.pt"), b.bytes(), Map.of("0", PickleBuilder.floats(1)));
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(f));
        assertTrue(e.getMessage().contains("non-contiguous view of 1600000000 bytes"), e.getMessage());
        // Many transposed views of one storage, each within it, are bounded together: 200 x 2400 bytes here.
        PickleBuilder c = new PickleBuilder().proto(2).op('}').mark();
        for (int i = 0; i < 200; i++) {
            c.str("t" + i).floatTensor("0", 600, 0, new int[]{30, 20}, new int[]{1, 30});
        }
        c.op('u', '.');
        Path g = PickleBuilder.archive(tmp.resolve("many.pt"), c.bytes(), Map.of("0", PickleBuilder.floats(new float[600])));
        e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(g));
        assertTrue(e.getMessage().contains("would exceed the"), e.getMessage());
    }

    @Test
    void tensorsOfMoreThan64DimensionsAreRefused() throws IOException {
        // A crafted archive (not a random mutant): a size tuple of 200,000 ones, memoized once and shared by 20,000
        // tensors (2.9 MB), gave every tensor its own long[200000]: OutOfMemoryError out of CheckpointReader.read
        // (256 MB heap) after quadratic time. The rank is now bounded before the tuple is converted.
        int[] ones = new int[RestrictedUnpickler.MAX_TENSOR_DIMS + 1];
        java.util.Arrays.fill(ones, 1);
        PickleBuilder b = new PickleBuilder().proto(2).op('}').mark();
        b.str("t").floatTensor("0", 1, 0, ones, ones).op('u', '.');
        Path f = PickleBuilder.archive(tmp.resolve("rank65.pt"), b.bytes(), Map.of("0", PickleBuilder.floats(1)));
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(f));
        assertTrue(e.getMessage().contains("rank65.pt: archive/data.pkl: tensor of 65 dimensions (at most 64 are"
                + " supported)"), e.getMessage());
        // 64 dimensions still load.
        int[] most = java.util.Arrays.copyOf(ones, RestrictedUnpickler.MAX_TENSOR_DIMS);
        PickleBuilder c = new PickleBuilder().proto(2).op('}').mark();
        c.str("t").floatTensor("0", 1, 0, most, most).op('u', '.');
        Path g = PickleBuilder.archive(tmp.resolve("rank64.pt"), c.bytes(), Map.of("0", PickleBuilder.floats(7)));
        assertEquals(64, CheckpointReader.read(g).get("t").dim());
        assertArrayEquals(new float[]{7}, CheckpointReader.read(g).get("t").toFloatArray());
    }

    @Test
    void viewPastTheStorageIsRejected() throws IOException {
        PickleBuilder b = new PickleBuilder().proto(2).op('}').mark();
        b.str("t").floatTensor("0", 6, 4, new int[]{3}, new int[]{1}).op('u', '.');
        Path f = PickleBuilder.archive(tmp.resolve("past.pt"), b.bytes(), Map.of("0", PickleBuilder.floats(0, 1, 2, 3, 4, 5)));
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(f));
        assertTrue(e.getMessage().contains("reaches element 6"), e.getMessage());
        PickleBuilder c = new PickleBuilder().proto(2).op('}').mark();
        c.str("t").floatTensor("0", 6, 0, new int[]{6}, new int[]{1}).op('u', '.');
        Path g = PickleBuilder.archive(tmp.resolve("short.pt"), c.bytes(), Map.of("0", PickleBuilder.floats(0, 1)));
        e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(g));
        assertTrue(e.getMessage().contains("too few for 6 elements"), e.getMessage());
        PickleBuilder d = new PickleBuilder().proto(2).op('}').mark();
        d.str("t").floatTensor("9", 6, 0, new int[]{6}, new int[]{1}).op('u', '.');
        Path h = PickleBuilder.archive(tmp.resolve("nokey.pt"), d.bytes(), Map.of());
        e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(h));
        assertTrue(e.getMessage().contains("archive/data/9"), e.getMessage());
    }

    @Test
    void openClipCheckpointIsUnwrappedAndModulePrefixStripped() throws IOException {
        // {'epoch': 3, 'state_dict': OrderedDict(module.logit_scale=tensor, module.ln_final.bias=tensor)}
        // with the OrderedDict receiving its _metadata through BUILD, like torch's state_dict().
        PickleBuilder b = new PickleBuilder().proto(2).op('}').mark().str("epoch").integer(3).str("state_dict");
        b.global("collections", "OrderedDict").op(')', 'R').mark();
        b.str("module.logit_scale").floatTensor("0", 1, 0, new int[]{}, new int[]{});
        b.str("module.ln_final.bias").floatTensor("1", 2, 0, new int[]{2}, new int[]{1});
        b.op('u').op('}').str("_metadata").op('}').op('s').op('b').op('u', '.');
        Path f = PickleBuilder.archive(tmp.resolve("open_clip.pt"), b.bytes(),
                Map.of("0", PickleBuilder.floats(4.6052f), "1", PickleBuilder.floats(-1, 1)));
        StateDict sd = CheckpointReader.read(f);
        assertEquals(List.of("logit_scale", "ln_final.bias"), List.copyOf(sd.keys()));
        assertArrayEquals(new float[]{4.6052f}, sd.get("logit_scale").toFloatArray());
        assertEquals(0, sd.get("logit_scale").dim());
    }
}
