// Kernel execution of clip4j's CUDA emulator: the blocks of a launch are shared by a few OS threads; each
// OS thread runs one block at a time, with every CUDA thread of the block as a fiber (context.h). A fiber runs
// until it finishes or waits at a barrier (__syncthreads, or a warp shuffle); waiting fibers resume once
// every live thread of their block (or warp) waits there. Barriers nobody can pass abort with a message,
// which on a GPU would be a hang or undefined behaviour.
// Between two __syncthreads, warps run one after another in a shuffled order, each as far as it can (through
// its shuffles) before the next starts, and lanes run in shuffled order: a GPU gives no order either, so a
// kernel that is only right in one order (a missing __syncthreads, shared memory reused too early) gives
// wrong results here instead of passing by luck. CLIP4J_EMU_SEED (an integer) changes the orders.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <numeric>
#include <thread>
#include <vector>

#include "clip4j_emulator.h"
#include "context.h"
#include "cuda_runtime.h"
#include "runtime_state.h"

#if defined(__SANITIZE_ADDRESS__)
#  include <sanitizer/common_interface_defs.h>
#  define CLIP4J_EMU_ASAN 1
#endif

namespace clip4j_emu {
namespace {

thread_local uint3 tl_thread;
thread_local uint3 tl_block;
thread_local dim3 tl_block_dim;
thread_local dim3 tl_grid_dim;

constexpr size_t kStackBytes = size_t(256) << 10;  // kernels keep little on the stack; sanitizers more
constexpr int kWarp = 32;
constexpr size_t kMaxShuffleBytes = 16;

enum class State { Ready, WarpWait, BlockWait, Done };

struct Fiber {
    Context ctx;
    std::unique_ptr<char[]> stack;
    State state = State::Done;
    uint3 tid{};
    const void* barrier = nullptr;  // the __syncthreads call site it waits at
    void* fake_stack = nullptr;  // AddressSanitizer's bookkeeping of this fiber's stack
};

// One OS thread's view of the launch it works on.
struct Worker {
    Context scheduler;
    std::vector<Fiber> fibers;
    int current = -1;
    const std::function<void()>* body = nullptr;
    unsigned char lanes[1024 / kWarp][kWarp][kMaxShuffleBytes];
    void* scheduler_fake_stack = nullptr;
    const void* scheduler_bottom = nullptr;
    size_t scheduler_size = 0;
    uint64_t random = 0;            // state of the schedule's generator
    std::vector<int> warp_order;    // scratch of run_block
    std::vector<int> lane_order;    // scratch of run_warp
};

// The seed of every schedule: CLIP4J_EMU_SEED, else a fixed one, so runs repeat.
uint64_t base_seed() {
    static const uint64_t seed = []() -> uint64_t {
        const char* s = std::getenv("CLIP4J_EMU_SEED");
        if (!s) return 0x9E3779B97F4A7C15ull;
        char* end = nullptr;
        errno = 0;
        uint64_t v = std::strtoull(s, &end, 10);
        if (end == s || *end != '\0' || errno == ERANGE || *s == '-') {
            // "abc" read as seed 0 would repeat one schedule while the tester believes they chose another.
            std::fprintf(stderr, "clip4j emulator: CLIP4J_EMU_SEED='%s' is not a decimal number\n", s);
            std::exit(2);
        }
        return v;
    }();
    return seed;
}

uint32_t next_random(Worker& w) {  // 64-bit LCG (Knuth's MMIX constants), high bits
    w.random = w.random * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(w.random >> 33);
}

void shuffle(Worker& w, std::vector<int>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[next_random(w) % i]);
}

thread_local Worker* tl_worker = nullptr;

[[noreturn]] void fatal(const char* what) {
    std::fprintf(stderr, "clip4j CUDA emulator: %s (block %u,%u,%u thread %u,%u,%u)\n", what, blockIdx.x, blockIdx.y,
                 blockIdx.z, threadIdx.x, threadIdx.y, threadIdx.z);
    std::abort();
}

int linear_thread() { return (int)(threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z)); }

// Called on a fiber right after it was switched to.
void arrived_on_fiber(Worker& w, Fiber& f) {
#ifdef CLIP4J_EMU_ASAN
    __sanitizer_finish_switch_fiber(f.fake_stack, &w.scheduler_bottom, &w.scheduler_size);
#else
    (void)w;
    (void)f;
#endif
}

// Fiber -> scheduler; returns when the scheduler resumes this fiber. site: the barrier's call site.
void wait(State state, const void* site = nullptr) {
    Worker* w = tl_worker;
    if (w == nullptr || w->current < 0) fatal("barrier or shuffle outside a kernel");
    Fiber& f = w->fibers[w->current];
    f.state = state;
    f.barrier = site;
#ifdef CLIP4J_EMU_ASAN
    __sanitizer_start_switch_fiber(&f.fake_stack, w->scheduler_bottom, w->scheduler_size);
#endif
    switch_context(f.ctx, w->scheduler);
    arrived_on_fiber(*w, f);
}

[[noreturn]] void fiber_main() {
    Worker& w = *tl_worker;
    Fiber& f = w.fibers[w.current];
    arrived_on_fiber(w, f);
    (*w.body)();
    f.state = State::Done;
#ifdef CLIP4J_EMU_ASAN
    __sanitizer_start_switch_fiber(nullptr, w.scheduler_bottom, w.scheduler_size);  // this stack is finished
#endif
    switch_context(f.ctx, w.scheduler);
    std::abort();  // a finished fiber is never resumed
}

void switch_to(Worker& w, int i) {
    Fiber& f = w.fibers[i];
    w.current = i;
    tl_thread = f.tid;
#ifdef CLIP4J_EMU_ASAN
    __sanitizer_start_switch_fiber(&w.scheduler_fake_stack, f.stack.get(), kStackBytes);
#endif
    switch_context(w.scheduler, f.ctx);
#ifdef CLIP4J_EMU_ASAN
    __sanitizer_finish_switch_fiber(w.scheduler_fake_stack, nullptr, nullptr);
#endif
    w.current = -1;
}

// Runs warp `warp` as far as it gets: its lanes (in shuffled order) until each has finished or waits, its
// shuffles released whenever every live lane waits at one. Returns with no lane of the warp ready.
void run_warp(Worker& w, int warp) {
    const int first = warp * kWarp, last = std::min((int)w.fibers.size(), first + kWarp);
    w.lane_order.resize(last - first);
    std::iota(w.lane_order.begin(), w.lane_order.end(), first);
    for (;;) {
        shuffle(w, w.lane_order);
        for (int i : w.lane_order)
            if (w.fibers[i].state == State::Ready) switch_to(w, i);
        bool live = false, all_warp = true;
        for (int i = first; i < last; ++i) {
            if (w.fibers[i].state == State::Done) continue;
            live = true;
            all_warp &= w.fibers[i].state == State::WarpWait;
        }
        if (!live || !all_warp) return;  // finished, at a __syncthreads, or stuck (run_block decides)
        for (int i = first; i < last; ++i)
            if (w.fibers[i].state == State::WarpWait) w.fibers[i].state = State::Ready;
    }
}

// Releases a __syncthreads that every live thread has reached; false if the live threads wait at different
// barriers (another __syncthreads call, or a shuffle that some lanes of the warp never reach).
bool release_block_barrier(Worker& w) {
    const void* site = nullptr;
    for (const Fiber& f : w.fibers) {
        if (f.state == State::Done) continue;
        // Threads at different __syncthreads calls: undefined on a GPU (a hang, or a wrong result).
        if (f.state != State::BlockWait || (site != nullptr && f.barrier != site)) return false;
        site = f.barrier;
    }
    for (Fiber& f : w.fibers)
        if (f.state == State::BlockWait) f.state = State::Ready;
    return true;
}

void run_block(Worker& w, uint64_t seed) {
    for (Fiber& f : w.fibers) {
        make_context(f.ctx, f.stack.get(), kStackBytes, fiber_main);
        f.state = State::Ready;
        f.fake_stack = nullptr;
    }
    w.random = seed;
    w.warp_order.resize((w.fibers.size() + kWarp - 1) / kWarp);
    std::iota(w.warp_order.begin(), w.warp_order.end(), 0);
    for (;;) {
        shuffle(w, w.warp_order);
        for (int warp : w.warp_order) run_warp(w, warp);
        bool live = false;
        for (const Fiber& f : w.fibers) live |= f.state != State::Done;
        if (!live) return;
        if (!release_block_barrier(w)) fatal("deadlock: the threads of a block or warp wait at different barriers");
    }
}

void work(const dim3& grid, const dim3& block, const std::function<void()>& body, std::atomic<long long>& next,
        uint64_t launch_seed) {
    Worker w;
    tl_worker = &w;
    tl_grid_dim = grid;
    tl_block_dim = block;
    w.body = &body;
    const int threads = (int)(block.x * block.y * block.z);
    w.fibers.resize(threads);
    for (int i = 0; i < threads; ++i) {
        w.fibers[i].stack.reset(new char[kStackBytes]);
        w.fibers[i].tid = uint3{(unsigned)i % block.x, (unsigned)(i / block.x) % block.y,
                                (unsigned)(i / (block.x * block.y))};
    }
    const long long blocks = (long long)grid.x * grid.y * grid.z;
    for (long long b = next++; b < blocks; b = next++) {
        tl_block = uint3{(unsigned)(b % grid.x), (unsigned)((b / grid.x) % grid.y), (unsigned)(b / ((long long)grid.x * grid.y))};
        run_block(w, launch_seed ^ ((uint64_t)b * 0xD1B54A32D192ED03ull));
    }
    tl_worker = nullptr;
}

}  // namespace

const uint3& thread_idx() { return tl_thread; }
const uint3& block_idx() { return tl_block; }
const dim3& block_dim() { return tl_block_dim; }
const dim3& grid_dim() { return tl_grid_dim; }

void run_grid(dim3 grid, dim3 block, cudaStream_t stream, const std::function<void()>& body) {
    const cudaError_t err = check_launch(grid, block, stream);
    if (err != cudaSuccess) return;  // recorded for cudaGetLastError, as a failed launch is
    if (tl_worker != nullptr) fatal("a kernel launched another kernel");
    std::atomic<long long> next{0};
    const long long blocks = (long long)grid.x * grid.y * grid.z;
    const int threads = (int)std::min<long long>(blocks, std::max(1u, std::min(4u, std::thread::hardware_concurrency())));
    // Each launch and block gets its own schedule; the same sequence of launches gets the same schedules.
    const uint64_t launch_seed = base_seed() + (uint64_t)kernel_launches() * 0x9E3779B97F4A7C15ull;
    std::vector<std::thread> helpers;
    for (int t = 1; t < threads; ++t) helpers.emplace_back([&] { work(grid, block, body, next, launch_seed); });
    work(grid, block, body, next, launch_seed);
    for (std::thread& t : helpers) t.join();
}

void shuffle_xor(unsigned int mask, const void* in, void* out, size_t size, int lane_mask) {
    Worker* w = tl_worker;
    if (w == nullptr) fatal("__shfl_xor_sync outside a kernel");
    if (size > kMaxShuffleBytes) fatal("__shfl_xor_sync of a type wider than 16 bytes");
    const int t = linear_thread();
    const int warp = t / kWarp, lane = t % kWarp;
    const int first = warp * kWarp, last = std::min((int)w->fibers.size(), first + kWarp);
    for (int i = first; i < last; ++i) {
        const bool named = (mask >> (i - first)) & 1u;
        if (named != (w->fibers[i].state != State::Done)) {
            fatal("__shfl_xor_sync mask names a lane that has exited or omits a live lane");
        }
    }
    std::memcpy(w->lanes[warp][lane], in, size);
    wait(State::WarpWait);  // every lane has written
    const int source = lane ^ lane_mask;
    std::memcpy(out, w->lanes[warp][source < last - first ? source : lane], size);
    wait(State::WarpWait);  // every lane has read before the next shuffle overwrites
}

}  // namespace clip4j_emu

// noinline: the return address identifies the call site, so waits at different barriers are told apart.
__attribute__((noinline)) void __syncthreads() {
    clip4j_emu::wait(clip4j_emu::State::BlockWait, __builtin_return_address(0));
}
