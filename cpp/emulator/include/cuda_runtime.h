// clip4j's CUDA emulator: the subset of the CUDA runtime API and kernel language that cpp/src/cuda uses,
// run on the CPU so CI (which has no GPU) executes the real CUDA sources. Test-only: never shipped.
// Kernels run block by block; each CUDA thread is a fiber, so __syncthreads and warp shuffles behave as
// barriers. Device memory is host memory registered as "device", so pointer checks and copy bounds hold.
// Streams are synchronous: the emulator cannot find ordering races between streams.
#ifndef CLIP4J_EMULATOR_CUDA_RUNTIME_H
#define CLIP4J_EMULATOR_CUDA_RUNTIME_H

#include <cmath>
#include <cstddef>
#include <cstring>
#include <functional>
#include <tuple>
#include <utility>

#define CLIP4J_CUDA_EMULATOR 1
#define CUDART_VERSION 13000

// Kernel language: no address spaces; __shared__ is per OS thread, and one OS thread runs one block at a time.
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static thread_local

struct uint3 {
    unsigned int x, y, z;
};
struct dim3 {
    unsigned int x, y, z;
    constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1) : x(vx), y(vy), z(vz) {}
};
namespace clip4j_emu {
const uint3& thread_idx();
const uint3& block_idx();
const dim3& block_dim();
const dim3& grid_dim();
}  // namespace clip4j_emu
// Functions rather than thread_local variables: their value changes at every fiber switch.
#define threadIdx (::clip4j_emu::thread_idx())
#define blockIdx (::clip4j_emu::block_idx())
#define blockDim (::clip4j_emu::block_dim())
#define gridDim (::clip4j_emu::grid_dim())

enum cudaError_t {
    cudaSuccess = 0,
    cudaErrorInvalidValue = 1,
    cudaErrorMemoryAllocation = 2,
    cudaErrorInvalidConfiguration = 9,
    cudaErrorInsufficientDriver = 35,
    cudaErrorCallRequiresNewerDriver = 36,
    cudaErrorInvalidDevice = 101,
    cudaErrorNoDevice = 100,
    cudaErrorInvalidResourceHandle = 400,
    cudaErrorNotSupported = 801,
};
enum cudaMemcpyKind {
    cudaMemcpyHostToHost = 0,
    cudaMemcpyHostToDevice = 1,
    cudaMemcpyDeviceToHost = 2,
    cudaMemcpyDeviceToDevice = 3,
    cudaMemcpyDefault = 4,
};
enum cudaMemoryType {
    cudaMemoryTypeUnregistered = 0,
    cudaMemoryTypeHost = 1,
    cudaMemoryTypeDevice = 2,
    cudaMemoryTypeManaged = 3,
};
struct cudaPointerAttributes {
    cudaMemoryType type;
    int device;
    void* devicePointer;
    void* hostPointer;
};
enum cudaDeviceAttr {
    cudaDevAttrComputeCapabilityMajor = 75,
    cudaDevAttrComputeCapabilityMinor = 76,
    cudaDevAttrMemoryPoolsSupported = 115,
};
enum cudaDriverEntryPointQueryResult {
    cudaDriverEntryPointSuccess = 0,
    cudaDriverEntryPointSymbolNotFound = 1,
    cudaDriverEntryPointVersionNotSufficent = 2,
};
constexpr unsigned long long cudaEnableDefault = 0;
constexpr unsigned int cudaStreamDefault = 0;
constexpr unsigned int cudaStreamNonBlocking = 1;

struct CUstream_st;
typedef CUstream_st* cudaStream_t;
#define cudaStreamLegacy ((cudaStream_t)0x1)
#define cudaStreamPerThread ((cudaStream_t)0x2)

cudaError_t cudaGetDeviceCount(int* count);
cudaError_t cudaGetDevice(int* device);
cudaError_t cudaSetDevice(int device);
cudaError_t cudaDeviceGetAttribute(int* value, cudaDeviceAttr attr, int device);
cudaError_t cudaGetLastError(void);
const char* cudaGetErrorString(cudaError_t error);
cudaError_t cudaMalloc(void** ptr, size_t bytes);
cudaError_t cudaFree(void* ptr);
cudaError_t cudaMallocHost(void** ptr, size_t bytes);
cudaError_t cudaFreeHost(void* ptr);
cudaError_t cudaMallocAsync(void** ptr, size_t bytes, cudaStream_t stream);
cudaError_t cudaFreeAsync(void* ptr, cudaStream_t stream);
cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind);
cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind, cudaStream_t stream);
cudaError_t cudaMemset(void* ptr, int value, size_t bytes);
cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total_bytes);
cudaError_t cudaPointerGetAttributes(cudaPointerAttributes* attributes, const void* ptr);
cudaError_t cudaStreamCreate(cudaStream_t* stream);
cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned int flags);
cudaError_t cudaStreamDestroy(cudaStream_t stream);
cudaError_t cudaStreamSynchronize(cudaStream_t stream);
cudaError_t cudaStreamGetDevice(cudaStream_t stream, int* device);
cudaError_t cudaDeviceSynchronize(void);
cudaError_t cudaGetDriverEntryPoint(const char* symbol, void** fn, unsigned long long flags,
        cudaDriverEntryPointQueryResult* status);
cudaError_t cudaGetDriverEntryPointByVersion(const char* symbol, void** fn, unsigned int version,
        unsigned long long flags, cudaDriverEntryPointQueryResult* status);

void __syncthreads();

namespace clip4j_emu {

/** Runs body once per thread of every block of the launch; sets cudaGetLastError on a bad configuration. */
void run_grid(dim3 grid, dim3 block, cudaStream_t stream, const std::function<void()>& body);

/** Warp shuffle of size bytes: out = in of lane (own lane ^ lane_mask); a barrier for the whole warp. */
void shuffle_xor(unsigned int mask, const void* in, void* out, size_t size, int lane_mask);

/** The launch behind CLIP4J_LAUNCH: copies the arguments once, as a real launch does, then runs the grid. */
template <class... P>
struct Launch {
    void (*kernel)(P...);
    dim3 grid, block;
    cudaStream_t stream;
    template <class... A>
    void operator()(A&&... args) const {
        const std::tuple<P...> copied(std::forward<A>(args)...);
        run_grid(grid, block, stream, [&] { std::apply(kernel, copied); });
    }
};

template <class... P>
Launch<P...> launch(void (*kernel)(P...), dim3 grid, dim3 block, cudaStream_t stream) {
    return Launch<P...>{kernel, grid, block, stream};
}

}  // namespace clip4j_emu

template <class T>
T __shfl_xor_sync(unsigned int mask, T value, int lane_mask) {
    T out;
    clip4j_emu::shuffle_xor(mask, &value, &out, sizeof(T), lane_mask);
    return out;
}

#endif
