// Tiny test harness: CHECK records a failure and continues; main returns the failure count.
#ifndef CLIP4J_TEST_CHECK_H
#define CLIP4J_TEST_CHECK_H

#include <cstdio>
#include <string>

namespace check {
inline int failures = 0;
inline int passed = 0;

inline void record(bool ok, const char* expr, const char* file, int line, const std::string& context) {
    if (ok) {
        ++passed;
        return;
    }
    ++failures;
    std::fprintf(stderr, "FAILED %s:%d: %s %s\n", file, line, expr, context.c_str());
}

inline int finish(const char* name) {
    std::printf("%s: %d checks passed, %d failed\n", name, passed, failures);
    return failures == 0 ? 0 : 1;
}
}  // namespace check

#define CHECK(expr) ::check::record((expr), #expr, __FILE__, __LINE__, "")
#define CHECK_MSG(expr, msg) ::check::record((expr), #expr, __FILE__, __LINE__, (msg))

/** Exit code that CTest's SKIP_RETURN_CODE maps to "skipped" (used when no GPU is present). */
constexpr int kSkipReturnCode = 77;

#endif
