#!/usr/bin/env python3
"""Self-test of gpu_check.py without a GPU (its --backend cpu), run by CTest as gpu_check_script.

The GPU check runs once on a borrowed machine, so its script must not fail there for reasons a CPU shows:
1. on the fixtures it passes and prints the markdown block;
2. when one part fails (here: the fixtures directory is missing), the parts after it still run, the
   markdown block is still printed with that failure named, and the exit status is 1.

usage: test_gpu_check.py LIB TESTDATA    (exit 77 = skipped when this Python has no numpy)
"""
import os
import subprocess
import sys
import tempfile

try:
    import numpy  # noqa: F401 - gpu_check.py needs it
except ImportError:
    print("SKIPPED: this Python has no numpy (set -DPython3_EXECUTABLE to one that has)")
    sys.exit(77)

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gpu_check.py")
sys.path.insert(0, os.path.dirname(SCRIPT))  # for "import gpu_check" in the checks that call it directly
FAILURES = []


def expect(ok, what, run=None):
    print(("PASS " if ok else "FAIL ") + what)
    if not ok:
        FAILURES.append(what)
        if run is not None:
            print("--- stdout\n" + run.stdout + "--- stderr\n" + run.stderr)


def gpu_check(lib, testdata, backend="cpu"):
    return subprocess.run([sys.executable, SCRIPT, "--lib", lib, "--testdata", testdata, "--backend", backend],
                          capture_output=True, text=True, timeout=240)


def wide_rows(lib):
    """The score checks hold clip4j to float32 accuracy, not to torch's own float32 softmax, whose error
    grows with the row length (about 6e-6 for 20000 columns): 64 x 20000 on the CPU backend."""
    import torch
    import gpu_check
    k = gpu_check.Kernels(lib, "cpu")
    before = len(gpu_check.FAILURES)
    gpu_check.check_scores(k, torch, "cpu", n=64, m=20000, d=512)
    failed = gpu_check.FAILURES[before:]
    expect(not failed, "score checks pass for 20000 columns" + (": " + "; ".join(failed) if failed else ""))


def benchmark_code(lib):
    """The timing code otherwise runs only on a GPU: here it runs small on the CPU, where clip4j's CUDA rows
    fail (recorded, not fatal) and every other row must still come out."""
    import torch
    import gpu_check
    rows = []
    print("(the FAIL lines of gpu_check.py's CUDA timings that follow are expected without a GPU)", flush=True)
    gpu_check.benchmarks(gpu_check.Kernels(lib, "cuda"), torch, "cpu", rows.append, photo_sizes=((48, 64), (50, 37)),
                         repeat_photos=1, scores=(64, 300, 32))
    want = {"clip4j CPU (8 images, all cores)", "PyTorch interpolate(bicubic, antialias) per image",
            "PyTorch (TF32 off)", "PyTorch softmax+topk", "PyTorch"}
    got = {r[1] for r in rows}
    expect(want <= got and all(len(r) == 4 for r in rows), f"timing rows without a GPU: {sorted(got)}")


def main():
    lib, testdata = sys.argv[1], sys.argv[2]
    try:
        import torch  # noqa: F401
        has_torch = True
    except ImportError:
        has_torch = False

    good = gpu_check(lib, testdata)
    expect(good.returncode == 0, f"gpu_check.py passes on the fixtures (exit {good.returncode})", good)
    expect("### GPU check" in good.stdout and "- correctness: all checks passed" in good.stdout,
           "the markdown block says all checks passed", good)

    with tempfile.TemporaryDirectory() as empty:
        bad = gpu_check(lib, os.path.join(empty, "missing"))
    expect(bad.returncode == 1, f"a failing part makes the exit status 1 (got {bad.returncode})", bad)
    expect("### GPU check" in bad.stdout, "the markdown block is printed after a part failed", bad)
    expect("FAILED: preprocessing vs fixtures raised FileNotFoundError" in bad.stdout,
           "the markdown block names the part that failed", bad)
    if has_torch:
        expect("PASS similarity vs torch" in bad.stderr, "the torch comparison still runs after that", bad)
        wide_rows(lib)
        benchmark_code(lib)

    import ctypes
    if not ctypes.CDLL(lib).clip4j_cuda_available():
        # Here without a usable GPU: the CUDA run must say why in its markdown, with exit status 2.
        nogpu = gpu_check(lib, testdata, "cuda")
        expect(nogpu.returncode == 2 and "- no usable CUDA device: clip4j_cuda_available: " in nogpu.stdout,
               f"--backend cuda without a usable GPU: the reason in the markdown, exit 2 (got {nogpu.returncode})",
               nogpu)
    print(f"test_gpu_check: {len(FAILURES)} failed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
