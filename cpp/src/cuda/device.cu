// Availability checks and error mapping for the CUDA implementation.
#include <cuda.h>

#include <string>

#include "cuda_support.cuh"
#include "status.h"

namespace clip4j {
namespace {

// Minimum compute capability: the library holds SASS for sm_80/sm_90 and PTX for compute_90.
constexpr int kMinMajor = 8;

// Empty string when a driver and at least one device are present, else why not.
std::string driver_problem(int* count) {
    *count = 0;
    cudaError_t err = cudaGetDeviceCount(count);
    if (err != cudaSuccess) {
        cudaGetLastError();
        if (err == cudaErrorInsufficientDriver) {  // also what a machine without any NVIDIA driver reports
            return "no usable CUDA driver: none is installed, or it is older than this library's CUDA " +
                   std::to_string(CUDART_VERSION / 1000) + "." + std::to_string(CUDART_VERSION % 1000 / 10) +
                   " runtime needs";
        }
        return std::string("no usable CUDA driver/device: ") + cudaGetErrorString(err);
    }
    return *count == 0 ? "no CUDA device present" : "";
}

// Empty string when GPU `dev` (-1: the current one) can run the kernels, else why not. Never leaves a CUDA
// error pending.
std::string device_problem(int dev = -1) {
    int count = 0;
    std::string problem = driver_problem(&count);
    if (!problem.empty()) return problem;
    if (dev < 0 && cudaGetDevice(&dev) != cudaSuccess) {
        cudaGetLastError();
        return "could not query the current CUDA device";
    }
    if (dev >= count) {
        return "CUDA device " + std::to_string(dev) + " does not exist (" + std::to_string(count) + " present)";
    }
    int major = 0, minor = 0;
    if (cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, dev) != cudaSuccess ||
        cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, dev) != cudaSuccess) {
        cudaGetLastError();
        return "could not query CUDA device " + std::to_string(dev);
    }
    if (major < kMinMajor) {
        return "CUDA device " + std::to_string(dev) + " has compute capability " + std::to_string(major) + "." +
               std::to_string(minor) + ", clip4j_kernels needs >= 8.0";
    }
    // Scratch memory comes from the stream-ordered allocator, which some virtualised GPUs lack.
    int pools = 0;
    if (cudaDeviceGetAttribute(&pools, cudaDevAttrMemoryPoolsSupported, dev) != cudaSuccess) {
        cudaGetLastError();
        return "could not query CUDA device " + std::to_string(dev);
    }
    if (pools == 0) {
        return "CUDA device " + std::to_string(dev) +
               " does not support memory pools (cudaMallocAsync), which clip4j_kernels needs";
    }
    return "";
}

// Whether GPU `dev` already has an active primary context. Making a GPU current creates its context (hundreds
// of MB), so DeviceScope only switches back to one that has it, like LibTorch's device guard. The driver
// function comes through the runtime's entry-point query, so the library still needs no libcuda at link time.
bool primary_context_active(int dev) {
    using GetState = CUresult (*)(CUdevice, unsigned int*, int*);
    static const GetState get_state = [] {
        void* fn = nullptr;
        cudaDriverEntryPointQueryResult found{};
#if CUDART_VERSION >= 12050
        const cudaError_t err =
            cudaGetDriverEntryPointByVersion("cuDevicePrimaryCtxGetState", &fn, 12000, cudaEnableDefault, &found);
#else  // older toolkits (12.0-12.4) only have the unversioned query
        const cudaError_t err = cudaGetDriverEntryPoint("cuDevicePrimaryCtxGetState", &fn, cudaEnableDefault, &found);
#endif
        if (err != cudaSuccess || found != cudaDriverEntryPointSuccess) {
            cudaGetLastError();
            return static_cast<GetState>(nullptr);
        }
        return reinterpret_cast<GetState>(fn);
    }();
    unsigned int flags = 0;
    int active = 0;
    return get_state != nullptr && get_state(dev, &flags, &active) == CUDA_SUCCESS && active != 0;
}

}  // namespace

clip4j_status require_driver(const char* fn) {
    int count = 0;
    const std::string problem = driver_problem(&count);
    if (problem.empty()) return CLIP4J_OK;
    return fail(CLIP4J_ERR_NO_DEVICE, std::string(fn) + ": " + problem);
}

clip4j_status require_device(const char* fn) {
    const std::string problem = device_problem();
    if (problem.empty()) return CLIP4J_OK;
    return fail(CLIP4J_ERR_NO_DEVICE, std::string(fn) + ": " + problem);
}

clip4j_status DeviceScope::enter(const char* fn, const void* const* pointers, const char* const* names, int count) {
    int device = -1;
    for (int i = 0; i < count; ++i) {
        cudaPointerAttributes attr{};
        const cudaError_t err = cudaPointerGetAttributes(&attr, pointers[i]);
        if (err != cudaSuccess) {
            cudaGetLastError();
            return fail(CLIP4J_ERR_INVALID_ARGUMENT, std::string(fn) + ": " + names[i] +
                                                         " is not CUDA memory: " + cudaGetErrorString(err));
        }
        if (attr.type != cudaMemoryTypeDevice && attr.type != cudaMemoryTypeManaged) {
            return fail(CLIP4J_ERR_INVALID_ARGUMENT,
                        std::string(fn) + ": " + names[i] + " must point to CUDA device memory, got " +
                            (attr.type == cudaMemoryTypeHost ? "pinned host memory" : "host memory"));
        }
        if (device >= 0 && attr.device != device) {
            return fail(CLIP4J_ERR_INVALID_ARGUMENT, std::string(fn) + ": " + names[i] + " is on GPU " +
                                                         std::to_string(attr.device) + ", " + names[0] +
                                                         " on GPU " + std::to_string(device));
        }
        device = attr.device;
    }
    device_ = device;
    int current = 0;
    CLIP4J_CUDA_TRY(fn, cudaGetDevice(&current));
    if (current != device) {
        const bool restore = primary_context_active(current);
        CLIP4J_CUDA_TRY(fn, cudaSetDevice(device));
        previous_ = restore ? current : -1;
    }
    return CLIP4J_OK;
}

clip4j_status DeviceScope::check_stream(const char* fn, void* s) const {
#if CUDART_VERSION >= 12080
    if (s == nullptr) return CLIP4J_OK;  // the legacy default stream of whichever GPU is current
    int stream_device = -1;
    const cudaError_t err = cudaStreamGetDevice(static_cast<cudaStream_t>(s), &stream_device);
    if (err == cudaErrorCallRequiresNewerDriver) {
        // A 12.8+ runtime on an older 12.x driver (minor version compatibility) cannot ask: the stream is taken
        // as with older toolkits, and one of another GPU fails at the first copy or launch instead.
        cudaGetLastError();
        return CLIP4J_OK;
    }
    if (err != cudaSuccess) {
        cudaGetLastError();
        return fail(CLIP4J_ERR_INVALID_ARGUMENT,
                    std::string(fn) + ": stream is not a valid CUDA stream: " + cudaGetErrorString(err));
    }
    if (stream_device != device_) {
        return fail(CLIP4J_ERR_INVALID_ARGUMENT, std::string(fn) + ": stream belongs to GPU " +
                                                     std::to_string(stream_device) + ", the data is on GPU " +
                                                     std::to_string(device_));
    }
#else
    (void)fn;
    (void)s;
#endif
    return CLIP4J_OK;
}

clip4j_status cuda_fail(const char* fn, const char* what, cudaError_t err) {
    const clip4j_status st = err == cudaErrorMemoryAllocation ? CLIP4J_ERR_OUT_OF_MEMORY : CLIP4J_ERR_CUDA;
    cudaGetLastError();  // clear a non-sticky error so the next call starts clean
    return fail(st, std::string(fn) + ": " + what + ": " + cudaGetErrorString(err));
}

}  // namespace clip4j

extern "C" int clip4j_built_with_cuda(void) { return 1; }

extern "C" int clip4j_cuda_device_available(int32_t device) {
    clip4j::clear_error();
    if (device < 0) {
        clip4j::fail(CLIP4J_ERR_INVALID_ARGUMENT, "clip4j_cuda_device_available: device must be >= 0, got " +
                                                       std::to_string(device));
        return 0;
    }
    const std::string problem = clip4j::device_problem(device);
    if (problem.empty()) return 1;
    clip4j::fail(CLIP4J_ERR_NO_DEVICE, "clip4j_cuda_device_available: " + problem);
    return 0;
}

extern "C" int clip4j_cuda_available(void) {
    clip4j::clear_error();
    const std::string problem = clip4j::device_problem();
    if (problem.empty()) return 1;
    clip4j::fail(CLIP4J_ERR_NO_DEVICE, "clip4j_cuda_available: " + problem);
    return 0;
}
