#include "status.h"

namespace clip4j {
namespace {
// One message per thread so concurrent callers never see each other's errors.
thread_local std::string last_error;
}  // namespace

void clear_error() { last_error.clear(); }

clip4j_status fail(clip4j_status status, const std::string& message) {
    last_error = message;
    return status;
}

}  // namespace clip4j

extern "C" const char* clip4j_last_error(void) { return clip4j::last_error.c_str(); }
