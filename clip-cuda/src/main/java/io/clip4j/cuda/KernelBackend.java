package io.clip4j.cuda;

/** Where {@link CudaKernels} runs: the CPU implementation of clip4j_kernels, or its CUDA implementation. */
public enum KernelBackend {
    /** The portable C++ implementation (always available). */
    CPU,
    /** The CUDA implementation on the current device (needs a driver and an sm_80+ GPU). */
    CUDA
}
