// Minimal fiber context switch for the emulator: on x86-64 ELF (Linux) a few instructions (callee-saved registers and
// the floating-point control words); elsewhere ucontext, which is correct but makes a system call per switch.
#ifndef CLIP4J_EMULATOR_CONTEXT_H
#define CLIP4J_EMULATOR_CONTEXT_H

#include <cstddef>

#if !(defined(__x86_64__) && defined(__ELF__))
#  include <ucontext.h>
#endif

namespace clip4j_emu {

struct Context {
#if defined(__x86_64__) && defined(__ELF__)
    void* sp = nullptr;
#else
    ucontext_t uc;
#endif
};

/** Prepares ctx to start entry() on [stack, stack + size) at the next switch to it; entry must not return. */
void make_context(Context& ctx, char* stack, size_t size, void (*entry)());

/** Saves the running context in from and continues in to. */
void switch_context(Context& from, Context& to);

}  // namespace clip4j_emu

#endif
