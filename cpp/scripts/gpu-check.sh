#!/usr/bin/env bash
# GPU check for a machine with an NVIDIA GPU (sm_80+), CMake >= 3.24, the CUDA toolkit, Python 3 with
# numpy + PyTorch (CUDA), and no Java. Builds cpp/ with CUDA, runs CTest (GPU tests must PASS, not skip),
# checks the kernels against the fixtures and PyTorch, times them, and prints a markdown block for
# docs/gpu-results.md (also written to $BUILD/gpu-results.md). Each step is time-boxed (7.5 minutes in all; about 2-3 minutes expected on a 16-core machine).
#
#   cpp/scripts/gpu-check.sh            # BUILD defaults to build/gpu-check (git-ignored)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build/gpu-check}"
JOBS="$(nproc 2>/dev/null || echo 4)"

# A CUDA toolkit outside PATH (the usual /usr/local/cuda) is found without help.
if ! command -v nvcc >/dev/null 2>&1 && [ -z "${CUDACXX:-}" ]; then
  for d in /usr/local/cuda/bin /usr/local/cuda-*/bin; do
    if [ -x "$d/nvcc" ]; then export PATH="$PATH:$d"; break; fi
  done
fi
echo "== nvcc: $(command -v nvcc || echo "${CUDACXX:-not found}")"

echo "== nvidia-smi"
nvidia-smi --query-gpu=name,driver_version,compute_cap,memory.total --format=csv || echo "(nvidia-smi unavailable)"

echo "== configure + build ($BUILD)"
# The CPU emulator's tests (cpp/emulator) run in CI; here the GPU time goes to the real device.
timeout 30 cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCLIP4J_CUDA=ON -DCLIP4J_EMULATOR=OFF
grep -Eq "^CMAKE_CUDA_COMPILER:[A-Z]+=.*nvcc" "$BUILD/CMakeCache.txt" \
  || { echo "CUDA compiler not found by CMake: set CUDACXX=/usr/local/cuda/bin/nvcc" >&2; exit 1; }
timeout 150 cmake --build "$BUILD" -j"$JOBS"

echo "== ctest"
timeout 60 ctest --test-dir "$BUILD" --output-on-failure
# CTest counts a skipped test as passing; on this machine the GPU test must really run.
timeout 60 "$BUILD/cpp/tests/test_gpu" "$ROOT/testdata"

echo "== fixtures, PyTorch comparison and timings"
timeout 150 python3 "$ROOT/cpp/scripts/gpu_check.py" --lib "$BUILD/cpp/libclip4j_kernels.so" \
  --testdata "$ROOT/testdata" | tee "$BUILD/gpu-results.md"
# On the project's device machine, whatever is written under $OUT comes back to the session.
if [ -n "${OUT:-}" ] && [ -d "$OUT" ]; then cp "$BUILD/gpu-results.md" "$OUT/"; fi
echo
echo "Paste the block above into docs/gpu-results.md (also in $BUILD/gpu-results.md)."
