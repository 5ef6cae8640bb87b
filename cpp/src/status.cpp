#include "status.h"

#include <algorithm>
#include <cstring>

namespace clip4j {
namespace {
// One message per thread so concurrent callers never see each other's errors. A fixed buffer, not a
// std::string: the pointer clip4j_last_error() returned stays readable whatever the next call writes.
constexpr size_t kMessageBytes = 1024;
thread_local char last_error[kMessageBytes];
}  // namespace

void clear_error() { last_error[0] = '\0'; }

clip4j_status fail(clip4j_status status, const std::string& message) {
    const size_t n = std::min(message.size(), kMessageBytes - 1);  // longer messages are cut, never overrun
    std::memcpy(last_error, message.data(), n);
    last_error[n] = '\0';
    return status;
}

}  // namespace clip4j

extern "C" const char* clip4j_last_error(void) { return clip4j::last_error; }

extern "C" const char* clip4j_status_name(clip4j_status status) {
    switch (status) {
        case CLIP4J_OK: return "CLIP4J_OK";
        case CLIP4J_ERR_INVALID_ARGUMENT: return "CLIP4J_ERR_INVALID_ARGUMENT";
        case CLIP4J_ERR_NO_CUDA: return "CLIP4J_ERR_NO_CUDA";
        case CLIP4J_ERR_NO_DEVICE: return "CLIP4J_ERR_NO_DEVICE";
        case CLIP4J_ERR_CUDA: return "CLIP4J_ERR_CUDA";
        case CLIP4J_ERR_OUT_OF_MEMORY: return "CLIP4J_ERR_OUT_OF_MEMORY";
        case CLIP4J_STATUS_MIN_ENUM:
        case CLIP4J_STATUS_MAX_ENUM: break;
    }
    return "unknown clip4j_status";
}
