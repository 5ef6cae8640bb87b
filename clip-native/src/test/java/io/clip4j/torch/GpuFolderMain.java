package io.clip4j.torch;

import io.clip4j.ClipException;
import io.clip4j.Device;
import io.clip4j.Precision;

/**
 * Entry point of the fresh JVM started by {@link NativeLibrariesTest} with a {@code <platform>-gpu} native
 * folder on the class path: prints {@code GPU_NATIVES <bool>}, then what a cuda:0 build says
 * ({@code CUDA <message>}), then the CPU check of {@link ColdStartMain} ({@code OK <diff>}), or
 * {@code FAILED <exception>} when loading fails.
 */
public final class GpuFolderMain {
    private GpuFolderMain() {
    }

    public static void main(String[] args) {
        try {
            NativeLibraries.ensureLoaded();
        } catch (ClipException e) {
            System.out.println("FAILED " + e.getClass().getName() + ": " + e.getMessage());
            return;
        }
        System.out.println("GPU_NATIVES " + NativeLibraries.cudaNatives());
        try {
            TorchClip.create(RandomStateDicts.create(TorchClipTest.SMALL_VIT, 1), TorchClipTest.SMALL_VIT, 0,
                    Device.cuda(0), Precision.FLOAT16).close();
            System.out.println("CUDA built");
        } catch (ClipException e) {
            System.out.println("CUDA " + e.getMessage());
        }
        ColdStartMain.main(args);
    }
}
