// Small helpers for the CUDA entry points: device checks, error mapping, stream-ordered buffers.
#ifndef CLIP4J_CUDA_SUPPORT_CUH
#define CLIP4J_CUDA_SUPPORT_CUH

#include <cuda_runtime.h>

#include <stddef.h>

#include "clip4j/kernels.h"

namespace clip4j {

/** All work runs on the calling thread's default stream, so concurrent callers do not serialise. */
inline cudaStream_t stream() { return cudaStreamPerThread; }

/** NO_DEVICE (with the reason) unless a driver and an sm_80+ device are present. */
clip4j_status require_device(const char* fn);

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

/** Returns from the enclosing entry point when a CUDA call fails. */
#define CLIP4J_CUDA_TRY(fn, call)                                   \
    do {                                                            \
        cudaError_t clip4j_err_ = (call);                           \
        if (clip4j_err_ != cudaSuccess) return ::clip4j::cuda_fail(fn, #call, clip4j_err_); \
    } while (0)

#endif
