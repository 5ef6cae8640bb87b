package io.clip4j.torch;

import io.clip4j.ClipConfig;
import io.clip4j.ClipException;
import io.clip4j.ClipModel;
import io.clip4j.Device;
import io.clip4j.Precision;
import io.clip4j.checkpoint.StateDict;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Device and precision options: what this (CPU) build says when a GPU is requested, the decision for every
 * GPU situation (checked without a GPU through {@link CudaCheck#problem}), and the CPU-runs-float32 rule of the
 * public API.
 */
class DeviceTest {
    private static final Path TINY_VIT = Path.of(System.getProperty("clip4j.testdata")).resolve("models/tiny-vit");
    private static final String BUILD_HINT = "LibTorch sees no GPU: this build has CPU natives; build with -Pcuda";

    @Test
    void cudaOnCpuNativesIsRefusedWithTheBuildHint() {
        NativeLibraries.ensureLoaded();
        assumeFalse(NativeLibraries.cudaNatives(), "this run has the -gpu natives (mvn -Pcuda)");
        ClipException engine = assertThrows(ClipException.class, () -> TorchClip.create(
                RandomStateDicts.create(TorchClipTest.SMALL_VIT, 1), TorchClipTest.SMALL_VIT, 0, Device.cuda(0),
                Precision.FLOAT16));
        assertTrue(engine.getMessage().startsWith("CUDA requested (device cuda:0) but " + BUILD_HINT),
                engine.getMessage());
        ClipException api = assertThrows(ClipException.class,
                () -> ClipModel.builder(TINY_VIT).device(Device.parse("cuda:1")).build());
        assertTrue(api.getMessage().startsWith("CUDA requested (device cuda:1) but " + BUILD_HINT), api.getMessage());
    }

    @Test
    void everyGpuSituationHasItsMessage() {
        String cpuNatives = CudaCheck.problem(Device.cuda(0), false, false, 0);
        assertTrue(cpuNatives.contains(BUILD_HINT), cpuNatives);
        // -Pcuda does nothing for a project outside this reactor that depends on clip-native.
        assertTrue(cpuNatives.contains("-Dclip4j.cuda in a project that depends on clip-native"), cpuNatives);
        String noGpu = CudaCheck.problem(Device.cuda(0), true, false, 0);
        assertEquals("CUDA requested (device cuda:0) but LibTorch sees no GPU: the CUDA natives are loaded, but no"
                + " usable NVIDIA GPU or driver was found (check nvidia-smi and CUDA_VISIBLE_DEVICES)", noGpu);
        assertEquals("CUDA requested (device cuda:2) but device index 2 out of range (2 GPUs)",
                CudaCheck.problem(Device.cuda(2), true, true, 2));
        assertEquals("CUDA requested (device cuda:1) but device index 1 out of range (1 GPU)",
                CudaCheck.problem(Device.cuda(1), true, true, 1));
        assertNull(CudaCheck.problem(Device.cuda(1), true, true, 2));
        assertNull(CudaCheck.problem(Device.cuda(0), true, true, 1));
    }

    @Test
    void theCpuRunsFloat32OnlyInThePublicApi() {
        StateDict sd = RandomStateDicts.create(TorchClipTest.SMALL_VIT, 1);
        ClipConfig c = TorchClipTest.SMALL_VIT;
        for (Precision p : new Precision[]{Precision.FLOAT16, Precision.BFLOAT16}) {
            ClipException e = assertThrows(ClipException.class, () -> TorchClip.create(sd, c, 0, Device.CPU, p));
            assertEquals("precision " + p + " needs a CUDA device; the CPU runs FLOAT32", e.getMessage());
            assertThrows(ClipException.class, () -> ClipModel.builder(TINY_VIT).precision(p).build());
        }
        try (TorchClip clip = TorchClip.create(sd, c, 0, Device.CPU, Precision.FLOAT32)) {
            assertEquals(Device.CPU, clip.device());
            assertEquals(Precision.FLOAT32, clip.precision());
        }
    }
}
