"""CPU speed of clip4j's towers against the reference openai/CLIP (PyTorch) on the same machine, inputs and threads.

Usage: /usr/bin/python3 scripts/tower-speed.py CLIP_CHECKOUT WORK_DIR [--models ViT-B/32,RN50] [--threads 1,2]
           [--warmup 2] [--runs 7]
  CLIP_CHECKOUT  a directory holding openai/CLIP's package (CLIP_CHECKOUT/clip/model.py is imported)
  WORK_DIR       the WORK_DIR of scripts/real-size-parity.py: WORK_DIR/<model>/state_dict.pt must exist (run that
                 script first; e.g. `--formats state_dict` is enough). speed.json is written there.
Run from the repository root after `mvn -B -ntp -o -q package -DskipTests -Dclip4j.cmake.tests=OFF`.

For each model and thread count, one after the other (never at the same time):
1. clip4j (scripts/TowerSpeed.java, ClipModel.builder(path).threads(N)) preprocesses 8 images (the sample photos,
   repeated) and tokenises 8 texts, times the preprocessing apart, then times encodePixels (vision tower on the
   preprocessed batch) and encodeTokens (text tower on the ids): WARMUP calls, then the median of RUNS; it writes
   the tensors it used.
2. the reference: build_model(state_dict).float() (as clip.load(..., device="cpu", jit=False)), torch.set_num_threads(N),
   torch.no_grad(), encode_image and encode_text on the same tensors: WARMUP calls, then the median of RUNS. Also
   encode_text cut at the batch's last EOT (the reference's own modules on the first L positions, with the causal
   mask cut to L x L), which is what clip4j computes; the full-77 call is what openai/CLIP computes.
Both processes get OMP_WAIT_POLICY=PASSIVE unless it is set (see docs/benchmarks.md, "OpenMP wait policy"); the
reference runs in a process of its own per thread count, with OPENBLAS_NUM_THREADS = OMP_NUM_THREADS = N, and clip4j
with OPENBLAS_NUM_THREADS = N (LibTorch's matrix products run on OpenBLAS threads, which ClipModel's threads(N) does
not size: before 2026-12-07 clip4j's 1-thread timings used one OpenBLAS thread per core).
Debian's torch 1.13 does its matrix products in the system BLAS: with Debian's default reference BLAS (libblas3) it
is tens of times slower, so give it OpenBLAS, e.g. `apt-get install libopenblas0-pthread`, or without touching the
system: `apt-get download libopenblas0-pthread && dpkg -x libopenblas0-pthread_*.deb ob` and
LD_LIBRARY_PATH=$PWD/ob/usr/lib/x86_64-linux-gnu/openblas-pthread. The BLAS the reference loaded is recorded.
The 1-minute load average is recorded before each measurement: another job on the machine skews the numbers.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

IMAGES = ["samples/chelsea.png", "samples/coffee.png", "samples/squirrel.jpg", "samples/aloe_1024x768.jpg"] * 2
TEXTS = ["a photo of a cat", "a cup of coffee", "a squirrel eating a nut", "a diagram of a neural network",
         "a photo of a dog", "a close-up photo of an aloe plant in a pot", "a blurry photo of a red car",
         "a painting of a lighthouse on a cliff at sunset"]


def load1():
    return os.getloadavg()[0]


def run_clip4j(root, checkpoint, out_dir, threads, warmup, runs, work):
    target = os.path.join(root, "clip-examples", "target")
    with open(os.path.join(target, "classpath.txt")) as f:
        cp = os.path.join(target, "clip-examples.jar") + ":" + f.read().strip()
    images = os.path.join(work, "speed-images.txt")
    texts = os.path.join(work, "speed-texts.txt")
    with open(images, "w") as f:
        f.write("\n".join(os.path.join(root, p) for p in IMAGES) + "\n")
    with open(texts, "w", encoding="utf-8") as f:
        f.write("\n".join(TEXTS) + "\n")
    subprocess.run(["java", "-Xmx1g", "-cp", cp, os.path.join(root, "scripts", "TowerSpeed.java"), checkpoint,
                    out_dir, str(threads), images, texts, str(warmup), str(runs)], check=True,
                   env=dict(os.environ, OPENBLAS_NUM_THREADS=str(threads)))
    with open(os.path.join(out_dir, "clip4j-speed.json")) as f:
        return json.load(f)


def timed(fn, arg, warmup, runs):
    for _ in range(warmup):
        fn(arg)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn(arg)
        times.append(time.perf_counter() - t)
    return statistics.median(times), times


def reference_times(torch, model, out_dir, threads, warmup, runs):
    torch.set_num_threads(threads)
    px = torch.from_numpy(np.load(os.path.join(out_dir, "pixel_values.npy")))
    ids = torch.from_numpy(np.load(os.path.join(out_dir, "input_ids.npy")))
    cut = int(ids.argmax(dim=-1).max()) + 1  # positions up to the batch's last EOT
    full_mask = model.transformer.resblocks[0].attn_mask

    def encode_text_cut(t):
        # The reference's encode_text on the first `cut` positions: with the causal mask, the EOT rows do not see
        # the positions after them, so the features are the same (up to float32 rounding).
        x = model.token_embedding(t[:, :cut]) + model.positional_embedding[:cut]
        for block in model.transformer.resblocks:
            block.attn_mask = full_mask[:cut, :cut]
        try:
            x = model.transformer(x.permute(1, 0, 2)).permute(1, 0, 2)
        finally:
            for block in model.transformer.resblocks:
                block.attn_mask = full_mask
        x = model.ln_final(x)
        return x[torch.arange(x.shape[0]), t.argmax(dim=-1)] @ model.text_projection

    with torch.no_grad():
        diff = float((encode_text_cut(ids) - model.encode_text(ids)).abs().max())
        image = timed(model.encode_image, px, warmup, runs)
        text = timed(model.encode_text, ids, warmup, runs)
        text_cut = timed(encode_text_cut, ids, warmup, runs)
    return {"encode_images_median_s": image[0], "encode_texts_median_s": text[0],
            "encode_texts_cut_median_s": text_cut[0], "encode_images_s": image[1], "encode_texts_s": text[1],
            "encode_texts_cut_s": text_cut[1], "cut_positions": cut, "cut_vs_full_max_abs_diff": diff}


def blas_in_use():
    with open("/proc/self/maps") as f:
        return sorted({line.split()[-1] for line in f if "blas" in os.path.basename(line.split()[-1]).lower()})


def torch_worker(a):
    """Times the reference in this process (its own, so that the BLAS thread count can be set before loading)."""
    sys.path.insert(0, a.clip_checkout)
    import torch
    from clip import model as ref

    model = ref.build_model(torch.load(a.checkpoint, map_location="cpu")).float().eval()
    r = reference_times(torch, model, a.out_dir, a.threads, a.warmup, a.runs)
    r["torch_version"] = torch.__version__
    r["blas"] = blas_in_use()
    print(json.dumps(r))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("clip_checkout")
    p.add_argument("work_dir")
    p.add_argument("--models", default="ViT-B/32,RN50")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--torch-worker", nargs=3, metavar=("CHECKPOINT", "OUT_DIR", "THREADS"), help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.torch_worker:
        a.checkpoint, a.out_dir, a.threads = a.torch_worker[0], a.torch_worker[1], int(a.torch_worker[2])
        torch_worker(a)
        return
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    results_path = os.path.join(a.work_dir, "speed.json")
    results = {}
    if os.path.exists(results_path):
        with open(results_path) as f:
            results = json.load(f)
    for name in a.models.split(","):
        mdir = os.path.join(a.work_dir, name.replace("/", "-"))
        checkpoint = os.path.join(mdir, "state_dict.pt")
        for threads in (int(t) for t in a.threads.split(",")):
            out = os.path.join(mdir, "speed-t%d" % threads)
            load_before_clip4j = load1()
            ours = run_clip4j(root, checkpoint, out, threads, a.warmup, a.runs, a.work_dir)
            load_before_torch = load1()
            # OpenBLAS (Debian's torch calls the system BLAS for matmul) starts its own threads: same count.
            env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
            theirs = json.loads(subprocess.run(
                [sys.executable, os.path.abspath(__file__), a.clip_checkout, a.work_dir, "--warmup", str(a.warmup),
                 "--runs", str(a.runs), "--torch-worker", checkpoint, out, str(threads)],
                check=True, env=env, stdout=subprocess.PIPE, text=True).stdout.strip().splitlines()[-1])
            results.setdefault(name, {})[str(threads)] = {
                "clip4j": ours, "torch": theirs, "omp_wait_policy": os.environ["OMP_WAIT_POLICY"],
                "load1_before": [load_before_clip4j, load_before_torch]}
            print(f"{name} threads={threads} (load {load_before_clip4j:.2f}/{load_before_torch:.2f}): "
                  f"8 images clip4j {ours['encode_images_median_s'] * 1e3:.0f} ms "
                  f"(+ preprocess {ours['preprocess_median_s'] * 1e3:.0f} ms), "
                  f"torch {theirs['encode_images_median_s'] * 1e3:.0f} ms; "
                  f"8 texts clip4j {ours['encode_texts_median_s'] * 1e3:.1f} ms, "
                  f"torch {theirs['encode_texts_median_s'] * 1e3:.1f} ms (77 positions), "
                  f"{theirs['encode_texts_cut_median_s'] * 1e3:.1f} ms ({theirs['cut_positions']} positions); "
                  f"torch BLAS {theirs['blas']}", flush=True)
            with open(results_path, "w") as f:
                json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
