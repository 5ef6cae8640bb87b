#!/usr/bin/env bash
# Self-test of gpu-check.sh without a GPU, run by CTest as gpu_check_sh: a probe of the environment that
# hangs (nvidia-smi on a driver in a bad state) must not stop the steps after it. nvidia-smi here sleeps,
# cmake fails at once (no build), so the script must end within its probe limit, exit 1 and summarise.
set -uo pipefail
SCRIPT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/gpu-check.sh"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/bin"
printf '#!/bin/sh\nexec sleep 300\n' >"$TMP/bin/nvidia-smi"
printf '#!/bin/sh\nexit 1\n' >"$TMP/bin/cmake"
printf '#!/bin/sh\nexit 1\n' >"$TMP/bin/python-without-torch"
chmod +x "$TMP/bin/"*
t0=$SECONDS
output="$(env -u OUT PATH="$TMP/bin:$PATH" BUILD="$TMP/build" PYTHON="$TMP/bin/python-without-torch" \
  CLIP4J_PROBE_LIMIT=2 timeout -k 5 120 bash "$SCRIPT" 2>&1)"
rc=$?
took=$((SECONDS - t0))
fail=0
expect() {  # expect CONDITION-STATUS WHAT
  if [ "$1" -eq 0 ]; then echo "PASS $2"; else echo "FAIL $2"; fail=1; fi
}
[ "$rc" -eq 1 ]; expect $? "exit status 1 (got $rc; 124 = the script hung on nvidia-smi)"
[ "$took" -lt 30 ]; expect $? "done in under 30 s (took ${took}s)"
grep -q "^nvidia-smi: unavailable" <<<"$output"; expect $? "the hung nvidia-smi is reported unavailable"
grep -q "FAIL configure (exit 1" <<<"$output"; expect $? "the configure step still ran and is summarised"
[ "$fail" -eq 0 ] || printf -- '--- output of gpu-check.sh\n%s\n' "$output"

# Warnings are counted in every form the CUDA build prints them: the nvcc driver's and ptxas's "warning :" (with a
# space: register spills, deprecated architectures) were left out of the count by the "warning:" pattern.
cat >"$TMP/bin/cmake" <<'FAKE'
#!/bin/sh
case "$1" in
  -S) mkdir -p "$4" && echo "CMAKE_CUDA_COMPILER:FILEPATH=/fake/nvcc" >"$4/CMakeCache.txt"; exit 0 ;;
  --build) printf '%s\n' "nvcc warning : The 'compute_50' architecture is deprecated" \
    "ptxas warning : Registers are spilled to local memory" "k.cu(12): warning #177-D: variable declared" \
    "a.cpp:3:5: warning: unused variable" "Remark: The warnings can be suppressed with -diag-suppress"; exit 1 ;;
esac
exit 1
FAKE
chmod +x "$TMP/bin/cmake"
built="$(env -u OUT PATH="$TMP/bin:$PATH" BUILD="$TMP/build2" PYTHON="$TMP/bin/python-without-torch" \
  CLIP4J_PROBE_LIMIT=2 timeout -k 5 120 bash "$SCRIPT" 2>&1)"
grep -q "build warnings: 4 " <<<"$built"; expect $? "four warning lines counted, the remark not"
[ "$fail" -eq 0 ] || printf -- '--- output of gpu-check.sh with a failing build\n%s\n' "$built"
exit "$fail"
