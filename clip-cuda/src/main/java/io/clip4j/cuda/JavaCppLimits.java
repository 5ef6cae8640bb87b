package io.clip4j.cuda;

/**
 * JavaCPP refuses every new native allocation once the process's resident memory exceeds its
 * {@code org.bytedeco.javacpp.maxPhysicalBytes}, by default a small multiple of the Java heap ({@code -Xmx}). A
 * CLIP model's weights live in LibTorch's memory, outside the heap, and a mapped checkpoint's pages count as
 * resident too: with {@code -Xmx512m}, loading ViT-L/14 (1.7 GB) failed with "Physical memory usage is too high".
 * clip4j frees its native memory deterministically ({@code close()}), so the garbage-collector back-pressure that
 * limit exists for does not apply. clip4j's native entry points (LibTorch, OpenCV, these kernels) therefore lift
 * it before JavaCPP's first use, unless the user set it. The property is JVM-wide: it also applies to other
 * JavaCPP-based libraries in the process.
 */
public final class JavaCppLimits {
    private JavaCppLimits() {
    }

    /**
     * Sets {@code org.bytedeco.javacpp.maxPhysicalBytes} to 0 (no limit) unless it is set (in either spelling JavaCPP
     * reads). Takes effect only if JavaCPP has not allocated anything yet in this JVM; later calls change nothing.
     */
    public static void liftPhysicalMemoryLimit() {
        if (System.getProperty("org.bytedeco.javacpp.maxPhysicalBytes") == null
                && System.getProperty("org.bytedeco.javacpp.maxphysicalbytes") == null) {
            System.setProperty("org.bytedeco.javacpp.maxPhysicalBytes", "0");
        }
    }
}
