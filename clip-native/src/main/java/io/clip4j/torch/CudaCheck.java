package io.clip4j.torch;

import io.clip4j.ClipException;
import io.clip4j.Device;
import org.bytedeco.pytorch.global.torch;

/**
 * Checks that a requested CUDA device exists before any weight is moved, so that a wrong setup fails with one
 * clear message instead of a LibTorch error in the middle of a build.
 */
final class CudaCheck {
    private CudaCheck() {
    }

    /**
     * @param device the requested device; the CPU always passes
     * @throws ClipException if {@code device} is a GPU that LibTorch cannot use (CPU-only natives, no GPU or
     *                       driver, or an index beyond the GPU count)
     */
    static void require(Device device) {
        if (!device.isCuda()) {
            return;
        }
        boolean available = torch.cuda_is_available();
        int count = available ? Byte.toUnsignedInt(torch.cuda_device_count()) : 0;
        String problem = problem(device, NativeLibraries.cudaNatives(), available, count);
        if (problem != null) {
            throw new ClipException(problem);
        }
    }

    /**
     * The decision of {@link #require}, apart so that every branch can be tested without a GPU.
     *
     * @param device      the requested CUDA device
     * @param cudaNatives whether the loaded LibTorch is the {@code -gpu} build
     * @param available   {@code torch.cuda.is_available()}
     * @param count       {@code torch.cuda.device_count()}
     * @return the message of the exception to throw, or null when the device can be used
     */
    static String problem(Device device, boolean cudaNatives, boolean available, int count) {
        String requested = "CUDA requested (device " + device + ")";
        if (!cudaNatives) {
            // -P applies to the projects Maven builds only: a project that depends on clip-native needs the property.
            return requested + " but LibTorch sees no GPU: this build has CPU natives; build with -Pcuda"
                    + " (-Dclip4j.cuda in a project that depends on clip-native: org.bytedeco:pytorch with classifier "
                    + org.bytedeco.javacpp.Loader.getPlatform() + "-gpu and the org.bytedeco:cuda redist jar)"
                    + " or use device cpu";
        }
        if (!available || count == 0) {
            return requested + " but LibTorch sees no GPU: the CUDA natives are loaded, but no usable NVIDIA GPU"
                    + " or driver was found (check nvidia-smi and CUDA_VISIBLE_DEVICES)";
        }
        if (device.index() >= count) {
            return requested + " but device index " + device.index() + " out of range (" + count
                    + (count == 1 ? " GPU)" : " GPUs)");
        }
        return null;
    }
}
