// Small helpers for the CUDA entry points: device checks, error mapping, stream-ordered buffers.
#ifndef CLIP4J_CUDA_SUPPORT_CUH
#define CLIP4J_CUDA_SUPPORT_CUH

#include <cuda_runtime.h>

#include <stddef.h>

#include "clip4j/kernels.h"

namespace clip4j {

/** The stream of the current call: per-thread by default (concurrent callers do not serialise). */
inline cudaStream_t& current_stream() {
    thread_local cudaStream_t s = cudaStreamPerThread;
    return s;
}
inline cudaStream_t stream() { return current_stream(); }

/** Runs the calls of one entry point on the caller's stream (null = legacy default stream), then restores. */
class StreamScope {
public:
    explicit StreamScope(void* s) : saved_(current_stream()) {
        current_stream() = s ? static_cast<cudaStream_t>(s) : cudaStreamLegacy;
    }
    ~StreamScope() { current_stream() = saved_; }
    StreamScope(const StreamScope&) = delete;
    StreamScope& operator=(const StreamScope&) = delete;

private:
    cudaStream_t saved_;
};

/**
 * Makes the GPU holding the given caller's device pointers current for one entry point and restores
 * the previous device afterwards. enter() checks that every pointer is device/managed memory on one GPU.
 */
class DeviceScope {
public:
    DeviceScope() = default;
    ~DeviceScope() {
        if (previous_ >= 0) cudaSetDevice(previous_);
    }
    DeviceScope(const DeviceScope&) = delete;
    DeviceScope& operator=(const DeviceScope&) = delete;
    /** names[i] describes pointers[i] in error messages. INVALID_ARGUMENT for host or mixed-GPU pointers. */
    clip4j_status enter(const char* fn, const void* const* pointers, const char* const* names, int count);
    /**
     * After enter(): INVALID_ARGUMENT if the caller's stream (null: legacy default, always fine) belongs to
     * another GPU than the pointers, or is not a stream. Needs CUDA 12.8+ (runtime and driver) to ask; without
     * it the check is skipped.
     */
    clip4j_status check_stream(const char* fn, void* stream) const;

private:
    int previous_ = -1;
    int device_ = -1;
};

/** NO_DEVICE (with the reason) unless a driver is present and the current device is sm_80+. */
clip4j_status require_device(const char* fn);

/** NO_DEVICE (with the reason) unless a driver and at least one device are present (any capability). */
clip4j_status require_driver(const char* fn);

/**
 * Returns st after a failed call has waited for what it already queued on stream() (best effort, keeping the
 * recorded message), so no kernel writes a caller's buffer after the call returned; st unchanged if OK.
 */
inline clip4j_status drain(clip4j_status st) {
    if (st != CLIP4J_OK) {
        cudaStreamSynchronize(stream());
        cudaGetLastError();
    }
    return st;
}

/** Maps a CUDA error to CUDA/OUT_OF_MEMORY and records "fn: what: cuda message". */
clip4j_status cuda_fail(const char* fn, const char* what, cudaError_t err);

/** Device memory from the stream-ordered allocator, released (stream-ordered) when it goes out of scope. */
class DeviceBuffer {
public:
    DeviceBuffer() = default;
    DeviceBuffer(const DeviceBuffer&) = delete;
    DeviceBuffer& operator=(const DeviceBuffer&) = delete;
    ~DeviceBuffer() {
        if (ptr_) cudaFreeAsync(ptr_, stream());
    }
    /** Allocates bytes (at least 1); returns the CUDA error. */
    cudaError_t allocate(size_t bytes) { return cudaMallocAsync(&ptr_, bytes ? bytes : 1, stream()); }
    template <class T>
    T* as() const { return static_cast<T*>(ptr_); }

private:
    void* ptr_ = nullptr;
};

}  // namespace clip4j

/**
 * Kernel launch on a stream, without dynamic shared memory: CLIP4J_LAUNCH(kernel, grid, block, stream)(args).
 * A macro so that the CPU emulator of the tests (cpp/emulator) runs the same kernels.
 */
#if defined(CLIP4J_CUDA_EMULATOR)
#  define CLIP4J_LAUNCH(kernel, grid, block, stream) ::clip4j_emu::launch(kernel, grid, block, stream)
#else
#  define CLIP4J_LAUNCH(kernel, grid, block, stream) kernel<<<grid, block, 0, stream>>>
#endif

/** Returns from the enclosing entry point when a CUDA call fails. */
#define CLIP4J_CUDA_TRY(fn, call)                                   \
    do {                                                            \
        cudaError_t clip4j_err_ = (call);                           \
        if (clip4j_err_ != cudaSuccess) return ::clip4j::cuda_fail(fn, #call, clip4j_err_); \
    } while (0)

#endif
