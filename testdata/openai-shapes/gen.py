"""Writes the state_dict layout (names, shapes, dtypes; no values) of OpenAI's nine released CLIP models.

Usage: python3 gen.py CLIP_CHECKOUT OUT_DIR
  CLIP_CHECKOUT  a directory holding openai/CLIP's package (CLIP_CHECKOUT/clip/model.py is imported)
  OUT_DIR        where <model>.json is written, one file per model

For every model the reference CLIP class of clip/model.py is constructed with that model's hyperparameters
(below), clip.model.convert_weights is applied to it (build_model does the same before loading a checkpoint, so
these are the dtypes a model built by build_model holds), and its state_dict() is listed in order. The
hyperparameters are those of open_clip's src/open_clip/model_configs/<name>.json (the CLIP paper's Tables 19 and 20
list the same sizes, giving the ResNets' final width, 32 x the stem width below). The script then checks that
clip.model.build_model, given the listed state_dict, builds a model of the same layout, and records the parameter
count (sum of numel over model.parameters(), buffers excluded).

Needs torch (written with 1.13.1) and numpy. Models are built on the CPU one at a time (RN50x64 with its rebuild peaks at ~4 GB).
"""
import json
import os
import sys

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


def file_name(model):
    return model.replace("/", "-").replace("@", "-") + ".json"


def main(clip_checkout, out_dir):
    sys.path.insert(0, clip_checkout)
    import torch
    from clip import model as reference

    torch.manual_seed(0)
    os.makedirs(out_dir, exist_ok=True)
    for name, hp in MODELS.items():
        with torch.no_grad():
            net = reference.CLIP(*hp)
            reference.convert_weights(net)
        sd = net.state_dict()
        tensors = [[k, str(t.dtype).replace("torch.", ""), list(t.shape)] for k, t in sd.items()]
        params = sum(p.numel() for p in net.parameters())
        # The reference's build_model, given this state_dict, must build a model of the same layout (it infers
        # the hyperparameters from the shapes and loads the tensors strictly).
        rebuilt = reference.build_model(dict(sd)).state_dict()
        assert [[k, str(t.dtype).replace("torch.", ""), list(t.shape)] for k, t in rebuilt.items()] == tensors, name
        del rebuilt
        doc = {
            "model": name,
            "generated_by": "testdata/openai-shapes/gen.py: openai/CLIP clip/model.py CLIP(...) + convert_weights, "
                            "torch " + torch.__version__,
            "hyperparameters": dict(zip(FIELDS, [list(v) if isinstance(v, tuple) else v for v in hp])),
            "parameter_count": params,
            "tensors": tensors,
        }
        lines = ",\n".join("  " + json.dumps(t, separators=(",", ":")) for t in tensors)
        head = json.dumps({k: v for k, v in doc.items() if k != "tensors"}, separators=(", ", ": "))
        with open(os.path.join(out_dir, file_name(name)), "w") as f:
            f.write(head[:-1] + ", \"tensors\": [\n" + lines + "\n]}\n")
        print(name, len(tensors), "tensors,", params, "parameters")
        del net, sd


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
