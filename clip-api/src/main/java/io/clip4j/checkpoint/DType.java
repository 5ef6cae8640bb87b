package io.clip4j.checkpoint;

/** Element types of checkpoint tensors (the subset CLIP checkpoints use), with their byte widths. */
public enum DType {
    /** IEEE 754 half precision. */
    F16(2),
    /** bfloat16 (upper half of an IEEE float32). */
    BF16(2),
    /** IEEE 754 single precision. */
    F32(4),
    /** IEEE 754 double precision. */
    F64(8),
    /** signed 8-bit integer. */
    I8(1),
    /** unsigned 8-bit integer. */
    U8(1),
    /** signed 16-bit integer. */
    I16(2),
    /** signed 32-bit integer. */
    I32(4),
    /** signed 64-bit integer. */
    I64(8),
    /** boolean, one byte per element. */
    BOOL(1);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** {@return the number of bytes per element} */
    public int byteSize() {
        return byteSize;
    }
}
