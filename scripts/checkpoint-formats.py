"""Checkpoint formats: every format docs/checkpoints.md lists, written the way each ecosystem writes it, against the
reference openai/CLIP on the same weights.

Usage: /usr/bin/python3 scripts/checkpoint-formats.py CLIP_CHECKOUT WORK_DIR
  CLIP_CHECKOUT  a directory holding openai/CLIP's package (CLIP_CHECKOUT/clip/model.py is imported)
  WORK_DIR       where the checkpoints (about 800 MB) and clip4j's outputs are written; keep it out of the repository
Run from the repository root after `mvn -B -ntp -o -q package -DskipTests -Dclip4j.cmake.tests=OFF` (the CLI's class
path runs scripts/CheckpointFormats.java). Needs torch (written with 1.13), numpy and Pillow; no transformers,
open_clip, safetensors or torchvision: their files are written by hand after their naming and config schemas.

Two small random models (a ViT: width 128, 2 layers, patch 32, 224 px; a ResNet: width 32, layers 1,1,1,1; text width
128, 2 layers; embed_dim 64), built and perturbed as in scripts/real-size-parity.py, are written as
- OpenAI TorchScript archives (traced like clip.load's files, convert_weights dtypes), ViT and ResNet;
- torch.save state dicts: convert_weights' float16 mix, float32, a `module.` prefix, open_clip training checkpoints
  ({"epoch", "state_dict" with `module.`, "optimizer": AdamW state}), {"state_dict"} without prefix; a GELU run of a
  bare file asked for with the builder's activation;
- safetensors files with OpenAI's names (ViT and ResNet);
- Hugging Face CLIPModel directories with 4 heads per tower (not width / 64, so that config.json must be read):
  model.safetensors, pytorch_model.bin (with position_ids buffers), no preprocessor_config.json, the legacy
  *_config_dict config with a CLIPFeatureExtractor file, hidden_act gelu, image_mean/std 0.5, a square size (squash),
  do_normalize false, sharded safetensors and sharded bin with their index files, float16 weights;
- open_clip directories (open_clip_config.json with head_width 32, text heads 4): safetensors with quick_gelu, and
  a bin without quick_gelu (GELU) with mean/std 0.5 and resize_mode squash, each also named by its weights file.
clip4j loads each (ClipModel.builder(path)), preprocesses chelsea, coffee and astronaut from testdata/preprocess/images
and tokenises five texts; its pixels are compared with the reference preprocessing (testdata's rgb_u8 references, or
Pillow's resize for squash, then the checkpoint's mean/std), its token ids with testdata's reference ids, and its
image_features, text_features and logits with the reference CLIP built from the same weights (heads and activation as
the checkpoint declares) run on clip4j's pixels and ids. A line per checkpoint; exit status 1 if any differs (pixels
above 1e-5, features or logits above 1e-4 relative to the largest reference value).
"""
import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
spec = importlib.util.spec_from_file_location("rsp", os.path.join(ROOT, "scripts", "real-size-parity.py"))
rsp = importlib.util.module_from_spec(spec)
spec.loader.exec_module(rsp)
ref = None  # clip.model, imported in main
OUT = None  # WORK_DIR/ckpts
VIT = (64, 224, 2, 128, 32, 77, 49408, 128, 2, 2)
RN = (64, 224, (1, 1, 1, 1), 32, None, 77, 49408, 128, 2, 2)


def build(hp, seed):
    net = rsp.build_reference(torch, ref, hp, seed)
    return net.eval()


def fp32_sd(net):
    return {k: v.detach().clone().float() if v.is_floating_point() else v.clone() for k, v in net.state_dict().items()}


def converted_sd(hp, seed):
    net = build(hp, seed)
    ref.convert_weights(net)
    return net.state_dict()


def d(*p):
    path = os.path.join(OUT, *p)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


def hf_state_dict(sd, position_ids=False):
    """OpenAI names -> transformers CLIPModel names (float32 copies)."""
    sd = {k: v.float() if v.is_floating_point() else v for k, v in sd.items()}
    hf = {}
    hf["text_model.embeddings.token_embedding.weight"] = sd["token_embedding.weight"]
    hf["text_model.embeddings.position_embedding.weight"] = sd["positional_embedding"]
    if position_ids:
        hf["text_model.embeddings.position_ids"] = torch.arange(77).unsqueeze(0)
        hf["vision_model.embeddings.position_ids"] = torch.arange(sd["visual.positional_embedding"].shape[0]).unsqueeze(0)

    def block(o, h):
        w = sd[o + "attn.in_proj_weight"]
        b = sd[o + "attn.in_proj_bias"]
        n = w.shape[0] // 3
        for i, p in enumerate("qkv"):
            hf[h + f"self_attn.{p}_proj.weight"] = w[i * n:(i + 1) * n].clone()
            hf[h + f"self_attn.{p}_proj.bias"] = b[i * n:(i + 1) * n].clone()
        hf[h + "self_attn.out_proj.weight"] = sd[o + "attn.out_proj.weight"]
        hf[h + "self_attn.out_proj.bias"] = sd[o + "attn.out_proj.bias"]
        for a, c in (("ln_1", "layer_norm1"), ("ln_2", "layer_norm2"), ("mlp.c_fc", "mlp.fc1"), ("mlp.c_proj", "mlp.fc2")):
            hf[h + c + ".weight"] = sd[o + a + ".weight"]
            hf[h + c + ".bias"] = sd[o + a + ".bias"]

    nt = len({k.split(".")[2] for k in sd if k.startswith("transformer.resblocks")})
    for i in range(nt):
        block(f"transformer.resblocks.{i}.", f"text_model.encoder.layers.{i}.")
    hf["text_model.final_layer_norm.weight"] = sd["ln_final.weight"]
    hf["text_model.final_layer_norm.bias"] = sd["ln_final.bias"]
    hf["vision_model.embeddings.class_embedding"] = sd["visual.class_embedding"]
    hf["vision_model.embeddings.patch_embedding.weight"] = sd["visual.conv1.weight"]
    hf["vision_model.embeddings.position_embedding.weight"] = sd["visual.positional_embedding"]
    hf["vision_model.pre_layrnorm.weight"] = sd["visual.ln_pre.weight"]
    hf["vision_model.pre_layrnorm.bias"] = sd["visual.ln_pre.bias"]
    nv = len({k.split(".")[3] for k in sd if k.startswith("visual.transformer.resblocks")})
    for i in range(nv):
        block(f"visual.transformer.resblocks.{i}.", f"vision_model.encoder.layers.{i}.")
    hf["vision_model.post_layernorm.weight"] = sd["visual.ln_post.weight"]
    hf["vision_model.post_layernorm.bias"] = sd["visual.ln_post.bias"]
    hf["visual_projection.weight"] = sd["visual.proj"].t().contiguous()
    hf["text_projection.weight"] = sd["text_projection"].t().contiguous()
    hf["logit_scale"] = sd["logit_scale"]
    return {k: v.contiguous() for k, v in hf.items()}


def hf_config(vh, th, act="quick_gelu", legacy=False, **over):
    text = {"model_type": "clip_text_model", "vocab_size": 49408, "hidden_size": 128, "intermediate_size": 512,
            "projection_dim": 64, "num_hidden_layers": 2, "num_attention_heads": th, "max_position_embeddings": 77,
            "hidden_act": act, "layer_norm_eps": 1e-05, "attention_dropout": 0.0, "dropout": 0.0,
            "initializer_range": 0.02, "initializer_factor": 1.0, "bos_token_id": 0, "eos_token_id": 2,
            "pad_token_id": 1}
    vision = {"model_type": "clip_vision_model", "hidden_size": 128, "intermediate_size": 512,
              "projection_dim": 64, "num_hidden_layers": 2, "num_attention_heads": vh, "num_channels": 3,
              "image_size": 224, "patch_size": 32, "hidden_act": act, "layer_norm_eps": 1e-05,
              "attention_dropout": 0.0, "dropout": 0.0, "initializer_range": 0.02, "initializer_factor": 1.0}
    cfg = {"_name_or_path": "constructed/clip-tiny", "architectures": ["CLIPModel"], "model_type": "clip",
           "projection_dim": 64, "logit_scale_init_value": 2.6592, "initializer_factor": 1.0,
           "torch_dtype": "float32", "transformers_version": "4.41.2"}
    if legacy:
        # like openai/clip-vit-base-patch32: a *_dict with the real values, a full section of defaults
        cfg["text_config"] = dict(text, hidden_size=512, intermediate_size=2048, num_attention_heads=8,
                                  num_hidden_layers=12)
        cfg["vision_config"] = dict(vision, hidden_size=768, intermediate_size=3072, num_attention_heads=12,
                                    num_hidden_layers=12)
        cfg["text_config_dict"] = {k: text[k] for k in ("hidden_size", "intermediate_size", "num_attention_heads",
                                                         "num_hidden_layers", "projection_dim", "hidden_act")}
        cfg["vision_config_dict"] = {k: vision[k] for k in ("hidden_size", "intermediate_size",
                                                             "num_attention_heads", "num_hidden_layers",
                                                             "image_size", "patch_size", "projection_dim",
                                                             "hidden_act")}
    else:
        cfg["text_config"] = text
        cfg["vision_config"] = vision
    cfg.update(over)
    return cfg


PREPROC = {"crop_size": {"height": 224, "width": 224}, "do_center_crop": True, "do_convert_rgb": True,
           "do_normalize": True, "do_rescale": True, "do_resize": True,
           "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_processor_type": "CLIPImageProcessor",
           "image_std": [0.26862954, 0.26130258, 0.27577711], "resample": 3, "rescale_factor": 0.00392156862745098,
           "size": {"shortest_edge": 224}}
FEATURE_EXTRACTOR = {"crop_size": 224, "do_center_crop": True, "do_normalize": True, "do_resize": True,
                     "feature_extractor_type": "CLIPFeatureExtractor",
                     "image_mean": [0.48145466, 0.4578275, 0.40821073],
                     "image_std": [0.26862954, 0.26130258, 0.27577711], "resample": 3, "size": 224}


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)


def shard(sd, n):
    keys = list(sd)
    per = (len(keys) + n - 1) // n
    return [{k: sd[k] for k in keys[i:i + per]} for i in range(0, len(keys), per)]


def write_checkpoints():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    cases = {}

    vit_net = build(VIT, 1)
    vit32 = fp32_sd(vit_net)
    torch.save(vit32, d("ref", "vit_fp32.pt"))
    vit16 = converted_sd(VIT, 1)
    torch.save(vit16, d("ref", "vit_fp16.pt"))
    rn16 = converted_sd(RN, 2)
    torch.save(rn16, d("ref", "rn_fp16.pt"))
    # reference spec: which weights, heads, activation
    W = {"vit16": "ref/vit_fp16.pt", "vit32": "ref/vit_fp32.pt", "rn16": "ref/rn_fp16.pt", "vithalf": "ref/vit_half.pt"}

    def case(name, path, weights, vh=None, th=None, act="quick_gelu", mean=None, std=None, resize="shortest",
             builder_act=None, expect_error=None):
        cases[name] = dict(path=path, weights=W[weights], vh=vh, th=th, act=act, mean=mean, std=std, resize=resize,
                           builder_act=builder_act, expect_error=expect_error)

    # 1. TorchScript archives (traced like OpenAI's), ViT and RN
    for nm, hp, seed, w in (("vit", VIT, 1, "vit16"), ("rn", RN, 2, "rn16")):
        dtypes = {k: v.dtype for k, v in torch.load(os.path.join(OUT, W[w])).items()}
        rsp.save_torchscript(torch, ref, hp, seed, d("openai", f"{nm}-traced.pt"), dtypes)
        case(f"ts-{nm}", f"openai/{nm}-traced.pt", w)

    # 2. torch.save state dicts
    torch.save(vit16, d("sd", "vit_fp16.pt"))
    case("sd-vit-fp16", "sd/vit_fp16.pt", "vit16")
    torch.save(vit32, d("sd", "vit_fp32.pt"))
    case("sd-vit-fp32", "sd/vit_fp32.pt", "vit32")
    torch.save(rn16, d("sd", "rn_fp16.pt"))
    case("sd-rn-fp16", "sd/rn_fp16.pt", "rn16")
    mod = {"module." + k: v for k, v in vit32.items()}
    torch.save(mod, d("sd", "vit_module.pt"))
    case("sd-vit-module", "sd/vit_module.pt", "vit32")
    opt = torch.optim.AdamW([p for p in vit_net.parameters()], lr=1e-4)
    loss = sum(p.float().sum() for p in vit_net.parameters())
    loss.backward()
    opt.step()
    vit_net.zero_grad()
    torch.save({"epoch": 3, "name": "run", "state_dict": mod, "optimizer": opt.state_dict()},
               d("sd", "epoch_3.pt"))
    case("sd-openclip-train", "sd/epoch_3.pt", "vit32")
    torch.save({"epoch": 3, "state_dict": vit32}, d("sd", "wrapped_noprefix.pt"))
    case("sd-wrapped-noprefix", "sd/wrapped_noprefix.pt", "vit32")
    # open_clip bin with GELU via builder activation
    case("sd-vit-gelu-builder", "sd/vit_fp32.pt", "vit32", act="gelu", builder_act="GELU")

    # 3. safetensors OpenAI names
    rsp.save_safetensors(vit16, d("st", "vit_fp16.safetensors"))
    case("st-vit-fp16", "st/vit_fp16.safetensors", "vit16")
    rsp.save_safetensors(rn16, d("st", "rn_fp16.safetensors"))
    case("st-rn-fp16", "st/rn_fp16.safetensors", "rn16")

    # 4. Hugging Face directories (heads 4/4 in config, not width/64 = 2)
    hf = hf_state_dict(vit32)
    hfp = hf_state_dict(vit32, position_ids=True)

    def hfdir(name, cfg, files, pre=None):
        os.makedirs(d("hf", name, "x"), exist_ok=True)
        write_json(d("hf", name, "config.json"), cfg)
        if pre is not None:
            write_json(d("hf", name, "preprocessor_config.json"), pre)
        for fn, obj in files.items():
            p = d("hf", name, fn)
            if fn.endswith(".safetensors"):
                rsp.save_safetensors(obj, p)
            elif fn.endswith(".json"):
                write_json(p, obj)
            else:
                torch.save(obj, p)
        return f"hf/{name}"

    case("hf-st", hfdir("st", hf_config(4, 4), {"model.safetensors": hf}, PREPROC), "vit32", vh=4, th=4)
    case("hf-bin", hfdir("bin", hf_config(4, 4), {"pytorch_model.bin": hfp}, PREPROC), "vit32", vh=4, th=4)
    case("hf-nopre", hfdir("nopre", hf_config(4, 4), {"model.safetensors": hf}), "vit32", vh=4, th=4)
    case("hf-legacy", hfdir("legacy", hf_config(4, 4, legacy=True), {"model.safetensors": hf}, FEATURE_EXTRACTOR),
         "vit32", vh=4, th=4)
    case("hf-gelu", hfdir("gelu", hf_config(4, 4, act="gelu"), {"model.safetensors": hf}, PREPROC), "vit32",
         vh=4, th=4, act="gelu")
    mean, std = [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]
    case("hf-mean", hfdir("mean", hf_config(4, 4), {"model.safetensors": hf},
                          dict(PREPROC, image_mean=mean, image_std=std)), "vit32", vh=4, th=4, mean=mean, std=std)
    case("hf-squash", hfdir("squash", hf_config(4, 4), {"model.safetensors": hf},
                            dict(PREPROC, size={"height": 224, "width": 224})), "vit32", vh=4, th=4, resize="squash")
    case("hf-nonorm", hfdir("nonorm", hf_config(4, 4), {"model.safetensors": hf},
                            dict(PREPROC, do_normalize=False)), "vit32", vh=4, th=4, mean=[0, 0, 0], std=[1, 1, 1])
    parts = shard(hf, 3)
    idx = {"metadata": {"total_size": sum(v.numel() * v.element_size() for v in hf.values())},
           "weight_map": {k: f"model-{i + 1:05d}-of-00003.safetensors" for i, p in enumerate(parts) for k in p}}
    files = {f"model-{i + 1:05d}-of-00003.safetensors": p for i, p in enumerate(parts)}
    files["model.safetensors.index.json"] = idx
    case("hf-st-sharded", hfdir("st-sharded", hf_config(4, 4), files, PREPROC), "vit32", vh=4, th=4)
    parts = shard(hfp, 2)
    idx = {"metadata": {"total_size": 0},
           "weight_map": {k: f"pytorch_model-{i + 1:05d}-of-00002.bin" for i, p in enumerate(parts) for k in p}}
    files = {f"pytorch_model-{i + 1:05d}-of-00002.bin": p for i, p in enumerate(parts)}
    files["pytorch_model.bin.index.json"] = idx
    case("hf-bin-sharded", hfdir("bin-sharded", hf_config(4, 4), files, PREPROC), "vit32", vh=4, th=4)
    # fp16 HF weights
    hf16 = {k: v.half() if v.is_floating_point() else v for k, v in hf.items()}
    case("hf-fp16", hfdir("fp16", hf_config(4, 4, torch_dtype="float16"), {"model.safetensors": hf16}, PREPROC),
         "vit32", vh=4, th=4)

    # 5. open_clip directories
    oc = {"model_cfg": {"embed_dim": 64, "quick_gelu": True,
                        "vision_cfg": {"image_size": 224, "layers": 2, "width": 128, "head_width": 32,
                                       "patch_size": 32},
                        "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 128, "heads": 4,
                                     "layers": 2}},
          "preprocess_cfg": {"mean": [0.48145466, 0.4578275, 0.40821073],
                             "std": [0.26862954, 0.26130258, 0.27577711]}}
    os.makedirs(d("oc", "st", "x"), exist_ok=True)
    write_json(d("oc", "st", "open_clip_config.json"), oc)
    rsp.save_safetensors(vit32, d("oc", "st", "open_clip_model.safetensors"))
    case("oc-st", "oc/st", "vit32", vh=4, th=4)
    case("oc-st-file", "oc/st/open_clip_model.safetensors", "vit32", vh=4, th=4)
    ocg = json.loads(json.dumps(oc))
    del ocg["model_cfg"]["quick_gelu"]
    ocg["preprocess_cfg"] = {"mean": mean, "std": std, "interpolation": "bicubic", "resize_mode": "squash"}
    os.makedirs(d("oc", "bin", "x"), exist_ok=True)
    write_json(d("oc", "bin", "open_clip_config.json"), ocg)
    torch.save(vit32, d("oc", "bin", "open_clip_pytorch_model.bin"))
    case("oc-bin", "oc/bin", "vit32", vh=4, th=4, act="gelu", mean=mean, std=std, resize="squash")
    case("oc-bin-file", "oc/bin/open_clip_pytorch_model.bin", "vit32", vh=4, th=4, act="gelu", mean=mean, std=std,
         resize="squash")

    torch.save({k: v.half().float() if v.is_floating_point() else v for k, v in vit32.items()}, d("ref", "vit_half.pt"))
    cases["hf-fp16"]["weights"] = "ref/vit_half.pt"
    return cases


TD = os.path.join(ROOT, "testdata")
IMAGES = ["chelsea", "coffee", "astronaut"]
CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]
FIX_TEXT_ROWS = [0, 1, 2, 3, 6]  # rows of tiny-vit/input_ids.npy: CheckpointFormats.java's texts


def reference(c, px, ids):
    orig_qg = ref.QuickGELU.forward
    sd = torch.load(os.path.join(OUT, c["weights"]))
    hp = RN if "rn" in c["weights"] else VIT
    net = ref.CLIP(*hp)
    net.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in sd.items()})
    net = net.float().eval()
    for mname, m in net.named_modules():
        if isinstance(m, torch.nn.MultiheadAttention):
            h = c["vh"] if mname.startswith("visual.") else c["th"]
            if h and not mname.startswith("visual.attnpool"):
                m.num_heads, m.head_dim = h, m.embed_dim // h
    ref.QuickGELU.forward = (lambda self, x: F.gelu(x)) if c["act"] == "gelu" else orig_qg
    try:
        with torch.no_grad():
            img = net.encode_image(torch.from_numpy(px))
            txt = net.encode_text(torch.from_numpy(ids))
            logits, _ = net(torch.from_numpy(px), torch.from_numpy(ids))
    finally:
        ref.QuickGELU.forward = orig_qg
    return img.numpy(), txt.numpy(), logits.numpy(), float(net.logit_scale.exp())


def expected_pixels(c):
    mean = np.array(c["mean"] or CLIP_MEAN, dtype=np.float32)[:, None, None]
    std = np.array(c["std"] or CLIP_STD, dtype=np.float32)[:, None, None]
    out = []
    for n in IMAGES:
        if c["resize"] == "squash":
            u8 = np.asarray(Image.open(f"{TD}/preprocess/images/{n}.png").resize((224, 224), Image.BICUBIC)
                            .convert("RGB"))
        else:
            u8 = np.load(f"{TD}/preprocess/ref/{n}.rgb_u8.npy")
        t = torch.from_numpy(u8.copy()).permute(2, 0, 1).float().div(255).numpy()  # ToTensor
        out.append((t - mean) / std)
    return np.stack(out).astype(np.float32)


def rel(a, b):
    return float(np.abs(a.astype(np.float64) - b).max() / max(np.abs(b).max(), 1e-30))


def run_clip4j(cases, work):
    target = os.path.join(ROOT, "clip-examples", "target")
    with open(os.path.join(target, "classpath.txt")) as f:
        cp = os.path.join(target, "clip-examples.jar") + ":" + f.read().strip()
    tsv = os.path.join(work, "cases.tsv")
    with open(tsv, "w") as f:
        for name, c in cases.items():
            f.write(f"{name}\t{os.path.join(OUT, c['path'])}\t{c['builder_act'] or '-'}\n")
    env = dict(os.environ, OMP_WAIT_POLICY=os.environ.get("OMP_WAIT_POLICY", "PASSIVE"))
    subprocess.run(["java", "-Xmx1g", "-cp", cp, os.path.join(ROOT, "scripts", "CheckpointFormats.java"), tsv,
                    os.path.join(work, "out"), os.path.join(TD, "preprocess", "images")], check=True, env=env)


def compare(cases, out_dir):
    fix_ids = np.load(f"{TD}/models/tiny-vit/input_ids.npy")[FIX_TEXT_ROWS]
    failed = 0
    for name, c in cases.items():
        d = os.path.join(out_dir, name)
        if os.path.exists(os.path.join(d, "error.txt")):
            with open(os.path.join(d, "error.txt")) as f:
                print(f"{name:20s} BAD {f.read()[:300]}")
            failed += 1
            continue
        px = np.load(os.path.join(d, "pixel_values.npy"))
        ids = np.load(os.path.join(d, "input_ids.npy"))
        with open(os.path.join(d, "clip4j.json")) as f:
            info = json.load(f)
        img, txt, logits, scale = reference(c, px, ids)
        ci = np.load(os.path.join(d, "image_features.npy"))
        cf = np.load(os.path.join(d, "image_features_files.npy"))
        r = dict(px=float(np.abs(px - expected_pixels(c)).max()), ids=int((ids != fix_ids).sum()), img=rel(ci, img),
                 files=float(np.abs(cf - ci).max()), txt=rel(np.load(os.path.join(d, "text_features.npy")), txt),
                 logits=rel(np.load(os.path.join(d, "logits_per_image.npy")), logits),
                 scale=abs(info["logit_scale"] - scale) / scale, vh=info["vision_heads"], th=info["transformer_heads"],
                 act=info["activation"])
        bad = (r["px"] > 1e-5 or r["ids"] or r["files"] > 1e-5 or r["scale"] > 1e-6
               or max(r["img"], r["txt"], r["logits"]) > 1e-4)
        failed += bad
        print(f"{name:20s} {'BAD' if bad else 'ok '} " + " ".join(
            f"{k}={v:.1e}" if isinstance(v, float) else f"{k}={v}" for k, v in r.items()))
    return failed


def main():
    global ref, OUT
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("clip_checkout")
    ap.add_argument("work_dir")
    a = ap.parse_args()
    sys.path.insert(0, a.clip_checkout)
    from clip import model as clip_model  # noqa: E402
    ref = clip_model
    OUT = os.path.join(os.path.abspath(a.work_dir), "ckpts")
    cases = write_checkpoints()
    run_clip4j(cases, os.path.abspath(a.work_dir))
    failed = compare(cases, os.path.join(os.path.abspath(a.work_dir), "out"))
    print(f"{len(cases) - failed} of {len(cases)} checkpoints as the reference")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
