"""Real-size parity: clip4j against the reference openai/CLIP on OpenAI's architectures with random weights.

Usage: /usr/bin/python3 scripts/real-size-parity.py CLIP_CHECKOUT WORK_DIR [--models ViT-B/32,RN50]
           [--formats state_dict,torchscript,safetensors] [--threads 2] [--seed 0]
  CLIP_CHECKOUT  a directory holding openai/CLIP's package (CLIP_CHECKOUT/clip/model.py is imported; nothing else
                 of the package is needed)
  WORK_DIR       where checkpoints (hundreds of MB per model: keep it out of the repository), clip4j's outputs and
                 results.json are written
Run from the repository root after `mvn -B -ntp -o -q package -DskipTests -Dclip4j.cmake.tests=OFF` (the CLI's class
path is used to run scripts/RealSizeParity.java). Needs torch (written with 1.13) and numpy; no Pillow, ftfy or
torchvision: the images are preprocessed and the texts tokenised by clip4j (both are checked bit-exact elsewhere), and
clip4j writes the tensors it used so that the reference runs on exactly the same inputs. So this compares the towers,
the checkpoint readers and the configuration inference, not preprocessing or tokenisation.

For each model (hyperparameters as in testdata/openai-shapes/gen.py):
1. the reference CLIP(...) is built with torch.manual_seed(seed) (its __init__ calls initialize_parameters()); then,
   so that no part of the architecture is hidden by an initialisation that makes it trivial, the parameters that
   initialize_parameters leaves at constants are set to random values like a trained model's: LayerNorm and BatchNorm
   weights and biases (bn3.weight is zero at init, which would silence every bottleneck's residual branch) and the
   attention biases (zero at init); the BatchNorm running statistics are those of the activations of 8 random images
   (one pass in training mode; with constant statistics the ResNet's stages shrink the signal until every image gives
   the same features); logit_scale is set to ln(100) as in the released models. Then clip.model.convert_weights (fp16 for the layers it lists), as in OpenAI's release.
2. the checkpoint is written as (a) state_dict.pt: torch.save(model.state_dict()); (b) model.pt: a TorchScript
   archive like OpenAI's (torch.jit.trace_module in float32 of forward/encode_image/encode_text, then the traced
   parameters set to the dtypes convert_weights gives, with int64 buffers input_resolution, context_length and
   vocab_size); (c) model.safetensors: the same state dict under OpenAI's names, written with numpy (no
   safetensors package needed: 8-byte header length, JSON header, raw little-endian data).
3. clip4j loads each file (ClipModel.builder(path).threads(N)), preprocesses the images and tokenises the texts
   itself, encodes them and writes pixel_values, input_ids, image_features, text_features, logits_per_image, probs
   and clip4j.json (inferred configuration, wall times).
4. the reference runs the way clip.load(path, device="cpu", jit=False) does: state dict (of the archive, for the
   TorchScript file) -> build_model -> .float(), then encode_image, encode_text and forward on clip4j's inputs; the
   differences are printed and written to WORK_DIR/results.json.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

import numpy as np

# name -> (embed_dim, image_resolution, vision_layers, vision_width, vision_patch_size,
#          context_length, vocab_size, transformer_width, transformer_heads, transformer_layers)
MODELS = {
    "RN50": (1024, 224, (3, 4, 6, 3), 64, None, 77, 49408, 512, 8, 12),
    "RN101": (512, 224, (3, 4, 23, 3), 64, None, 77, 49408, 512, 8, 12),
    "RN50x4": (640, 288, (4, 6, 10, 6), 80, None, 77, 49408, 640, 10, 12),
    "RN50x16": (768, 384, (6, 8, 18, 8), 96, None, 77, 49408, 768, 12, 12),
    "RN50x64": (1024, 448, (3, 15, 36, 10), 128, None, 77, 49408, 1024, 16, 12),
    "ViT-B/32": (512, 224, 12, 768, 32, 77, 49408, 512, 8, 12),
    "ViT-B/16": (512, 224, 12, 768, 16, 77, 49408, 512, 8, 12),
    "ViT-L/14": (768, 224, 24, 1024, 14, 77, 49408, 768, 12, 12),
    "ViT-L/14@336px": (768, 336, 24, 1024, 14, 77, 49408, 768, 12, 12),
}
FIELDS = ("embed_dim", "image_resolution", "vision_layers", "vision_width", "vision_patch_size",
          "context_length", "vocab_size", "transformer_width", "transformer_heads", "transformer_layers")
IMAGES = ["samples/chelsea.png", "samples/coffee.png", "samples/squirrel.jpg"]
TEXTS = ["a photo of a cat", "a cup of coffee", "a squirrel eating a nut", "a diagram of a neural network"]
FORMATS = ("state_dict", "torchscript", "safetensors")
FILES = {"state_dict": "state_dict.pt", "torchscript": "model.pt", "safetensors": "model.safetensors"}


def perturb_like_trained(torch, net, seed):
    """Random values for the parameters and buffers that initialize_parameters leaves constant."""
    g = torch.Generator().manual_seed(seed + 1)

    def randn(t, std, mean=0.0):
        return torch.randn(t.shape, generator=g, dtype=torch.float32) * std + mean

    with torch.no_grad():
        for name, module in net.named_modules():
            kind = type(module).__name__
            if kind == "LayerNorm":  # the reference's subclass of nn.LayerNorm
                module.weight.copy_(randn(module.weight, 0.1, 1.0))
                module.bias.copy_(randn(module.bias, 0.02))
            elif kind == "BatchNorm2d":
                # bn3 of a bottleneck scales the residual branch: smaller, so that the deep stages stay in range
                small = name.endswith("bn3") or name.endswith("downsample.1")
                module.weight.copy_(randn(module.weight, 0.05, 0.25 if small else 1.0))
                module.bias.copy_(randn(module.bias, 0.05))
            elif kind == "MultiheadAttention":
                module.in_proj_bias.copy_(randn(module.in_proj_bias, 0.02))
                module.out_proj.bias.copy_(randn(module.out_proj.bias, 0.02))
        net.logit_scale.fill_(math.log(100.0))
        bns = [m for m in net.modules() if type(m).__name__ == "BatchNorm2d"]
        if bns:
            # Running statistics of the activations themselves, as training leaves them: with constant ones the
            # randomly initialised stages shrink the signal until every image gives the same features.
            for m in bns:
                m.reset_running_stats()
                m.momentum = None  # cumulative average over the calibration batch
            net.visual.train()
            res = net.visual.input_resolution
            net.visual(torch.randn(8, 3, res, res, generator=g))
            net.visual.eval()
            for m in bns:
                m.momentum = 0.1


def build_reference(torch, ref, hp, seed):
    torch.manual_seed(seed)
    with torch.no_grad():
        net = ref.CLIP(*hp)
    perturb_like_trained(torch, net, seed)
    return net


def save_torchscript(torch, ref, hp, seed, path, dtypes):
    """A TorchScript archive like OpenAI's: traced in float32, parameters stored with convert_weights' dtypes."""
    net = build_reference(torch, ref, hp, seed).eval()  # float32, same values as the converted model before fp16
    # The converted model's values: round the fp16 tensors, so that the archive holds exactly the state dict's values.
    with torch.no_grad():
        for name, p in net.named_parameters():
            if dtypes[name] == torch.float16:
                p.copy_(p.half().float())
    # Plain attributes of the reference CLIP (unused by its forward methods); buffers in OpenAI's archives.
    del net.context_length, net.vocab_size
    net.register_buffer("input_resolution", torch.tensor(hp[1]))
    net.register_buffer("context_length", torch.tensor(hp[5]))
    net.register_buffer("vocab_size", torch.tensor(hp[6]))
    image = torch.zeros(1, 3, hp[1], hp[1])
    text = torch.zeros(1, hp[5], dtype=torch.long)
    text[0, 0], text[0, 1] = 49406, 49407
    with torch.no_grad():
        traced = torch.jit.trace_module(net, {"forward": (image, text), "encode_image": (image,),
                                              "encode_text": (text,)})
    del net
    with torch.no_grad():
        for name, p in traced.named_parameters():
            if dtypes[name] == torch.float16:
                p.data = p.data.half()
    traced.save(path)
    del traced


def save_safetensors(sd, path):
    names = {"torch.float16": "F16", "torch.float32": "F32", "torch.int64": "I64"}
    header, blobs, offset = {}, [], 0
    for k, t in sd.items():
        data = t.contiguous().numpy().astype(t.numpy().dtype.newbyteorder("<"), copy=False).tobytes()
        header[k] = {"dtype": names[str(t.dtype)], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)
    with open(path, "wb") as f:
        f.write(len(head).to_bytes(8, "little"))
        f.write(head)
        for b in blobs:
            f.write(b)


def load_safetensors(torch, path):
    kinds = {"F16": np.float16, "F32": np.float32, "I64": np.int64}
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        data = f.read()
    sd = {}
    for k, v in header.items():
        if k != "__metadata__":
            a, b = v["data_offsets"]
            arr = np.frombuffer(data[a:b], dtype=kinds[v["dtype"]]).reshape(v["shape"])
            sd[k] = torch.from_numpy(arr.copy())
    return sd


def write_checkpoints(torch, ref, hp, seed, mdir, formats):
    net = build_reference(torch, ref, hp, seed)
    ref.convert_weights(net)
    sd = net.state_dict()
    dtypes = {k: v.dtype for k, v in sd.items()}
    torch.save(sd, os.path.join(mdir, "state_dict.pt"))
    if "safetensors" in formats:
        save_safetensors(sd, os.path.join(mdir, "model.safetensors"))
    params = sum(q.numel() for q in net.parameters())
    del net, sd
    if "torchscript" in formats:
        save_torchscript(torch, ref, hp, seed, os.path.join(mdir, "model.pt"), dtypes)
    return params


def run_clip4j(checkpoint, out_dir, threads, work):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    target = os.path.join(root, "clip-examples", "target")
    with open(os.path.join(target, "classpath.txt")) as f:
        cp = os.path.join(target, "clip-examples.jar") + ":" + f.read().strip()
    images = os.path.join(work, "images.txt")
    texts = os.path.join(work, "texts.txt")
    with open(images, "w") as f:
        f.write("\n".join(os.path.join(root, p) for p in IMAGES) + "\n")
    with open(texts, "w", encoding="utf-8") as f:
        f.write("\n".join(TEXTS) + "\n")
    env = dict(os.environ, OMP_WAIT_POLICY=os.environ.get("OMP_WAIT_POLICY", "PASSIVE"))
    t = time.time()
    subprocess.run(["java", "-Xmx1g", "-cp", cp, os.path.join(root, "scripts", "RealSizeParity.java"),
                    checkpoint, out_dir, str(threads), images, texts], check=True, env=env)
    with open(os.path.join(out_dir, "clip4j.json")) as f:
        info = json.load(f)
    info["process_s"] = round(time.time() - t, 2)
    return info


def compare(name, ours, theirs):
    d = float(np.abs(ours.astype(np.float64) - theirs).max())
    scale = float(np.abs(theirs).max())
    return {"max_abs": d, "max_ref": scale, "rel": d / max(scale, 1e-30)}


def reference_outputs(torch, ref, checkpoint, fmt, out_dir):
    t = time.time()
    if fmt == "torchscript":
        sd = torch.jit.load(checkpoint, map_location="cpu").eval().state_dict()
    elif fmt == "safetensors":
        sd = load_safetensors(torch, checkpoint)
    else:
        sd = torch.load(checkpoint, map_location="cpu")
    model = ref.build_model(sd).float()  # what clip.load(..., device="cpu", jit=False) does
    load_s = time.time() - t
    px = torch.from_numpy(np.load(os.path.join(out_dir, "pixel_values.npy")))
    ids = torch.from_numpy(np.load(os.path.join(out_dir, "input_ids.npy")))
    t = time.time()
    with torch.no_grad():
        image = model.encode_image(px)
        text = model.encode_text(ids)
        logits, _ = model(px, ids)
        probs = logits.softmax(dim=-1)
    encode_s = time.time() - t
    del model, sd
    return {"image_features": image.numpy(), "text_features": text.numpy(), "logits_per_image": logits.numpy(),
            "probs": probs.numpy(), "load_s": load_s, "encode_s": encode_s}


def expected_config(hp):
    c = dict(zip(FIELDS, [list(v) if isinstance(v, tuple) else v for v in hp]))
    c["vision_heads"] = hp[3] * 32 // 64 if isinstance(hp[2], tuple) else hp[3] // 64
    return c


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("clip_checkout")
    p.add_argument("work_dir")
    p.add_argument("--models", default="ViT-B/32,RN50")
    p.add_argument("--formats", default=",".join(FORMATS))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--reuse", action="store_true", help="keep checkpoints already in WORK_DIR (same seed) instead of "
                                                         "writing them again")
    a = p.parse_args()
    sys.path.insert(0, a.clip_checkout)
    import torch
    from clip import model as ref

    torch.set_num_threads(a.threads)
    os.makedirs(a.work_dir, exist_ok=True)
    results_path = os.path.join(a.work_dir, "results.json")
    results = {}
    if os.path.exists(results_path):
        with open(results_path) as f:
            results = json.load(f)
    for name in a.models.split(","):
        hp = MODELS[name]
        mdir = os.path.join(a.work_dir, name.replace("/", "-"))
        os.makedirs(mdir, exist_ok=True)
        formats = a.formats.split(",")
        t = time.time()
        if a.reuse and all(os.path.exists(os.path.join(mdir, FILES[f])) for f in formats):
            params = sum(v.numel() for k, v in torch.load(os.path.join(mdir, "state_dict.pt")).items()
                         if "running_" not in k and "num_batches" not in k)
        else:
            params = write_checkpoints(torch, ref, hp, a.seed, mdir, formats)
        print(f"{name}: {params} parameters, checkpoints ready in {time.time() - t:.1f} s", flush=True)
        entry = results.setdefault(name, {"parameters": params, "torch": torch.__version__, "formats": {}})
        for fmt in formats:
            ckpt = os.path.join(mdir, FILES[fmt])
            out = os.path.join(mdir, "clip4j-" + fmt)
            info = run_clip4j(ckpt, out, a.threads, a.work_dir)
            exp = expected_config(hp)
            config_mismatch = {k: [info[k], v] for k, v in exp.items() if info[k] != v}
            r = reference_outputs(torch, ref, ckpt, fmt, out)
            row = {"checkpoint_mb": round(os.path.getsize(ckpt) / 2 ** 20, 1), "config_mismatch": config_mismatch,
                   "logit_scale_exp": info["logit_scale_exp"], "clip4j": info,
                   "reference_load_s": round(r["load_s"], 2), "reference_encode_s": round(r["encode_s"], 2)}
            for q in ("image_features", "text_features", "logits_per_image", "probs"):
                row[q] = compare(q, np.load(os.path.join(out, q + ".npy")), r[q])
            for q in ("image_features", "text_features"):
                ours = np.load(os.path.join(out, q + ".npy")).astype(np.float64)
                theirs = r[q].astype(np.float64)
                row[q + "_normalized"] = compare(q, ours / np.linalg.norm(ours, axis=-1, keepdims=True),
                                                 theirs / np.linalg.norm(theirs, axis=-1, keepdims=True))
            row["argmax_agree"] = bool((np.load(os.path.join(out, "probs.npy")).argmax(-1)
                                        == r["probs"].argmax(-1)).all())
            entry["formats"][fmt] = row
            print(f"  {fmt:11s} config {'OK' if not config_mismatch else config_mismatch}  "
                  + "  ".join(f"{q} {row[q]['max_abs']:.2e} (rel {row[q]['rel']:.1e})"
                              for q in ("image_features", "text_features", "logits_per_image", "probs"))
                  + f"  argmax {'agree' if row['argmax_agree'] else 'DIFFER'}"
                  + f"  clip4j load {info['load_s']:.2f} s, encode 3 images {info['encode_images_first_s']:.2f}/"
                    f"{info['encode_images_second_s']:.2f} s, 4 texts {info['encode_texts_first_s']:.2f}/"
                    f"{info['encode_texts_second_s']:.2f} s (first/second)", flush=True)
            with open(results_path, "w") as f:
                json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
