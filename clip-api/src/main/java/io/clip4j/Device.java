package io.clip4j;

import java.util.Objects;

/**
 * Where a model runs: the CPU, or one CUDA GPU by index. Immutable value type.
 */
public final class Device {
    /** The CPU (float32). */
    public static final Device CPU = new Device("cpu", -1);

    private final String type;
    private final int index;

    private Device(String type, int index) {
        this.type = type;
        this.index = index;
    }

    /**
     * Returns a CUDA GPU by ordinal.
     *
     * @param index GPU ordinal, &ge; 0
     * @return that CUDA device
     * @throws IllegalArgumentException if index is negative
     */
    public static Device cuda(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("CUDA device index must be >= 0, got " + index);
        }
        return new Device("cuda", index);
    }

    /**
     * Parses {@code cpu}, {@code cuda} or {@code gpu} (both = {@code cuda:0}) or {@code cuda:N}, case-insensitive.
     *
     * @param spec the text
     * @return the device
     * @throws NullPointerException     if {@code spec} is null
     * @throws IllegalArgumentException for anything else (including a negative N)
     */
    public static Device parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        String s = spec.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.equals("cpu")) {
            return CPU;
        }
        if (s.equals("cuda") || s.equals("gpu")) {
            return cuda(0);
        }
        if (s.startsWith("cuda:")) {
            try {
                return cuda(Integer.parseInt(s.substring(5)));
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("unknown device '" + spec + "' (expected cpu, cuda, gpu or cuda:N)");
    }

    /** {@return true for a CUDA device} */
    public boolean isCuda() {
        return type.equals("cuda");
    }

    /** {@return the GPU ordinal, or -1 for the CPU} */
    public int index() {
        return index;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Device && ((Device) o).type.equals(type) && ((Device) o).index == index;
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + index;
    }

    @Override
    public String toString() {
        return isCuda() ? "cuda:" + index : "cpu";
    }
}
