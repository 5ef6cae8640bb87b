// Test hooks of clip4j's CUDA emulator (see cuda_runtime.h): device count, compute capability, a device
// memory limit to provoke out-of-memory paths, and the bytes in use to find leaks.
#ifndef CLIP4J_EMULATOR_HOOKS_H
#define CLIP4J_EMULATOR_HOOKS_H

#include <cstddef>

namespace clip4j_emu {

/**
 * Emulates count GPUs (0: none; -1: no driver at all) of compute capability major.minor, with or
 * without memory pools (cudaMallocAsync); the default is 2 GPUs of 9.0 with pools.
 */
void configure_devices(int count, int major, int minor, bool memory_pools = true);

/**
 * Whether the driver has cudaStreamGetDevice (CUDA 12.8+); false emulates a 12.8+ runtime on an older 12.x
 * driver (minor version compatibility), where the call fails with cudaErrorCallRequiresNewerDriver.
 */
void set_driver_has_stream_get_device(bool has);

/** Device allocations beyond limit bytes in total fail with cudaErrorMemoryAllocation; SIZE_MAX: no limit. */
void set_memory_limit(size_t limit);

/** Bytes of emulated device memory allocated and not yet freed, over all GPUs. */
size_t device_bytes_in_use();

/** Kernel launches since the start, for checks that a path really ran on the (emulated) GPU. */
long long kernel_launches();

}  // namespace clip4j_emu

#endif
