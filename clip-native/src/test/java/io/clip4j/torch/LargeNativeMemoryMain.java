package io.clip4j.torch;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Entry point of a fresh JVM started by {@link NativeLibrariesTest}: with a small Java heap, holds LibTorch memory
 * far beyond it (as a large checkpoint's weights do, e.g. ViT-L/14's 1.7 GB), then allocates through JavaCPP.
 * Prints JavaCPP's physical-memory limit and {@code OK}, or {@code FAILED <error>}.
 */
public final class LargeNativeMemoryMain {
    private LargeNativeMemoryMain() {
    }

    public static void main(String[] args) {
        NativeLibraries.ensureLoaded();
        System.out.println("MAX_PHYSICAL_BYTES " + Pointer.maxPhysicalBytes());
        long mib = Long.parseLong(args[0]);
        try (Tensor weights = torch.ones(mib << 18)) { // float32: 4 bytes each, every page touched
            for (int i = 0; i < 100; i++) {
                try (FloatPointer p = new FloatPointer(1 << 16)) {
                    p.put(0, weights.numel());
                }
            }
            System.out.println("OK");
        } catch (OutOfMemoryError e) {
            System.out.println("FAILED " + e);
        }
    }
}
