// Thread-local error reporting shared by the CPU and CUDA implementations.
#ifndef CLIP4J_STATUS_H
#define CLIP4J_STATUS_H

#include <string>

#include "clip4j/kernels.h"

namespace clip4j {

/** Clears the calling thread's message; every public entry point calls it first. */
void clear_error();

/** Records message as the calling thread's last error and returns status (for `return fail(...)`). */
clip4j_status fail(clip4j_status status, const std::string& message);

}  // namespace clip4j

#endif
