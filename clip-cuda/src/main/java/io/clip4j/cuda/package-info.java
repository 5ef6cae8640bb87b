/**
 * The Java binding (JavaCPP) of the native clip4j_kernels library ({@code cpp/include/clip4j/kernels.h}; usage from
 * C/C++ in docs/kernels.md): {@link io.clip4j.cuda.CudaKernels} runs CLIP's reference preprocessing (bit for bit
 * like clip-api's {@link io.clip4j.image.ImagePreprocessor}) and the fused zero-shot scoring (normalise,
 * {@code logit_scale * cos}, softmax, top-k) on the GPU when CUDA is usable and on the CPU otherwise
 * ({@link io.clip4j.cuda.KernelBackend}; {@link io.clip4j.cuda.CudaKernels#create()} logs the choice once), on Java
 * arrays, on host memory or on caller-owned GPU memory such as a LibTorch tensor. Failures are a
 * {@link io.clip4j.cuda.KernelException} naming the function and argument. {@code CudaKernels} is immutable and
 * thread-safe; {@link io.clip4j.cuda.JavaCppLimits} lifts JavaCPP's physical-memory cap for clip4j's natives.
 * Desktop and server JVMs with the natives built for the platform, not Android.
 */
package io.clip4j.cuda;
