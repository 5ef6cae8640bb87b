// See context.h.
#include "context.h"

#include <cstdint>

#if defined(__x86_64__) && defined(__ELF__)
// clip4j_emu_switch(void** save_sp, void* load_sp): System V callee-saved registers, MXCSR and the x87
// control word go on the old stack, whose pointer is saved; the new stack is restored the same way.
asm(R"(
    .pushsection .text
    .p2align 4
    .globl clip4j_emu_switch
    .type clip4j_emu_switch, @function
clip4j_emu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size clip4j_emu_switch, .-clip4j_emu_switch
    .popsection
)");

extern "C" void clip4j_emu_switch(void** save_sp, void* load_sp);

namespace clip4j_emu {

void make_context(Context& ctx, char* stack, size_t size, void (*entry)()) {
    auto top = reinterpret_cast<uintptr_t>(stack + size) & ~uintptr_t(15);
    auto* slot = reinterpret_cast<uint64_t*>(top);
    slot[-1] = 0;                                      // entry's return address: it never returns
    slot[-2] = reinterpret_cast<uint64_t>(entry);      // where the first switch "returns" to
    for (int i = 3; i <= 8; ++i) slot[-i] = 0;         // rbp, rbx, r12-r15
    uint32_t mxcsr = 0x1F80;                           // defaults: all exceptions masked, round to nearest
    uint16_t fpcw = 0x037F;
    asm volatile("stmxcsr %0" : "=m"(mxcsr));
    asm volatile("fnstcw %0" : "=m"(fpcw));
    slot[-9] = (uint64_t)mxcsr | ((uint64_t)fpcw << 32);
    ctx.sp = &slot[-9];
}

void switch_context(Context& from, Context& to) { clip4j_emu_switch(&from.sp, to.sp); }

}  // namespace clip4j_emu

#else

namespace clip4j_emu {

void make_context(Context& ctx, char* stack, size_t size, void (*entry)()) {
    getcontext(&ctx.uc);
    ctx.uc.uc_stack.ss_sp = stack;
    ctx.uc.uc_stack.ss_size = size;
    ctx.uc.uc_link = nullptr;
    makecontext(&ctx.uc, entry, 0);
}

void switch_context(Context& from, Context& to) { swapcontext(&from.uc, &to.uc); }

}  // namespace clip4j_emu

#endif
