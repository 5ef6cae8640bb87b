// Internal interface between the emulator's runtime (runtime.cpp) and its kernel execution (fibers.cpp).
#ifndef CLIP4J_EMULATOR_RUNTIME_STATE_H
#define CLIP4J_EMULATOR_RUNTIME_STATE_H

#include "cuda_runtime.h"

namespace clip4j_emu {

/** Checks a launch's configuration, stream and device, counts it; records and returns the error. */
cudaError_t check_launch(const dim3& grid, const dim3& block, cudaStream_t stream);

}  // namespace clip4j_emu

#endif
