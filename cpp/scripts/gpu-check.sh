#!/usr/bin/env bash
# GPU check for a machine with an NVIDIA GPU (sm_80+), CMake >= 3.24, the CUDA toolkit, Python 3 with
# numpy + PyTorch (CUDA), and no Java. Builds cpp/ with CUDA, runs CTest (GPU tests must PASS, not skip),
# checks the kernels against the fixtures and PyTorch, times them, and prints a markdown block for
# docs/gpu-results.md (also written to $BUILD/gpu-results.md).
# Every step runs even when an earlier one failed (except what needs the build), each is time-boxed (at most
# 9 minutes in all, and the environment probes before them 100 s; 2-3 minutes expected on a 16-core machine),
# and a summary of all steps comes last.
# Exit status: 0 only if every step passed.
#
#   cpp/scripts/gpu-check.sh            # BUILD defaults to build/gpu-check (git-ignored)
#   CLIP4J_COMMIT=abc1234 cpp/scripts/gpu-check.sh   # names the commit when the tree has no .git
# With $OUT set to a directory (the project's device machine), the log and the markdown are written there as
# the steps go, so a run cut short still brings back what it had.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build/gpu-check}"
JOBS="$(nproc 2>/dev/null || echo 4)"
PYTHON="${PYTHON:-python3}"
REPORT_DIR="$BUILD"
if [ -n "${OUT:-}" ] && [ -d "$OUT" ]; then REPORT_DIR="$OUT"; fi
mkdir -p "$BUILD" "$REPORT_DIR"
LOG="$REPORT_DIR/gpu-check.log"
RESULTS="$REPORT_DIR/gpu-results.md"
: >"$RESULTS"

SUMMARY=()
FAILED=0
# step NAME SECONDS COMMAND...: runs COMMAND under a time limit and records how it ended; never exits.
step() {
  local name="$1" limit="$2"
  shift 2
  echo
  echo "== $name"
  local t0=$SECONDS rc=0
  timeout --kill-after=10 "$limit" "$@" || rc=$?
  local took=$((SECONDS - t0))
  if [ "$rc" -eq 0 ]; then
    SUMMARY+=("PASS $name (${took}s)")
  else
    FAILED=1
    local why="exit $rc"
    [ "$rc" -eq 124 ] && why="timed out after ${limit}s"
    [ "$rc" -eq 77 ] && why="SKIPPED (exit 77): no usable GPU"
    SUMMARY+=("FAIL $name ($why, ${took}s)")
  fi
  return "$rc"
}

main() {
# A CUDA toolkit outside PATH (the usual /usr/local/cuda) is found without help.
if ! command -v nvcc >/dev/null 2>&1 && [ -z "${CUDACXX:-}" ]; then
  for d in /usr/local/cuda/bin /usr/local/cuda-*/bin; do
    if [ -x "$d/nvcc" ]; then export PATH="$PATH:$d"; break; fi
  done
fi

echo "== environment"
# The probes are time-boxed too: nvidia-smi can hang on a driver in a bad state, which stopped every step after
# it. (60 s for Python: a first import of torch with CUDA may read gigabytes from a cold disk.)
PROBE_LIMIT="${CLIP4J_PROBE_LIMIT:-20}"  # seconds; the script's self-test (test_gpu_check_sh.sh) sets 2
# Which sources were checked: a copy of the tree may come without .git, so CLIP4J_COMMIT can say it.
COMMIT="${CLIP4J_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "unknown")}"
if [ -z "${CLIP4J_COMMIT:-}" ] && [ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ]; then
  COMMIT="$COMMIT + uncommitted changes"
fi
echo "clip4j commit: $COMMIT"
NVCC="$(command -v nvcc || echo "${CUDACXX:-}")"
echo "nvcc: ${NVCC:-not found}"
NVCC_VERSION="$([ -n "$NVCC" ] && timeout -k 5 "$PROBE_LIMIT" "$NVCC" --version 2>/dev/null |
  grep -o 'release [0-9.]*, V[0-9.]*' || echo "not found")"
echo "nvcc version: $NVCC_VERSION"
echo "cmake: $(cmake --version 2>/dev/null | head -1 || echo "not found")"
GPU_LINE="$(timeout -k 5 "$PROBE_LIMIT" nvidia-smi --query-gpu=name,driver_version,compute_cap,memory.total \
  --format=csv,noheader 2>/dev/null | head -1 || true)"
echo "nvidia-smi: ${GPU_LINE:-unavailable}"
timeout -k 5 60 "$PYTHON" -c 'import numpy, torch; print("python: numpy", numpy.__version__, "torch", torch.__version__,
  "torch CUDA", torch.version.cuda, "available", torch.cuda.is_available())' 2>&1 || echo "python: numpy/torch missing"

BUILT=0
# nvcc warnings are not errors here (CLIP4J_CUDA_WERROR=OFF): a warning that this machine's toolkit adds must
# not cost the run. They are counted in the summary instead.
if step "configure" 60 cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCLIP4J_CUDA=ON \
    -DCLIP4J_EMULATOR=OFF -DCLIP4J_CUDA_WERROR=OFF; then
  # The CPU emulator's tests (cpp/emulator) run in CI; here the GPU time goes to the real device.
  if grep -Eq "^CMAKE_CUDA_COMPILER:[A-Z]+=.*nvcc" "$BUILD/CMakeCache.txt"; then
    step "build (-j$JOBS)" 180 bash -c 'set -o pipefail; cmake --build "$1" -j"$2" 2>&1 | tee "$1/build.log"' _ \
      "$BUILD" "$JOBS" && BUILT=1
    # nvcc's "file.cu(12): warning #177-D: ...", the host compiler's "warning: ..." and the nvcc driver's and
    # ptxas's "nvcc warning : ..." (a space before the colon), not nvcc's remarks that merely mention warnings
    # ("Remark: The warnings can be suppressed with ...").
    WARNINGS="$(grep -ciE "warning( #[0-9A-Za-z-]+)? ?:" "$BUILD/build.log" 2>/dev/null || true)"
    SUMMARY+=("build warnings: ${WARNINGS:-0} (see $BUILD/build.log)")
  else
    echo "CUDA compiler not found by CMake: set CUDACXX=/usr/local/cuda/bin/nvcc"
    FAILED=1
    SUMMARY+=("FAIL build (CMake found no CUDA compiler)")
  fi
fi

if [ "$BUILT" -eq 1 ]; then
  # Which GPU code the library holds (SASS per sm_XX, PTX); cuobjdump comes with most toolkits.
  if command -v cuobjdump >/dev/null 2>&1; then
    cuobjdump --list-elf "$BUILD/cpp/libclip4j_kernels.so" 2>&1 | sed 's/^/  /' | sort -u | head -20
    cuobjdump --list-ptx "$BUILD/cpp/libclip4j_kernels.so" 2>&1 | sed 's/^/  /' | sort -u | head -20
  fi
  # test_gpu runs on its own below: CTest would count its skip (exit 77) as a pass. gpu_check_script is
  # gpu_check.py on the CPU backend, which the step after next runs on the GPU anyway; gpu_check_sh is this
  # script with a fake nvidia-smi and cmake (no use of GPU time).
  step "ctest (all but test_gpu)" 90 ctest --test-dir "$BUILD" --output-on-failure -j4 \
    -E '^(test_gpu|gpu_check_script|gpu_check_sh)$' || true
  step "test_gpu (must run, not skip)" 60 "$BUILD/cpp/tests/test_gpu" "$ROOT/testdata" || true
  # Markdown on stdout into $RESULTS (unbuffered: a cut-short run keeps what it printed); checks on stderr.
  step "gpu_check.py (fixtures, PyTorch, timings)" 150 bash -c \
    'set -o pipefail; "$1" -u "$2" --lib "$3" --testdata "$4" | tee "$5"' _ \
    "$PYTHON" "$ROOT/cpp/scripts/gpu_check.py" "$BUILD/cpp/libclip4j_kernels.so" "$ROOT/testdata" "$RESULTS" || true
else
  echo "(no build: ctest, test_gpu and gpu_check.py not run)"
fi

{
  echo
  echo "- clip4j commit: $COMMIT"
  echo "- toolkit: nvcc $NVCC_VERSION; GPU (nvidia-smi: name, driver, compute capability, memory): ${GPU_LINE:-unavailable}"
  echo "- steps of cpp/scripts/gpu-check.sh:"
  for s in "${SUMMARY[@]}"; do echo "  - $s"; done
} | tee -a "$RESULTS"
if [ "$REPORT_DIR" != "$BUILD" ]; then cp "$RESULTS" "$BUILD/gpu-results.md" 2>/dev/null || true; fi
echo
echo "Paste the markdown block (also in $RESULTS) into docs/gpu-results.md; the full log is $LOG."
return "$FAILED"
}

# The whole output also goes to $LOG; the pipeline ends only after tee has written everything.
main 2>&1 | tee "$LOG"
exit "${PIPESTATUS[0]}"
