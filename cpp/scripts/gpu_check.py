#!/usr/bin/env python3
"""GPU check of libclip4j_kernels through ctypes (no Java needed).

1. Fused preprocessing vs the reference fixtures (testdata/preprocess): JPEG decoded pixels, the known
   1x1 and 224x224 images, and - if Pillow is installed - the RGB-mode PNG fixtures decoded by Pillow.
2. Similarity / softmax / top-k vs PyTorch (float32, TF32 off).
3. The device-memory entry points on LibTorch CUDA tensors (data_ptr in, no host copy): preprocessing into
   a torch tensor bit-exact with the host path, zero-shot top-k from torch features equal to torch's.
4. Throughput of every kernel vs the PyTorch equivalent (host arrays in, host arrays out for both, and the
   device-memory variants).
Prints a markdown block for docs/gpu-results.md on stdout; exits 1 if a correctness check fails.
Each part runs even if an earlier one raised (recorded as a failure with its traceback on stderr), and the
markdown is printed as results come, so a run cut short keeps its correctness lines and the finished timings.

usage: gpu_check.py --lib build/cpp/libclip4j_kernels.so --testdata testdata [--backend cuda|cpu]
"""
import argparse
import ctypes as C
import json
import os
import platform
import statistics
import sys
import time
import traceback

import numpy as np

MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)
F32, F16 = 0, 1


class Kernels:
    """ctypes view of include/clip4j/kernels.h; suffix selects _cuda or _cpu."""

    def __init__(self, path, backend):
        self.lib = C.CDLL(path)
        self.backend = backend
        self.lib.clip4j_last_error.restype = C.c_char_p
        p = C.POINTER
        i32, f32 = C.c_int32, C.c_float
        sigs = {
            "preprocess": [p(C.c_void_p), p(i32), p(i32), i32, i32, p(f32), p(f32), C.c_int, C.c_void_p, C.c_void_p],
            "similarity": [C.c_void_p, i32, C.c_void_p, i32, i32, f32, C.c_void_p],
            "softmax_topk": [C.c_void_p, i32, i32, i32, C.c_void_p, C.c_void_p, C.c_void_p],
            "zero_shot_topk": [C.c_void_p, i32, C.c_void_p, i32, i32, f32, i32, C.c_void_p, C.c_void_p,
                               C.c_void_p],
        }
        for name, args in sigs.items():
            for suffix in ("cpu", "cuda"):
                fn = getattr(self.lib, f"clip4j_{name}_{suffix}")
                fn.argtypes = args
                fn.restype = C.c_int
        self.lib.clip4j_preprocess_cuda_device.argtypes = sigs["preprocess"][:-1] + [C.c_int64, C.c_void_p]
        self.lib.clip4j_preprocess_cuda_device.restype = C.c_int
        self.lib.clip4j_zero_shot_topk_cuda_device.argtypes = sigs["zero_shot_topk"] + [C.c_void_p]
        self.lib.clip4j_zero_shot_topk_cuda_device.restype = C.c_int

    def _call(self, name, *args, backend=None):
        fn = getattr(self.lib, f"clip4j_{name}_{backend or self.backend}")
        self._check(name, fn(*args))

    def _check(self, name, status):
        if status != 0:
            raise RuntimeError(f"{name}: status {status}: {self.lib.clip4j_last_error().decode()}")

    @staticmethod
    def _ptr(a):
        return a.ctypes.data_as(C.c_void_p)

    @staticmethod
    def _batch(images):
        images = [np.ascontiguousarray(i, dtype=np.uint8) for i in images]
        count = len(images)
        ptrs = (C.c_void_p * count)(*[i.ctypes.data for i in images])
        widths = (C.c_int32 * count)(*[i.shape[1] for i in images])
        heights = (C.c_int32 * count)(*[i.shape[0] for i in images])
        mean = MEAN.ctypes.data_as(C.POINTER(C.c_float))
        std = STD.ctypes.data_as(C.POINTER(C.c_float))
        return images, ptrs, widths, heights, mean, std

    def preprocess(self, images, n, dtype=F32, backend=None):
        """images: list of uint8 [h, w, 3] C-contiguous arrays -> (pixel_values [b,3,n,n], rgb_u8 [b,n,n,3])."""
        images, ptrs, widths, heights, mean, std = self._batch(images)
        count = len(images)
        out = np.empty((count, 3, n, n), dtype=np.float32 if dtype == F32 else np.float16)
        rgb = np.empty((count, n, n, 3), dtype=np.uint8)
        self._call("preprocess", ptrs, widths, heights, count, n, mean, std, dtype, self._ptr(out), self._ptr(rgb),
                   backend=backend)
        return out, rgb

    def preprocess_into(self, images, n, out, dtype=F32, stream=None):
        """clip4j_preprocess_cuda_device into a CUDA torch tensor out [b, 3, n, n] on a cudaStream_t handle
        (None: the legacy default stream)."""
        images, ptrs, widths, heights, mean, std = self._batch(images)
        self._check("preprocess_cuda_device", self.lib.clip4j_preprocess_cuda_device(
            ptrs, widths, heights, len(images), n, mean, std, dtype, out.data_ptr(),
            out.numel() * out.element_size(), stream))
        return out

    def zero_shot_topk_device(self, img, txt, scale, k):
        """clip4j_zero_shot_topk_cuda_device on CUDA torch tensors img [n, d], txt [m, d] (float32)."""
        n = img.shape[0]
        tp = np.empty((n, k), dtype=np.float32)
        ti = np.empty((n, k), dtype=np.int32)
        tl = np.empty((n, k), dtype=np.float32)
        self._check("zero_shot_topk_cuda_device", self.lib.clip4j_zero_shot_topk_cuda_device(
            img.data_ptr(), n, txt.data_ptr(), txt.shape[0], img.shape[1], scale, k, self._ptr(tp), self._ptr(ti),
            self._ptr(tl), None))
        return tp, ti, tl

    def similarity(self, img, txt, scale, backend=None):
        out = np.empty((img.shape[0], txt.shape[0]), dtype=np.float32)
        self._call("similarity", self._ptr(img), img.shape[0], self._ptr(txt), txt.shape[0], img.shape[1], scale,
                   self._ptr(out), backend=backend)
        return out

    def softmax_topk(self, logits, k, want_probs=True, backend=None):
        n, m = logits.shape
        probs = np.empty((n, m), dtype=np.float32) if want_probs else None
        tp = np.empty((n, k), dtype=np.float32)
        ti = np.empty((n, k), dtype=np.int32)
        self._call("softmax_topk", self._ptr(logits), n, m, k, self._ptr(probs) if want_probs else None,
                   self._ptr(tp), self._ptr(ti), backend=backend)
        return probs, tp, ti

    def zero_shot_topk(self, img, txt, scale, k, backend=None):
        tp = np.empty((img.shape[0], k), dtype=np.float32)
        ti = np.empty((img.shape[0], k), dtype=np.int32)
        self._call("zero_shot_topk", self._ptr(img), img.shape[0], self._ptr(txt), txt.shape[0], img.shape[1], scale,
                   k, self._ptr(tp), self._ptr(ti), None, backend=backend)
        return tp, ti


FAILURES = []


def check(ok, what):
    print(("PASS " if ok else "FAIL ") + what, file=sys.stderr, flush=True)
    if not ok:
        FAILURES.append(what)
    return ok


def guarded(what, fn, *args):
    """Runs one part of the check; an exception is a failure of that part only. Returns fn's result or None."""
    try:
        return fn(*args)
    except Exception as e:  # noqa: BLE001 - any error of one part must not hide the others
        traceback.print_exc(file=sys.stderr)
        check(False, f"{what} raised {type(e).__name__}: {e}")
        return None


# ---------------------------------------------------------------- 1. preprocessing vs fixtures
def fixture_inputs(testdata):
    ref = os.path.join(testdata, "preprocess", "ref")
    inputs = {}
    for name in ("jpeg_q90", "exif_orientation6"):
        inputs[name] = np.load(os.path.join(ref, f"{name}.decoded_u8.npy"))
    inputs["tiny_1x1"] = np.array([[[200, 30, 90]]], dtype=np.uint8)  # README: single pixel (200, 30, 90)
    inputs["exact_224x224"] = np.load(os.path.join(ref, "exact_224x224.rgb_u8.npy"))
    try:
        from PIL import Image
    except ImportError:
        print("Pillow not installed: PNG fixtures skipped", file=sys.stderr)
        return inputs, ref
    manifest = json.load(open(os.path.join(testdata, "preprocess", "manifest.json")))
    for entry in manifest["images"] if isinstance(manifest, dict) and "images" in manifest else manifest:
        if entry.get("format") != "PNG" or entry["name"] in inputs:
            continue
        with Image.open(os.path.join(testdata, "preprocess", entry["file"])) as im:
            if im.mode == "RGB":  # other modes are converted on the Java side, not by these kernels
                inputs[entry["name"]] = np.asarray(im)
    return inputs, ref


def check_preprocessing(k, testdata):
    inputs, ref = fixture_inputs(testdata)
    names = list(inputs)
    values, rgb = k.preprocess([inputs[n] for n in names], 224)
    values16, _ = k.preprocess([inputs[n] for n in names], 224, dtype=F16)
    for i, name in enumerate(names):
        want_rgb = np.load(os.path.join(ref, f"{name}.rgb_u8.npy"))
        want_pv = np.load(os.path.join(ref, f"{name}.pixel_values.npy"))
        check(np.array_equal(rgb[i], want_rgb), f"preprocess {name}: rgb_u8 identical")
        check(np.array_equal(values[i].view(np.uint32), want_pv.view(np.uint32)), f"preprocess {name}: pixel_values bit-exact")
        check(np.array_equal(values16[i], want_pv.astype(np.float16)), f"preprocess {name}: float16 = numpy's rounding")
    return names


# ---------------------------------------------------------------- 2. scores vs PyTorch
def check_scores(k, torch, dev, n=1024, m=1000, d=512):
    rng = np.random.default_rng(0)
    topk, scale = 5, 100.0
    img = rng.standard_normal((n, d), dtype=np.float32)
    txt = rng.standard_normal((m, d), dtype=np.float32)
    ti, tt = torch.from_numpy(img).to(dev), torch.from_numpy(txt).to(dev)
    ti = ti / ti.norm(dim=1, keepdim=True)
    tt = tt / tt.norm(dim=1, keepdim=True)
    t_logits = scale * ti @ tt.t()
    t_logits_np = t_logits.cpu().numpy()
    logits = k.similarity(img, txt, scale)
    diff = float(np.abs(logits - t_logits_np).max())
    check(diff <= 1e-5 * scale, f"similarity vs torch: max abs diff {diff:.3g} (<= {1e-5 * scale:g})")
    # Probabilities against a float64 softmax of the same float32 logits: torch's own float32 softmax is off
    # by up to ~7e-7 for 1000 columns and ~6e-6 for 20000 (its sum), so it is shown, not used as the reference.
    l64 = t_logits_np.astype(np.float64)
    e64 = np.exp(l64 - l64.max(axis=1, keepdims=True))
    ref = e64 / e64.sum(axis=1, keepdims=True)
    ref_i = np.argsort(-ref, axis=1, kind="stable")[:, :topk]  # ties: lower index first, as torch.topk
    ref_p = np.take_along_axis(ref, ref_i, 1)
    probs, tp, tidx = k.softmax_topk(t_logits_np, topk)
    pdiff = float(np.abs(probs - ref).max())
    tdiff = float(np.abs(t_logits.softmax(dim=-1).cpu().numpy() - ref).max())
    check(pdiff <= 1e-6, f"softmax vs float64 softmax: max abs diff {pdiff:.3g} (<= 1e-6; torch.softmax: {tdiff:.3g})")
    check(float(np.abs(tp - ref_p).max()) <= 1e-6, "top-k probabilities vs the float64 top-k")
    swapped = int((tidx != ref_i).sum())
    # Indices may only differ where the probabilities are (near) tied.
    ok = np.abs(np.take_along_axis(ref, tidx.astype(np.int64), 1) - ref_p).max() <= 1e-6
    check(bool(ok), f"top-k indices vs the float64 top-k ({swapped} near-tie swaps)")
    zp, zi = k.zero_shot_topk(img, txt, scale, topk)
    # The fused path computes its own logits (within `diff` of torch's); softmax moves p_j by at most
    # p_j * 2 * max|logit error|, plus float32 rounding.
    zdiff = np.abs(zp - ref_p)
    zok = bool((zdiff <= 2 * diff * ref_p + 1e-6).all())
    check(zok, f"zero_shot_topk vs float64 top-k of torch's logits: max abs diff {float(zdiff.max()):.3g} "
          f"(logit diff {diff:.3g})")
    if dev == "cuda":
        dp, di, dl = k.zero_shot_topk_device(torch.from_numpy(img).to(dev), torch.from_numpy(txt).to(dev), scale,
                                             topk)
        check(np.array_equal(dp, zp) and np.array_equal(di, zi), "zero_shot_topk_cuda_device on torch tensors "
              "= host-pointer zero_shot_topk")
        ldiff = float(np.abs(dl - np.take_along_axis(t_logits.cpu().numpy(), di.astype(np.int64), 1)).max())
        check(ldiff <= 1e-5 * scale, f"zero_shot_topk_cuda_device pick logits vs torch: max abs diff {ldiff:.3g}")


# ---------------------------------------------------------------- 3. device memory shared with LibTorch
def check_torch_interop(k, torch, testdata):
    inputs, _ = fixture_inputs(testdata)
    images = list(inputs.values())
    host, _ = k.preprocess(images, 224)
    for dtype, tdtype in ((F32, torch.float32), (F16, torch.float16)):
        out = torch.full((len(images), 3, 224, 224), float("nan"), dtype=tdtype, device="cuda")
        k.preprocess_into(images, 224, out, dtype)
        want = host if dtype == F32 else host.astype(np.float16)
        got = out.cpu().numpy()
        check(np.array_equal(got.view(np.uint16 if dtype == F16 else np.uint32),
                             want.view(np.uint16 if dtype == F16 else np.uint32)),
              f"preprocess_cuda_device into a torch.{str(tdtype).split('.')[-1]} CUDA tensor = host path, bit for bit")
    # On a torch side stream, right after torch queued a fill of the same tensor there: stream order holds.
    side = torch.cuda.Stream()
    with torch.cuda.stream(side):
        out = torch.empty((len(images), 3, 224, 224), device="cuda")
        out.fill_(float("nan"))
        k.preprocess_into(images, 224, out, F32, stream=side.cuda_stream)
    side.synchronize()
    check(np.array_equal(out.cpu().numpy().view(np.uint32), host.view(np.uint32)),
          "preprocess_cuda_device on a torch side stream = host path, bit for bit")
    small = torch.empty((1, 3, 224, 224), device="cuda")
    try:
        k.preprocess_into(images, 224, small)
        check(False, "preprocess_cuda_device rejects a too-small tensor")
    except RuntimeError as e:
        check("out_bytes" in str(e), "preprocess_cuda_device rejects a too-small tensor")
    try:
        k.preprocess_into(images[:1], 224, torch.empty((1, 3, 224, 224)))
        check(False, "preprocess_cuda_device rejects a CPU tensor")
    except RuntimeError as e:
        check("device memory" in str(e), "preprocess_cuda_device rejects a CPU tensor")


# ---------------------------------------------------------------- 4. timing
def timed(fn, sync, repeat=5):
    fn()
    sync()
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        sync()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


PHOTO_SIZES = ((480, 640), (1080, 1920), (3024, 4032), (500, 375))


def benchmarks(k, torch, dev, emit, photo_sizes=PHOTO_SIZES, repeat_photos=16, scores=(4096, 21843, 768)):
    """Times each kernel and its PyTorch equivalent; emit(row) prints each row as soon as it is measured.
    The sizes are parameters only so that test_gpu_check.py can run this code small on a CPU."""
    sync = torch.cuda.synchronize if dev == "cuda" else (lambda: None)
    tf = torch.nn.functional
    rng = np.random.default_rng(1)
    # Preprocessing: 64 photos of mixed sizes.
    sizes = list(photo_sizes) * repeat_photos
    images = [rng.integers(0, 256, (h, w, 3), dtype=np.uint8) for h, w in sizes]
    in_bytes = sum(i.nbytes for i in images)
    out_bytes = len(images) * 3 * 224 * 224 * 4
    mean_t = torch.tensor(MEAN, device=dev).view(3, 1, 1)
    std_t = torch.tensor(STD, device=dev).view(3, 1, 1)

    def torch_preprocess():
        outs = []
        for im in images:
            x = torch.from_numpy(im).to(dev).permute(2, 0, 1).float().unsqueeze(0)
            h, w = im.shape[:2]
            s = 224
            size = (int(s * h / w), s) if w <= h else (s, int(s * w / h))
            x = tf.interpolate(x, size=size, mode="bicubic", antialias=True, align_corners=False)
            x = x.round().clamp(0, 255)[0]
            top, left = int(round((size[0] - s) / 2)), int(round((size[1] - s) / 2))
            x = x[:, top:top + s, left:left + s] / 255.0
            outs.append((x - mean_t) / std_t)
        return torch.stack(outs).cpu()

    device_out = torch.empty((len(images), 3, 224, 224), device=dev)
    for label, fn in (("clip4j CUDA", lambda: k.preprocess(images, 224, backend="cuda")),
                      ("clip4j CUDA into a torch CUDA tensor", lambda: k.preprocess_into(images, 224, device_out)),
                      ("clip4j CPU (8 images, all cores)", lambda: k.preprocess(images[:8], 224, backend="cpu")),
                      ("PyTorch interpolate(bicubic, antialias) per image", torch_preprocess)):
        count = len(images[:8]) if "CPU" in label else len(images)
        t = guarded(f"timing preprocess, {label}", timed, fn, sync, 3 if "CPU" in label else 5)
        if t is None:
            continue
        gb = (in_bytes * count / len(images) + out_bytes * count / len(images)) / t / 1e9
        emit((f"preprocess {len(images)} mixed photos -> 224", label, f"{count / t:,.0f} images/s", f"{gb:.2f} GB/s"))

    # Similarity, softmax + top-k, fused zero-shot.
    (n, m, d), topk, scale = scores, 5, 100.0
    img = rng.standard_normal((n, d), dtype=np.float32)
    txt = rng.standard_normal((m, d), dtype=np.float32)

    def torch_logits():
        a = torch.from_numpy(img).to(dev)
        b = torch.from_numpy(txt).to(dev)
        return scale * (a / a.norm(dim=1, keepdim=True)) @ (b / b.norm(dim=1, keepdim=True)).t()

    flops = 2.0 * n * m * d
    for label, fn in (("clip4j CUDA", lambda: k.similarity(img, txt, scale, backend="cuda")),
                      ("PyTorch (TF32 off)", lambda: torch_logits().cpu())):
        t = guarded(f"timing similarity, {label}", timed, fn, sync)
        if t is None:
            continue
        emit((f"similarity {n}x{m}x{d} (logits to host)", label, f"{flops / t / 1e12:.2f} TFLOP/s",
                     f"{(img.nbytes + txt.nbytes + n * m * 4) / t / 1e9:.2f} GB/s"))
    logits = guarded("similarity for the softmax timing", k.similarity, img, txt, scale, "cuda")
    if logits is None:
        logits = torch_logits().cpu().numpy()
    for label, fn in (("clip4j CUDA", lambda: k.softmax_topk(logits, topk, want_probs=False, backend="cuda")),
                      ("PyTorch softmax+topk", lambda: [t.cpu() for t in
                                                        torch.from_numpy(logits).to(dev).softmax(-1).topk(topk, -1)])):
        t = guarded(f"timing softmax+top-k, {label}", timed, fn, sync)
        if t is None:
            continue
        emit((f"softmax+top-{topk} {n}x{m} (top-k to host)", label, f"{n / t:,.0f} rows/s",
                     f"{logits.nbytes / t / 1e9:.2f} GB/s"))
    d_img, d_txt = torch.from_numpy(img).to(dev), torch.from_numpy(txt).to(dev)
    for label, fn in (("clip4j CUDA", lambda: k.zero_shot_topk(img, txt, scale, topk, backend="cuda")),
                      ("clip4j CUDA, features in torch CUDA tensors", lambda: k.zero_shot_topk_device(
                          d_img, d_txt, scale, topk)),
                      ("PyTorch", lambda: [t.cpu() for t in torch_logits().softmax(-1).topk(topk, -1)])):
        t = guarded(f"timing zero-shot, {label}", timed, fn, sync)
        if t is None:
            continue
        emit((f"zero-shot top-{topk} {n}x{m}x{d}", label, f"{n / t:,.0f} images/s",
                     f"{flops / t / 1e12:.2f} TFLOP/s"))


def out(line=""):
    print(line, flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", required=True)
    ap.add_argument("--testdata", required=True)
    ap.add_argument("--backend", choices=("cuda", "cpu"), default="cuda")
    args = ap.parse_args()
    k = Kernels(args.lib, args.backend)
    if args.backend == "cuda" and not k.lib.clip4j_cuda_available():
        # In the markdown too: the reason (no driver, a driver older than the toolkit, sm < 80) is the result.
        out("### GPU check " + time.strftime("%Y-%m-%d"))
        out()
        out("- no usable CUDA device: " + k.lib.clip4j_last_error().decode())
        return 2
    names = guarded("preprocessing vs fixtures", check_preprocessing, k, args.testdata) or []
    try:
        import torch
    except ImportError:
        torch = None
        print("PyTorch not installed: torch comparisons and timings skipped", file=sys.stderr)
    device_name = "CPU only"
    dev = None
    if torch is not None:
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        dev = "cpu"
        if args.backend == "cuda":
            if torch.cuda.is_available():
                dev = "cuda"
                device_name = torch.cuda.get_device_name(0)
            else:
                check(False, f"torch {torch.__version__} sees no CUDA device: torch-on-GPU checks and timings not run")
        guarded("scores vs torch", check_scores, k, torch, dev)
        if dev == "cuda":
            guarded("device memory shared with torch", check_torch_interop, k, torch, args.testdata)

    out("### GPU check " + time.strftime("%Y-%m-%d"))
    out()
    out(f"- device: {device_name}; torch {getattr(torch, '__version__', 'n/a')}"
        f" (CUDA {getattr(getattr(torch, 'version', None), 'cuda', 'n/a')}); python {platform.python_version()}")
    out(f"- preprocessing fixtures checked ({len(names)}): {', '.join(names)}")
    out(f"- correctness: {'all checks passed' if not FAILURES else 'FAILED: ' + '; '.join(FAILURES)}")
    if dev == "cuda":
        out()
        out("| operation | implementation | throughput | bandwidth / compute |")
        out("|---|---|---|---|")
        before = len(FAILURES)
        guarded("timings", benchmarks, k, torch, dev, lambda r: out("| " + " | ".join(r) + " |"))
        if len(FAILURES) > before:
            out()
            out("- timing rows that failed (the other rows ran): " + "; ".join(FAILURES[before:]))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
