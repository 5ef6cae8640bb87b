package io.clip4j.checkpoint;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pickle reader (protocols 2 to 5, binary opcodes) that never executes anything: it only builds
 * {@code None}/booleans ({@code null}/{@link Boolean}), ints ({@link Long}), floats ({@link Double}),
 * strings, bytes ({@code byte[]}), lists ({@link ArrayList}), tuples (unmodifiable {@link List}), dicts and
 * {@code collections.OrderedDict} ({@link LinkedHashMap}), tensors through
 * {@code torch._utils._rebuild_tensor_v2} (delegated to a {@link Torch}), torch storage classes, a few
 * identity helpers of {@code torch.jit._pickle}, and TorchScript {@code __torch__.*} classes as inert
 * {@link TorchObject} attribute holders. Any other GLOBAL, or a call of an allowed class with arguments it
 * does not need, is rejected with "unsupported class X in pickle".
 */
final class RestrictedUnpickler {
    /** Torch-specific hooks: storages come from the archive, tensors are views on them. */
    interface Torch {
        /**
         * @param pid the persistent id tuple, {@code ('storage', StorageType, key, location, numel)}
         * @return a storage object for {@link #rebuildTensor}
         */
        Object persistentLoad(List<Object> pid);

        /**
         * @param storage a value returned by {@link #persistentLoad}
         * @param offset  storage offset in elements
         * @param size    shape
         * @param stride  strides in elements
         * @return the tensor
         */
        TensorData rebuildTensor(Object storage, long offset, long[] size, long[] stride);
    }

    /** A {@code torch.XxxStorage} class named in a persistent id. */
    static final class StorageType {
        final String name;
        final DType dtype;

        StorageType(String name, DType dtype) {
            this.name = name;
            this.dtype = dtype;
        }

        @Override
        public String toString() {
            return "torch." + name;
        }
    }

    /** An instance of a TorchScript class ({@code __torch__.*}): a name and the state BUILD gave it. */
    static final class TorchObject {
        final String className;
        Object state;

        TorchObject(String className) {
            this.className = className;
        }

        @Override
        public String toString() {
            return className;
        }
    }

    /** An allowed global other than a storage class. */
    private static final class Global {
        final String name;

        Global(String name) {
            this.name = name;
        }
    }

    private static final Map<String, DType> STORAGES = Map.of(
            "HalfStorage", DType.F16, "BFloat16Storage", DType.BF16, "FloatStorage", DType.F32,
            "DoubleStorage", DType.F64, "LongStorage", DType.I64, "IntStorage", DType.I32,
            "ShortStorage", DType.I16, "CharStorage", DType.I8, "ByteStorage", DType.U8, "BoolStorage", DType.BOOL);
    /**
     * Most dimensions of a tensor (CLIP's have at most 4). Without a bound, a size tuple of many 1s stored once and
     * referenced through the memo by every tensor of a 3 MB pickle gave each its own long[] of that length: quadratic
     * time and an OutOfMemoryError out of {@link CheckpointReader#read}.
     */
    static final int MAX_TENSOR_DIMS = 64;
    private static final String ORDERED_DICT = "collections.OrderedDict";
    private static final String REBUILD_TENSOR = "torch._utils._rebuild_tensor_v2";
    private static final String REBUILD_PARAMETER = "torch._utils._rebuild_parameter";
    private static final String REBUILD_PARAMETER_STATE = "torch._utils._rebuild_parameter_with_state";
    /** TorchScript pickling helpers that return their first argument unchanged. */
    private static final List<String> IDENTITY = List.of("torch.jit._pickle.restore_type_tag",
            "torch.jit._pickle.build_intlist", "torch.jit._pickle.build_doublelist",
            "torch.jit._pickle.build_boollist", "torch.jit._pickle.build_tensorlist");

    private final String source;
    private final ByteBuffer in;
    private final Torch torch;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final Deque<Integer> marks = new ArrayDeque<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private RestrictedUnpickler(String source, ByteBuffer in, Torch torch) {
        this.source = source;
        this.in = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.torch = torch;
    }

    /**
     * @param source names the pickle in messages (archive path and entry)
     * @param pickle the pickle bytes
     * @param torch  storage and tensor hooks
     * @return the unpickled object graph
     * @throws CheckpointException for a truncated or malformed pickle, an unsupported opcode or class
     */
    static Object load(String source, ByteBuffer pickle, Torch torch) {
        RestrictedUnpickler u = new RestrictedUnpickler(source, pickle, torch);
        try {
            return u.run();
        } catch (CheckpointException e) {
            throw e;
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new CheckpointException(source + ": truncated pickle at byte " + u.in.position(), e);
        } catch (RuntimeException e) {
            throw new CheckpointException(source + ": malformed pickle at byte " + u.in.position() + ": " + e, e);
        }
    }

    private Object run() {
        while (true) {
            int op = in.get() & 0xff;
            switch (op) {
                case 0x80: // PROTO
                    int proto = in.get() & 0xff;
                    if (proto < 2 || proto > 5) {
                        throw fail("unsupported pickle protocol " + proto);
                    }
                    break;
                case 0x95: in.getLong(); break; // FRAME: framing is irrelevant when the whole pickle is in memory
                case '.': // STOP
                    if (stack.size() != 1 || !marks.isEmpty()) {
                        throw fail("STOP with " + stack.size() + " values on the stack");
                    }
                    return stack.get(0);
                case '(': marks.push(stack.size()); break;
                case '0': pop(); break;
                case '1': popMark(); break;
                case '2': push(peek()); break;
                case 'N': push(null); break;
                case 0x88: push(Boolean.TRUE); break;
                case 0x89: push(Boolean.FALSE); break;
                case 'J': push((long) in.getInt()); break;
                case 'K': push((long) (in.get() & 0xff)); break;
                case 'M': push((long) (in.getShort() & 0xffff)); break;
                case 0x8a: push(longN(in.get() & 0xff)); break; // LONG1
                case 0x8b: push(longN(length(in.getInt()))); break; // LONG4
                case 'G': push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); break; // big endian
                case 'X': push(utf8(length(in.getInt()))); break;
                case 0x8c: push(utf8(in.get() & 0xff)); break;
                case 0x8d: push(utf8(length(in.getLong()))); break;
                case 'T': push(latin1(length(in.getInt()))); break;
                case 'U': push(latin1(in.get() & 0xff)); break;
                case 'B': push(bytes(length(in.getInt()))); break;
                case 'C': push(bytes(in.get() & 0xff)); break;
                case 0x8e: push(bytes(length(in.getLong()))); break;
                case ')': push(Collections.emptyList()); break;
                case 't': push(Collections.unmodifiableList(popMark())); break;
                case 0x85: push(tuple(1)); break;
                case 0x86: push(tuple(2)); break;
                case 0x87: push(tuple(3)); break;
                case ']': push(new ArrayList<>()); break;
                case 'l': push(new ArrayList<>(popMark())); break;
                case 'a': { Object v = pop(); list(peek()).add(v); break; }
                case 'e': { List<Object> items = popMark(); list(peek()).addAll(items); break; }
                case '}': push(new LinkedHashMap<>()); break;
                case 'd': { Map<Object, Object> m = new LinkedHashMap<>(); putAll(m, popMark()); push(m); break; }
                case 's': { Object v = pop(); Object k = pop(); dict(peek()).put(key(k), v); break; }
                case 'u': { List<Object> kv = popMark(); putAll(dict(peek()), kv); break; }
                case 'h': push(memoGet(in.get() & 0xff)); break;
                case 'j': push(memoGet(in.getInt() & 0xffffffffL)); break;
                case 'q': memo.put((long) (in.get() & 0xff), peek()); break;
                case 'r': memo.put(in.getInt() & 0xffffffffL, peek()); break;
                case 0x94: memo.put((long) memo.size(), peek()); break; // MEMOIZE
                case 'c': push(resolve(line(), line())); break;
                case 0x93: { Object name = pop(); Object module = pop(); push(resolve(str(module), str(name))); break; }
                case 'R': { List<Object> args = tupleArg(pop()); push(call(pop(), args)); break; }
                case 0x81: { List<Object> args = tupleArg(pop()); push(newObject(pop(), args)); break; }
                case 'b': { Object state = pop(); build(peek(), state); break; }
                case 'Q': push(torch.persistentLoad(tupleArg(pop()))); break;
                default:
                    throw fail(String.format("unsupported pickle opcode 0x%02x", op));
            }
        }
    }

    private Object resolve(String module, String name) {
        String full = module + "." + name;
        if (module.equals("torch") && STORAGES.containsKey(name)) {
            return new StorageType(name, STORAGES.get(name));
        }
        if (full.equals(ORDERED_DICT) || full.equals(REBUILD_TENSOR) || full.equals(REBUILD_PARAMETER)
                || full.equals(REBUILD_PARAMETER_STATE) || IDENTITY.contains(full)) {
            return new Global(full);
        }
        if (module.equals("__torch__") || module.startsWith("__torch__.")) {
            return new Global(full);
        }
        throw fail("unsupported class " + full + " in pickle");
    }

    private Object call(Object callable, List<Object> args) {
        if (!(callable instanceof Global)) {
            throw fail("REDUCE on a non-callable " + describe(callable));
        }
        String name = ((Global) callable).name;
        switch (name) {
            case ORDERED_DICT:
                if (args.isEmpty()) {
                    return new LinkedHashMap<>();
                }
                break;
            case REBUILD_TENSOR:
                if (args.size() == 6 || args.size() == 7) {
                    return torch.rebuildTensor(args.get(0), integer(args.get(1)), longs(args.get(2)), longs(args.get(3)));
                }
                break;
            case REBUILD_PARAMETER:
            case REBUILD_PARAMETER_STATE:
                if (args.size() >= 3 && args.get(0) instanceof TensorData) {
                    return args.get(0);
                }
                break;
            default:
                if (IDENTITY.contains(name) && !args.isEmpty()) {
                    return args.get(0);
                }
                if (name.startsWith("__torch__") && args.isEmpty()) {
                    return new TorchObject(name);
                }
        }
        throw fail("unsupported call of " + name + " with " + args.size() + " arguments in pickle");
    }

    private Object newObject(Object cls, List<Object> args) {
        if (cls instanceof Global && args.isEmpty()) {
            String name = ((Global) cls).name;
            if (name.startsWith("__torch__")) {
                return new TorchObject(name);
            }
            if (name.equals(ORDERED_DICT)) {
                return new LinkedHashMap<>();
            }
        }
        throw fail("unsupported class " + describe(cls) + " instantiated in pickle");
    }

    private void build(Object target, Object state) {
        if (target instanceof TorchObject) {
            ((TorchObject) target).state = state;
        } else if (!(target instanceof Map)) {
            // An OrderedDict's instance attributes (torch's _metadata) carry no tensors: dropped. Nothing else
            // may receive state, because that would mean calling __setstate__ of an unknown class.
            throw fail("BUILD on " + describe(target));
        }
    }

    private String describe(Object o) {
        if (o instanceof Global) {
            return ((Global) o).name;
        }
        return o == null ? "None" : o.getClass().getSimpleName();
    }

    private long longN(int n) {
        if (n > 8) {
            throw fail("integer of " + n + " bytes is too large");
        }
        byte[] b = bytes(n);
        if (n == 0) {
            return 0;
        }
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xff);
        }
        int unused = 64 - 8 * n;
        return (v << unused) >> unused; // two's complement of n bytes, sign-extended
    }

    private int length(long n) {
        if (n < 0 || n > in.remaining()) {
            throw fail("length " + n + " exceeds the remaining " + in.remaining() + " bytes (truncated)");
        }
        return (int) n;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[length(n)];
        in.get(b);
        return b;
    }

    private String utf8(int n) {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    private String latin1(int n) {
        return new String(bytes(n), StandardCharsets.ISO_8859_1);
    }

    private String line() {
        StringBuilder sb = new StringBuilder();
        while (true) {
            byte b = in.get();
            if (b == '\n') {
                return sb.toString();
            }
            if (sb.length() > 1000) {
                throw fail("GLOBAL name too long");
            }
            sb.append((char) (b & 0xff));
        }
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() {
        if (stack.size() <= (marks.isEmpty() ? 0 : marks.peek())) {
            throw fail("stack underflow");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        if (stack.size() <= (marks.isEmpty() ? 0 : marks.peek())) {
            throw fail("stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw fail("no MARK on the stack");
        }
        int m = marks.pop();
        List<Object> items = new ArrayList<>(stack.subList(m, stack.size()));
        stack.subList(m, stack.size()).clear();
        return items;
    }

    private List<Object> tuple(int n) {
        Object[] items = new Object[n];
        for (int i = n - 1; i >= 0; i--) {
            items[i] = pop();
        }
        return Collections.unmodifiableList(java.util.Arrays.asList(items));
    }

    private Object memoGet(long index) {
        if (!memo.containsKey(index)) {
            throw fail("memo key " + index + " is undefined");
        }
        return memo.get(index);
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) {
        if (!(o instanceof ArrayList)) {
            throw fail("APPEND to a " + describe(o));
        }
        return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o) {
        if (!(o instanceof Map)) {
            throw fail("SETITEM on a " + describe(o));
        }
        return (Map<Object, Object>) o;
    }

    private void putAll(Map<Object, Object> m, List<Object> kv) {
        if (kv.size() % 2 != 0) {
            throw fail("odd number of items for a dict");
        }
        for (int i = 0; i < kv.size(); i += 2) {
            m.put(key(kv.get(i)), kv.get(i + 1));
        }
    }

    /** Only immutable values may be dict keys; a list or dict key would alias mutable state. */
    private Object key(Object k) {
        if (isScalar(k)) {
            return k;
        }
        if (k instanceof List && !(k instanceof ArrayList)) {
            // Tuples of scalars only: hashing a tuple that holds a (possibly cyclic) list could recurse forever, one
            // nested 200,000 deep overflows the stack, and nested tuples that share elements through DUP or the memo
            // (a tiny pickle) take exponential time to hash.
            for (Object e : (List<?>) k) {
                if (!isScalar(e)) {
                    throw fail("unsupported dict key: a tuple holding a "
                            + (e instanceof ArrayList ? "list" : e instanceof List ? "tuple" : describe(e)));
                }
            }
            return k;
        }
        throw fail("unsupported dict key of type " + describe(k));
    }

    private static boolean isScalar(Object o) {
        return o == null || o instanceof String || o instanceof Long || o instanceof Boolean || o instanceof Double;
    }

    @SuppressWarnings("unchecked")
    private List<Object> tupleArg(Object o) {
        if (!(o instanceof List) || o instanceof ArrayList) {
            throw fail("expected a tuple, got " + describe(o));
        }
        return (List<Object>) o;
    }

    private String str(Object o) {
        if (!(o instanceof String)) {
            throw fail("expected a string, got " + describe(o));
        }
        return (String) o;
    }

    private long integer(Object o) {
        if (!(o instanceof Long)) {
            throw fail("expected an integer, got " + describe(o));
        }
        return (Long) o;
    }

    private long[] longs(Object o) {
        List<Object> t = tupleArg(o);
        if (t.size() > MAX_TENSOR_DIMS) {
            throw fail("tensor of " + t.size() + " dimensions (at most " + MAX_TENSOR_DIMS + " are supported)");
        }
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = integer(t.get(i));
        }
        return out;
    }

    private CheckpointException fail(String problem) {
        return new CheckpointException(source + ": " + problem);
    }
}
