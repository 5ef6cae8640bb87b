"""Reference training steps of tiny-vit and tiny-rn, computed with the reference CLIP model and torch.optim.AdamW.

Usage: python3 gen.py CLIP_CHECKOUT FIXTURES_DIR OUT_DIR
  CLIP_CHECKOUT  a directory holding openai/CLIP's package (CLIP_CHECKOUT/clip/model.py is imported)
  FIXTURES_DIR   the testdata folder (FIXTURES_DIR/models/tiny-vit/state_dict.pt is read)
  OUT_DIR        where <model>.npz and <model>.json are written

What one case does (float32, CPU, one thread; the same as clip4j's Trainer, see docs/training.md):

* model = clip.model.build_model(state_dict).float(): the fixture's float16 weights converted exactly to float32.
  The model stays in eval mode (build_model returns it so): CLIP has no dropout, and clip4j runs ResNet BatchNorm
  with frozen running statistics during training (a deliberate, documented choice: docs/training.md "Semantics and
  differences from the reference", TrainableClip's class description), so the reference does the same here.
* batch: the fixture's 4 pixel_values and the 4 token rows IDS_ROWS of input_ids.npy, image i paired with row i.
* loss = (CE(logits_per_image, arange) + CE(logits_per_text, arange)) / 2 with the reference CLIP.forward logits.
* AdamW (torch.optim.AdamW, betas (0.9, 0.98), eps 1e-6) with two groups: weight decay WD on every Linear and
  Conv2d weight, MultiheadAttention in_proj_weight, visual.proj and text_projection (the weights that are not gains,
  biases or embeddings); 0 on everything else. Found from the module types, not from shapes.
* lr of step s (0-based): base * (s + 1) / warmup while s < warmup, else 0.5 * (1 + cos(pi * (s - warmup) /
  (total - warmup))) * base (open_clip's cosine_lr), set on both groups before the step.
* optional global gradient-norm clipping (torch.nn.utils.clip_grad_norm_) between backward and step.
* after every step logit_scale is clamped to [0, ln 100].

Written per case: <model>.json (options; per step loss, lr, gradient norm before clipping (null without clipping) and
logit_scale after the clamp; per parameter its shape, how it is stored, whether it decays, and float64 sum, sum of
squares and max abs of (after - before) over ALL its elements; "float32_vs_float64": the same steps run in float64,
only to measure float32 rounding noise) and <model>.npz (np.savez, uncompressed, every array float32):
  after/<name>  the parameter after the last step: every element when it has at most FULL_LIMIT, else SAMPLES
                elements at the flat (C-order) indices floor(j * numel / SAMPLES), j = 0..SAMPLES-1; for
                token_embedding.weight the rows of the batch's token ids (sorted) instead (no other row changes:
                no decay on embeddings and Adam's update of a zero gradient is exactly 0)
  grad/<name>   for a few parameters, their gradient at the first step (after clipping), stored the same way.
"""
import json
import math
import os
import sys

import numpy as np

IDS_ROWS = [3, 4, 6, 7]  # "a photo of a cat", the truncated long caption, "hello <|endoftext|> world", the unicode one
FULL_LIMIT = 4096
SAMPLES = 1024
CASES = {
    # vit: logit_scale starts above ln 100 (4.7), so the clamp after step 1 binds; no gradient clipping.
    "tiny-vit": dict(steps=3, lr=1e-3, wd=0.2, warmup=2, total=6, betas=(0.9, 0.98), eps=1e-6, grad_clip=0.0,
                     logit_scale_init=4.7,
                     grads=["visual.conv1.weight", "visual.class_embedding", "visual.ln_pre.weight",
                            "visual.transformer.resblocks.0.attn.in_proj_weight", "visual.proj",
                            "token_embedding.weight", "positional_embedding", "transformer.resblocks.1.ln_2.bias",
                            "ln_final.weight", "text_projection", "logit_scale"]),
    # rn: the fixture's logit_scale (the clamp does not bind), gradient clipping at a norm below the gradient's.
    "tiny-rn": dict(steps=3, lr=1e-3, wd=0.2, warmup=2, total=6, betas=(0.9, 0.98), eps=1e-6, grad_clip=0.5,
                    logit_scale_init=None,
                    grads=["visual.conv1.weight", "visual.bn1.weight", "visual.bn1.bias",
                           "visual.layer1.0.conv2.weight", "visual.layer4.0.downsample.1.weight",
                           "visual.attnpool.positional_embedding", "visual.attnpool.q_proj.weight",
                           "visual.attnpool.c_proj.bias", "token_embedding.weight", "ln_final.weight",
                           "text_projection", "logit_scale"]),
}


def lr_at(step, base, warmup, total):
    if step < warmup:
        return base * (step + 1) / warmup
    decay = total - warmup
    if decay <= 0:
        return base
    return 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warmup) / decay))) * base


def decayed_names(model, torch):
    names = set()
    for mname, mod in model.named_modules():
        prefix = mname + "." if mname else ""
        if isinstance(mod, (torch.nn.Linear, torch.nn.Conv2d)):
            names.add(prefix + "weight")
        if isinstance(mod, torch.nn.MultiheadAttention) and mod.in_proj_weight is not None:
            names.add(prefix + "in_proj_weight")
    names.update(n for n in ("text_projection", "visual.proj") if n in dict(model.named_parameters()))
    return names


def stored(name, t, token_rows):
    """The stored form of a tensor: see the module docstring."""
    a = t.detach().numpy().astype(np.float32)
    if name == "token_embedding.weight":
        return a[token_rows].copy(), "rows"
    if a.size <= FULL_LIMIT:
        return a.reshape(-1).copy(), "full"
    idx = (np.arange(SAMPLES, dtype=np.int64) * a.size) // SAMPLES
    return a.reshape(-1)[idx].copy(), "strided"


def train(torch, reference, sd, pixels, ids, c, dtype):
    """Builds the model from the fixture's state dict and runs the case's steps in dtype; see the docstring."""
    model = reference.build_model(dict(sd)).to(dtype)
    assert not model.training
    if c["logit_scale_init"] is not None:
        with torch.no_grad():
            model.logit_scale.fill_(c["logit_scale_init"])
    pixels = pixels.to(dtype)
    n = pixels.shape[0]
    params = dict(model.named_parameters())
    decay = decayed_names(model, torch)
    by_shape = {k for k, p in params.items() if p.ndim >= 2 and not k.endswith("embedding")
                and k != "token_embedding.weight"}
    assert decay == by_shape, sorted(decay ^ by_shape)  # the paper's rule and clip4j's WeightDecayRule agree
    groups = [dict(params=[p for k, p in params.items() if k in decay], weight_decay=c["wd"]),
              dict(params=[p for k, p in params.items() if k not in decay], weight_decay=0.0)]
    opt = torch.optim.AdamW(groups, lr=c["lr"], betas=c["betas"], eps=c["eps"], foreach=False)
    before = {k: p.detach().clone() for k, p in params.items()}
    buffers_before = {k: b.clone() for k, b in model.named_buffers()}

    labels = torch.arange(n)
    steps = []
    grads = {}
    for s in range(c["steps"]):
        lr = lr_at(s, c["lr"], c["warmup"], c["total"])
        for g in opt.param_groups:
            g["lr"] = lr
        opt.zero_grad(set_to_none=True)
        logits_per_image, logits_per_text = model(pixels, ids)
        loss = (torch.nn.functional.cross_entropy(logits_per_image, labels)
                + torch.nn.functional.cross_entropy(logits_per_text, labels)) / 2
        loss.backward()
        grad_norm = None
        if c["grad_clip"] > 0:
            grad_norm = float(torch.nn.utils.clip_grad_norm_(list(params.values()), c["grad_clip"]))
            assert grad_norm > c["grad_clip"], "clipping should bind"
        if s == 0:
            grads = {k: params[k].grad.detach().clone() for k in c["grads"]}
        opt.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(100))
        steps.append(dict(step=s, loss=float(loss), lr=lr, grad_norm=grad_norm,
                          logit_scale=float(model.logit_scale)))
    for k, b in model.named_buffers():
        assert torch.equal(b, buffers_before[k]), k  # eval-mode BatchNorm: running statistics untouched
    return before, {k: p.detach() for k, p in params.items()}, decay, steps, grads


def max_abs(a, b):
    return float((a.double() - b.double()).abs().max())


def run_case(torch, reference, fixtures, out_dir, model_name, c):
    d = os.path.join(fixtures, "models", model_name)
    sd = torch.load(os.path.join(d, "state_dict.pt"), map_location="cpu")
    pixels = torch.from_numpy(np.load(os.path.join(d, "pixel_values.npy")))
    ids = torch.from_numpy(np.load(os.path.join(d, "input_ids.npy"))[IDS_ROWS])
    assert ids.shape[0] == pixels.shape[0] and pixels.dtype == torch.float32
    token_rows = np.unique(ids.numpy())

    before, after, decay, steps, grads = train(torch, reference, sd, pixels, ids, c, torch.float32)
    for s in steps:
        print(model_name, s)
    # The same steps in float64, only to measure how far float32 rounding alone moves the results (the reference
    # LayerNorm casts its input to float32: plain nn.LayerNorm.forward keeps float64 for this run).
    ln_forward = reference.LayerNorm.forward
    reference.LayerNorm.forward = torch.nn.LayerNorm.forward
    try:
        _, after64, _, steps64, grads64 = train(torch, reference, sd, pixels, ids, c, torch.float64)
    finally:
        reference.LayerNorm.forward = ln_forward
    noise = dict(loss=max(abs(a["loss"] - b["loss"]) for a, b in zip(steps, steps64)),
                 params=max(max_abs(after[k], after64[k]) for k in after),
                 grads_rel_to_maxabs=max(max_abs(grads[k], grads64[k]) / float(grads64[k].abs().max()) for k in grads))
    print(model_name, "float32 vs float64:", noise)

    arrays = {}
    per_param = {}
    for k, p in after.items():
        a, how = stored(k, p, token_rows)
        arrays["after/" + k] = a
        delta = p.double() - before[k].double()
        per_param[k] = dict(shape=list(p.shape), stored=how, decay=k in decay,
                            delta_sum=float(delta.sum()), delta_sumsq=float((delta * delta).sum()),
                            delta_maxabs=float(delta.abs().max()),
                            f32_vs_f64_maxabs=max_abs(p, after64[k]))
    for k, g in grads.items():
        a, how = stored(k, g, token_rows)
        arrays["grad/" + k] = a
        per_param[k]["grad_stored"] = how
        per_param[k]["grad_maxabs"] = float(g.abs().max())
        per_param[k]["grad_f32_vs_f64_maxabs"] = max_abs(g, grads64[k])
    os.makedirs(out_dir, exist_ok=True)
    np.savez(os.path.join(out_dir, model_name + ".npz"), **arrays)
    doc = dict(model=model_name, generated_by="testdata/train-reference/gen.py, torch " + torch.__version__,
               ids_rows=IDS_ROWS, token_rows=[int(t) for t in token_rows], full_limit=FULL_LIMIT, samples=SAMPLES,
               options={k: v for k, v in c.items() if k != "grads"}, steps=steps,
               float32_vs_float64=dict(noise, steps64=steps64), parameters=per_param)
    with open(os.path.join(out_dir, model_name + ".json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


def main(clip_checkout, fixtures, out_dir):
    sys.path.insert(0, clip_checkout)
    import torch
    from clip import model as reference

    torch.set_num_threads(1)
    torch.manual_seed(0)  # nothing is random; build_model's initial values are all overwritten
    for name, c in CASES.items():
        run_case(torch, reference, fixtures, out_dir, name, c)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3])
