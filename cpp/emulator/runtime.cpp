// Runtime API of clip4j's CUDA emulator (see include/cuda_runtime.h): devices, memory, streams, errors.
// Stricter than CUDA where that finds bugs: copies must stay inside one allocation and match their kind,
// and new device memory is filled with 0xFF bytes (float NaN) so reading it before writing shows.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>

#include "clip4j_emulator.h"
#include "cuda.h"
#include "runtime_state.h"

namespace {

struct Allocation {
    size_t bytes;
    int device;  // -1: pinned host memory
};

struct State {
    std::mutex mutex;
    int devices = 2;
    int major = 9, minor = 0;
    bool pools = true;
    bool stream_get_device = true;
    size_t limit = SIZE_MAX;
    size_t in_use = 0;
    std::map<uintptr_t, Allocation> allocations;  // by start address
    std::map<cudaStream_t, int> streams;  // created streams and their GPU
    std::set<int> contexts;  // GPUs whose primary context exists
    std::atomic<long long> launches{0};
};

State& state() {
    static State s;
    return s;
}

thread_local int tl_device = 0;
thread_local cudaError_t tl_last = cudaSuccess;

cudaError_t record(cudaError_t err) {
    if (err != cudaSuccess) tl_last = err;
    return err;
}

// The current device, creating its context like the first runtime call on it does; error if none.
cudaError_t use_device() {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.devices <= 0) return record(cudaErrorNoDevice);
    if (tl_device >= s.devices) return record(cudaErrorInvalidDevice);
    s.contexts.insert(tl_device);
    return cudaSuccess;
}

// A stream usable now: a special handle, or a created stream of the current GPU (as CUDA requires).
bool known_stream(cudaStream_t stream) {
    if (stream == nullptr || stream == cudaStreamLegacy || stream == cudaStreamPerThread) return true;
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    auto it = s.streams.find(stream);
    return it != s.streams.end() && it->second == tl_device;
}

// The allocation holding [p, p + bytes), or null; device >= 0 asks for device memory.
const Allocation* find(const void* p, size_t bytes, bool device) {
    State& s = state();
    const uintptr_t at = reinterpret_cast<uintptr_t>(p);
    auto it = s.allocations.upper_bound(at);
    if (it == s.allocations.begin()) return nullptr;
    --it;
    const Allocation& a = it->second;
    if (at - it->first > a.bytes || bytes > a.bytes - (at - it->first)) return nullptr;
    if (device != (a.device >= 0)) return nullptr;
    return &a;
}

bool is_device(const void* p) {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    return find(p, 1, true) != nullptr;
}

bool device_range(const void* p, size_t bytes) {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    return find(p, bytes, true) != nullptr;
}

cudaError_t allocate(void** ptr, size_t bytes, int device) {
    if (ptr == nullptr) return record(cudaErrorInvalidValue);
    *ptr = nullptr;
    if (bytes == 0) return cudaSuccess;
    State& s = state();
    {
        std::lock_guard<std::mutex> lock(s.mutex);
        if (device >= 0 && bytes > s.limit - std::min(s.limit, s.in_use)) {
            return record(cudaErrorMemoryAllocation);
        }
    }
    void* p = std::malloc(bytes);
    if (p == nullptr) return record(cudaErrorMemoryAllocation);
    std::memset(p, 0xFF, bytes);
    std::lock_guard<std::mutex> lock(s.mutex);
    s.allocations[reinterpret_cast<uintptr_t>(p)] = Allocation{bytes, device};
    if (device >= 0) s.in_use += bytes;
    *ptr = p;
    return cudaSuccess;
}

cudaError_t release(void* ptr, bool device) {
    if (ptr == nullptr) return cudaSuccess;
    State& s = state();
    {
        std::lock_guard<std::mutex> lock(s.mutex);
        auto it = s.allocations.find(reinterpret_cast<uintptr_t>(ptr));
        if (it == s.allocations.end() || (it->second.device >= 0) != device) return record(cudaErrorInvalidValue);
        if (device) s.in_use -= it->second.bytes;
        s.allocations.erase(it);
    }
    std::free(ptr);
    return cudaSuccess;
}

CUresult primary_ctx_get_state(CUdevice dev, unsigned int* flags, int* active) {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    if (dev < 0 || dev >= s.devices) return CUDA_ERROR_INVALID_DEVICE;
    *flags = 0;
    *active = s.contexts.count(dev) != 0;
    return CUDA_SUCCESS;
}

}  // namespace

namespace clip4j_emu {

void configure_devices(int count, int major, int minor, bool memory_pools) {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    s.devices = count;
    s.major = major;
    s.minor = minor;
    s.pools = memory_pools;
    s.contexts.clear();
    tl_device = 0;
}

void set_driver_has_stream_get_device(bool has) {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    s.stream_get_device = has;
}

void set_memory_limit(size_t limit) {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    s.limit = limit;
}

size_t device_bytes_in_use() {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    return s.in_use;
}

long long kernel_launches() { return state().launches.load(); }

cudaError_t check_launch(const dim3& g, const dim3& b, cudaStream_t stream) {
    if (!known_stream(stream)) return record(cudaErrorInvalidResourceHandle);
    const cudaError_t dev = use_device();
    if (dev != cudaSuccess) return dev;
    const unsigned long long threads = (unsigned long long)b.x * b.y * b.z;
    const bool ok = g.x >= 1 && g.y >= 1 && g.z >= 1 && g.x <= 2147483647u && g.y <= 65535 && g.z <= 65535 &&
                    threads >= 1 && threads <= 1024 && b.x <= 1024 && b.y <= 1024 && b.z <= 64;
    if (!ok) return record(cudaErrorInvalidConfiguration);
    ++state().launches;
    return cudaSuccess;
}

}  // namespace clip4j_emu

cudaError_t cudaGetDeviceCount(int* count) {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    *count = std::max(s.devices, 0);
    if (s.devices < 0) return record(cudaErrorInsufficientDriver);  // no driver installed
    return s.devices == 0 ? record(cudaErrorNoDevice) : cudaSuccess;
}

cudaError_t cudaGetDevice(int* device) {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.devices <= 0) return record(cudaErrorNoDevice);
    *device = tl_device;
    return cudaSuccess;
}

cudaError_t cudaSetDevice(int device) {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    if (device < 0 || device >= s.devices) return record(s.devices <= 0 ? cudaErrorNoDevice : cudaErrorInvalidDevice);
    tl_device = device;
    s.contexts.insert(device);  // CUDA 12+: cudaSetDevice initialises the primary context
    return cudaSuccess;
}

cudaError_t cudaDeviceGetAttribute(int* value, cudaDeviceAttr attr, int device) {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    if (device < 0 || device >= s.devices) return record(cudaErrorInvalidDevice);
    switch (attr) {
        case cudaDevAttrComputeCapabilityMajor: *value = s.major; return cudaSuccess;
        case cudaDevAttrComputeCapabilityMinor: *value = s.minor; return cudaSuccess;
        case cudaDevAttrMemoryPoolsSupported: *value = s.pools ? 1 : 0; return cudaSuccess;
    }
    return record(cudaErrorInvalidValue);
}

cudaError_t cudaGetLastError(void) {
    const cudaError_t err = tl_last;
    tl_last = cudaSuccess;
    return err;
}

const char* cudaGetErrorString(cudaError_t error) {
    switch (error) {
        case cudaSuccess: return "no error";
        case cudaErrorInvalidValue: return "invalid argument";
        case cudaErrorMemoryAllocation: return "out of memory";
        case cudaErrorInvalidConfiguration: return "invalid configuration argument";
        case cudaErrorNoDevice: return "no CUDA-capable device is detected";
        case cudaErrorInsufficientDriver: return "CUDA driver version is insufficient for CUDA runtime version";
        case cudaErrorCallRequiresNewerDriver: return "API call is not supported in the installed CUDA driver";
        case cudaErrorInvalidDevice: return "invalid device ordinal";
        case cudaErrorInvalidResourceHandle: return "invalid resource handle";
        case cudaErrorNotSupported: return "operation not supported";
    }
    return "unrecognized error code";
}

cudaError_t cudaMalloc(void** ptr, size_t bytes) {
    const cudaError_t dev = use_device();
    return dev != cudaSuccess ? dev : allocate(ptr, bytes, tl_device);
}

cudaError_t cudaFree(void* ptr) { return release(ptr, true); }

cudaError_t cudaMallocHost(void** ptr, size_t bytes) { return allocate(ptr, bytes, -1); }

cudaError_t cudaFreeHost(void* ptr) { return release(ptr, false); }

cudaError_t cudaMallocAsync(void** ptr, size_t bytes, cudaStream_t stream) {
    if (!known_stream(stream)) return record(cudaErrorInvalidResourceHandle);
    {
        State& s = state();
        std::lock_guard<std::mutex> lock(s.mutex);
        if (!s.pools) return record(cudaErrorNotSupported);
    }
    return cudaMalloc(ptr, bytes);
}

cudaError_t cudaFreeAsync(void* ptr, cudaStream_t stream) {
    if (!known_stream(stream)) return record(cudaErrorInvalidResourceHandle);
    return cudaFree(ptr);
}

cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind) {
    return cudaMemcpyAsync(dst, src, bytes, kind, nullptr);
}

cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind, cudaStream_t stream) {
    if (!known_stream(stream)) return record(cudaErrorInvalidResourceHandle);
    if (bytes == 0) return cudaSuccess;
    if (dst == nullptr || src == nullptr) return record(cudaErrorInvalidValue);
    bool dst_device = is_device(dst), src_device = is_device(src);
    if (kind == cudaMemcpyHostToDevice || kind == cudaMemcpyDeviceToDevice) {
        if (!dst_device) return record(cudaErrorInvalidValue);
    } else if (kind != cudaMemcpyDefault && dst_device) {
        return record(cudaErrorInvalidValue);
    }
    if (kind == cudaMemcpyDeviceToHost || kind == cudaMemcpyDeviceToDevice) {
        if (!src_device) return record(cudaErrorInvalidValue);
    } else if (kind != cudaMemcpyDefault && src_device) {
        return record(cudaErrorInvalidValue);
    }
    if ((dst_device && !device_range(dst, bytes)) || (src_device && !device_range(src, bytes))) {
        return record(cudaErrorInvalidValue);  // runs past the end of a device allocation
    }
    std::memmove(dst, src, bytes);
    return cudaSuccess;
}

cudaError_t cudaMemset(void* ptr, int value, size_t bytes) {
    if (bytes == 0) return cudaSuccess;
    if (!device_range(ptr, bytes)) return record(cudaErrorInvalidValue);
    std::memset(ptr, value, bytes);
    return cudaSuccess;
}

cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total_bytes) {
    const cudaError_t dev = use_device();
    if (dev != cudaSuccess) return dev;
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    *total_bytes = std::min(s.limit, size_t(80) << 30);
    *free_bytes = *total_bytes - std::min(*total_bytes, s.in_use);
    return cudaSuccess;
}

cudaError_t cudaPointerGetAttributes(cudaPointerAttributes* attributes, const void* ptr) {
    if (attributes == nullptr) return record(cudaErrorInvalidValue);
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    *attributes = cudaPointerAttributes{cudaMemoryTypeUnregistered, -2, nullptr, const_cast<void*>(ptr)};
    const Allocation* a = find(ptr, 1, true);
    if (a == nullptr) a = find(ptr, 1, false);
    if (a != nullptr && a->device >= 0) {
        *attributes = cudaPointerAttributes{cudaMemoryTypeDevice, a->device, const_cast<void*>(ptr), nullptr};
    } else if (a != nullptr) {
        *attributes = cudaPointerAttributes{cudaMemoryTypeHost, tl_device, const_cast<void*>(ptr), const_cast<void*>(ptr)};
    }
    return cudaSuccess;
}

cudaError_t cudaStreamCreate(cudaStream_t* stream) { return cudaStreamCreateWithFlags(stream, cudaStreamDefault); }

cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned int) {
    const cudaError_t dev = use_device();
    if (dev != cudaSuccess) return dev;
    *stream = reinterpret_cast<cudaStream_t>(new char);
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    s.streams[*stream] = tl_device;
    return cudaSuccess;
}

cudaError_t cudaStreamDestroy(cudaStream_t stream) {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.streams.erase(stream) == 0) return record(cudaErrorInvalidResourceHandle);
    delete reinterpret_cast<char*>(stream);
    return cudaSuccess;
}

cudaError_t cudaStreamSynchronize(cudaStream_t stream) {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    const bool ok = stream == nullptr || stream == cudaStreamLegacy || stream == cudaStreamPerThread ||
                    s.streams.count(stream) != 0;  // any GPU's stream may be waited for
    return ok ? cudaSuccess : record(cudaErrorInvalidResourceHandle);
}

cudaError_t cudaStreamGetDevice(cudaStream_t stream, int* device) {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    if (!s.stream_get_device) return record(cudaErrorCallRequiresNewerDriver);
    if (stream == nullptr || stream == cudaStreamLegacy || stream == cudaStreamPerThread) {
        *device = tl_device;
        return cudaSuccess;
    }
    auto it = s.streams.find(stream);
    if (it == s.streams.end()) return record(cudaErrorInvalidResourceHandle);
    *device = it->second;
    return cudaSuccess;
}

cudaError_t cudaDeviceSynchronize(void) { return use_device(); }

cudaError_t cudaGetDriverEntryPoint(const char* symbol, void** fn, unsigned long long,
        cudaDriverEntryPointQueryResult* status) {
    *fn = nullptr;
    if (std::strcmp(symbol, "cuDevicePrimaryCtxGetState") == 0) {
        *fn = reinterpret_cast<void*>(&primary_ctx_get_state);
        if (status) *status = cudaDriverEntryPointSuccess;
        return cudaSuccess;
    }
    if (status) *status = cudaDriverEntryPointSymbolNotFound;
    return cudaSuccess;
}

cudaError_t cudaGetDriverEntryPointByVersion(const char* symbol, void** fn, unsigned int, unsigned long long flags,
        cudaDriverEntryPointQueryResult* status) {
    return cudaGetDriverEntryPoint(symbol, fn, flags, status);
}
