// clip4j's CUDA emulator: the driver-API types that cpp/src/cuda/device.cu names (see cuda_runtime.h).
#ifndef CLIP4J_EMULATOR_CUDA_H
#define CLIP4J_EMULATOR_CUDA_H

#include "cuda_runtime.h"

typedef int CUdevice;
enum CUresult { CUDA_SUCCESS = 0, CUDA_ERROR_INVALID_DEVICE = 101 };

#endif
