"""Reference values for clip-native's EvalReferenceTest: CLIP's prompt ensembling (the zero-shot notebook's
zeroshot_classifier), zero-shot top-1/top-5 accuracy and image-text retrieval recall@1/5/10, computed with the
reference PyTorch model from the same weights clip4j loads.

Run (Debian bookworm python3-torch 1.13, numpy, Pillow 9.4; no torchvision, ftfy or regex needed):

    /usr/bin/python3 testdata/eval-reference/gen.py [CLIP_DIR]

CLIP_DIR (default /tmp/clipref2) holds the `clip` package of github.com/openai/CLIP, of which only
clip/model.py is imported (build_model, CLIP.encode_image / encode_text). Writes reference.json beside this script.

What is the reference here, piece by piece:
* model: clip.model.build_model(state_dict), then .float() (clip.load on the CPU): testdata/models/tiny-vit/state_dict.pt
  (the weights of the model.pt that EvalReferenceTest loads) and models/default/model.safetensors (read with numpy;
  the fp16 tensors are widened exactly).
* preprocessing: clip._transform(n_px) = torchvision Resize(n_px, BICUBIC) + CenterCrop(n_px) + convert('RGB') +
  ToTensor + Normalize, written with Pillow the way torchvision 0.14 does it for PIL images (PIL resize of the short
  side to n_px, the long side int(n_px * long / short); crop offsets int(round((size - n_px) / 2))). Checked at start:
  reproduces testdata/models/tiny-vit/pixel_values.npy and image_features.npy exactly.
  Fashion-MNIST images are Image.fromarray(uint8 28x28, mode='L') as torchvision's FashionMNIST dataset makes them.
* tokenizer: clip/simple_tokenizer.py for ASCII text (ftfy.fix_text is the identity on the ASCII texts used here, and
  the regex pattern's \\p{L} / \\p{N} reduce to [a-zA-Z] / [0-9]); it refuses non-ASCII text. Checked at start:
  equals the reference ids of every ASCII case of testdata/tokenizer/cases.jsonl that ftfy leaves unchanged.
* prompt templates: the 80 of notebooks/Prompt_Engineering_for_ImageNet.ipynb (IMAGENET_80 below, copied from the
  notebook), filled with template.format(classname). Checked at start: filled with the five class names of
  testdata/tokenizer/cases.jsonl's imagenet_template category they equal those 80 texts.
* zero-shot: zeroshot_classifier(classnames, templates) as in the notebook (normalise each prompt's text_features,
  mean, normalise); logits = logit_scale.exp() * normalised image_features @ weights (the notebook writes 100., the
  logit_scale.exp() of OpenAI's released models); probabilities = softmax; top-k by torch.topk of the logits.
* retrieval: cosine similarity of the distinct images (first-seen order of their normalised paths in captions.csv)
  and all captions; image->text hit at K when any of the image's captions is among the K most similar texts,
  text->image hit at K when the caption's image is among the K most similar images (the Flickr30k/MSCOCO protocol of
  the CLIP paper's Table 13). Recomputed with every similarity within 1e-5 of the true item's counted for and
  against it: the recalls stored are those where both agree (asserted), so float noise cannot change them.
"""
import csv, gzip, html, json, os, re, struct, sys

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TESTDATA = os.path.join(ROOT, "testdata")
sys.path.insert(0, sys.argv[1] if len(sys.argv) > 1 else "/tmp/clipref2")
from clip.model import build_model  # noqa: E402

torch.set_num_threads(1)

IMAGENET_80 = [
    'a bad photo of a {}.', 'a photo of many {}.', 'a sculpture of a {}.', 'a photo of the hard to see {}.',
    'a low resolution photo of the {}.', 'a rendering of a {}.', 'graffiti of a {}.', 'a bad photo of the {}.',
    'a cropped photo of the {}.', 'a tattoo of a {}.', 'the embroidered {}.', 'a photo of a hard to see {}.',
    'a bright photo of a {}.', 'a photo of a clean {}.', 'a photo of a dirty {}.', 'a dark photo of the {}.',
    'a drawing of a {}.', 'a photo of my {}.', 'the plastic {}.', 'a photo of the cool {}.',
    'a close-up photo of a {}.', 'a black and white photo of the {}.', 'a painting of the {}.',
    'a painting of a {}.', 'a pixelated photo of the {}.', 'a sculpture of the {}.', 'a bright photo of the {}.',
    'a cropped photo of a {}.', 'a plastic {}.', 'a photo of the dirty {}.', 'a jpeg corrupted photo of a {}.',
    'a blurry photo of the {}.', 'a photo of the {}.', 'a good photo of the {}.', 'a rendering of the {}.',
    'a {} in a video game.', 'a photo of one {}.', 'a doodle of a {}.', 'a close-up photo of the {}.',
    'a photo of a {}.', 'the origami {}.', 'the {} in a video game.', 'a sketch of a {}.', 'a doodle of the {}.',
    'a origami {}.', 'a low resolution photo of a {}.', 'the toy {}.', 'a rendition of the {}.',
    'a photo of the clean {}.', 'a photo of a large {}.', 'a rendition of a {}.', 'a photo of a nice {}.',
    'a photo of a weird {}.', 'a blurry photo of a {}.', 'a cartoon {}.', 'art of a {}.', 'a sketch of the {}.',
    'a embroidered {}.', 'a pixelated photo of a {}.', 'itap of the {}.', 'a jpeg corrupted photo of the {}.',
    'a good photo of a {}.', 'a plushie {}.', 'a photo of the nice {}.', 'a photo of the small {}.',
    'a photo of the weird {}.', 'the cartoon {}.', 'art of the {}.', 'a drawing of the {}.',
    'a photo of the large {}.', 'a black and white photo of a {}.', 'the plushie {}.', 'a dark photo of a {}.',
    'itap of a {}.', 'graffiti of the {}.', 'a toy {}.', 'itap of my {}.', 'a photo of a cool {}.',
    'a photo of a small {}.', 'a tattoo of the {}.',
]
# A custom list: three of the seven the notebook's sequential forward selection picked.
CUSTOM = ["itap of a {}.", "a {} in a video game.", "art of the {}."]
# The five class names of testdata/tokenizer/cases.jsonl's imagenet_template cases.
ENSEMBLE_LABELS = ["tabby cat", "Golden Retriever", "St. Bernard", "Geoffroy's spider monkey", "tench"]
FASHION = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


# ---------------- clip/simple_tokenizer.py, ASCII text only ----------------
def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


class Tokenizer:
    def __init__(self):
        self.byte_encoder = bytes_to_unicode()
        merges = gzip.open(os.path.join(TESTDATA, "tokenizer/bpe_simple_vocab_16e6.txt.gz")).read().decode("utf-8")
        merges = [tuple(m.split()) for m in merges.split("\n")[1:49152 - 256 - 2 + 1]]
        vocab = list(self.byte_encoder.values())
        vocab = vocab + [v + "</w>" for v in vocab] + ["".join(m) for m in merges] + ["<|startoftext|>", "<|endoftext|>"]
        self.encoder = dict(zip(vocab, range(len(vocab))))
        self.bpe_ranks = dict(zip(merges, range(len(merges))))
        self.cache = {"<|startoftext|>": "<|startoftext|>", "<|endoftext|>": "<|endoftext|>"}
        self.pat = re.compile(r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[a-zA-Z]+|[0-9]|[^\sa-zA-Z0-9]+""",
                              re.IGNORECASE)

    def bpe(self, token):
        if token in self.cache:
            return self.cache[token]
        word = tuple(token[:-1]) + (token[-1] + "</w>",)
        pairs = {(word[i], word[i + 1]) for i in range(len(word) - 1)}
        if not pairs:
            return token + "</w>"
        while True:
            bigram = min(pairs, key=lambda p: self.bpe_ranks.get(p, float("inf")))
            if bigram not in self.bpe_ranks:
                break
            first, second = bigram
            new_word, i = [], 0
            while i < len(word):
                try:
                    j = word.index(first, i)
                    new_word.extend(word[i:j])
                    i = j
                except ValueError:
                    new_word.extend(word[i:])
                    break
                if word[i] == first and i < len(word) - 1 and word[i + 1] == second:
                    new_word.append(first + second)
                    i += 2
                else:
                    new_word.append(word[i])
                    i += 1
            word = tuple(new_word)
            if len(word) == 1:
                break
            pairs = {(word[i], word[i + 1]) for i in range(len(word) - 1)}
        word = " ".join(word)
        self.cache[token] = word
        return word

    def tokenize(self, texts, context_length):
        out = torch.zeros(len(texts), context_length, dtype=torch.long)
        for row, text in enumerate(texts):
            if any(ord(ch) >= 128 for ch in text):
                raise ValueError("ASCII only: " + text)
            text = re.sub(r"\s+", " ", html.unescape(html.unescape(text)).strip()).strip().lower()
            ids = [49406]
            for token in self.pat.findall(text):
                token = "".join(self.byte_encoder[b] for b in token.encode("utf-8"))
                ids.extend(self.encoder[t] for t in self.bpe(token).split(" "))
            ids.append(49407)
            if len(ids) > context_length:
                ids = ids[:context_length]
                ids[-1] = 49407
            out[row, :len(ids)] = torch.tensor(ids)
        return out


# ---------------- clip._transform with torchvision 0.14 on PIL images ----------------
MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)


def preprocess(img, n_px):
    w, h = img.size
    short, long = (w, h) if w <= h else (h, w)
    if short != n_px:
        new_long = int(n_px * long / short)
        img = img.resize((n_px, new_long) if w <= h else (new_long, n_px), Image.BICUBIC)
    w, h = img.size
    top, left = int(round((h - n_px) / 2.0)), int(round((w - n_px) / 2.0))
    img = img.crop((left, top, left + n_px, top + n_px)).convert("RGB")
    a = (np.asarray(img, dtype=np.float32) / 255.0 - MEAN) / STD
    return torch.from_numpy(a.transpose(2, 0, 1).copy())


# ---------------- weights and encoders ----------------
def read_safetensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for k, v in header.items():
        if k != "__metadata__":
            b, e = v["data_offsets"]
            dt = {"F32": np.float32, "F16": np.float16}[v["dtype"]]
            out[k] = torch.from_numpy(np.frombuffer(raw[8 + n + b:8 + n + e], dtype=dt).reshape(v["shape"]).copy())
    return out


def load_model(path):
    sd = read_safetensors(path) if path.endswith(".safetensors") else torch.load(path, map_location="cpu")
    model = build_model(dict(sd)).float()
    model.load_state_dict({k: v.float() for k, v in sd.items()
                           if k not in ("input_resolution", "context_length", "vocab_size")})
    return model.eval()


@torch.no_grad()
def encode_images(model, images):
    n_px = model.visual.input_resolution
    out = [model.encode_image(torch.stack([preprocess(im, n_px) for im in images[s:s + 256]])).float()
           for s in range(0, len(images), 256)]
    return torch.cat(out).numpy()


@torch.no_grad()
def zeroshot_classifier(model, tok, classnames, templates):
    """The notebook's function: [embed_dim, n_classes]."""
    weights = []
    for classname in classnames:
        texts = [template.format(classname) for template in templates]
        e = model.encode_text(tok.tokenize(texts, model.context_length)).float()
        e /= e.norm(dim=-1, keepdim=True)
        e = e.mean(dim=0)
        e /= e.norm()
        weights.append(e)
    return torch.stack(weights, dim=1)


def normed(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def read_idx(images_gz, labels_gz):
    im, lb = gzip.open(images_gz).read(), gzip.open(labels_gz).read()
    n, r, c = struct.unpack(">III", im[4:16])
    x = np.frombuffer(im[16:], dtype=np.uint8).reshape(n, r, c)
    y = np.frombuffer(lb[8:], dtype=np.uint8).astype(np.int64)
    return [Image.fromarray(a, mode="L") for a in x], y


# ---------------- self-checks of the pieces written out above ----------------
def self_checks(tok):
    cases = [json.loads(line) for line in open(os.path.join(TESTDATA, "tokenizer/cases.jsonl"), encoding="utf-8")]
    ascii_cases = [c for c in cases if all(ord(ch) < 128 for ch in c["text"]) and not c["ftfy_changes_text"]]
    for c in ascii_cases:
        assert tok.tokenize([c["text"]], 77)[0].tolist() == c["ids"], c["id"]
    filled = [c["text"] for c in cases if c["category"] == "imagenet_template"]
    assert filled == [t.format(ENSEMBLE_LABELS[i % 5]) for i, t in enumerate(IMAGENET_80)]
    vit = os.path.join(TESTDATA, "models/tiny-vit")
    meta = json.load(open(os.path.join(vit, "meta.json")))
    images = [Image.open(os.path.join(TESTDATA, im["image_file"])) for im in meta["images"]]
    px = torch.stack([preprocess(im, 224) for im in images]).numpy()
    assert np.array_equal(px, np.load(os.path.join(vit, "pixel_values.npy")))
    model = load_model(os.path.join(vit, "state_dict.pt"))
    assert np.array_equal(encode_images(model, images), np.load(os.path.join(vit, "image_features.npy")))
    print(f"self-checks passed: {len(ascii_cases)} tokenizer cases, 80 notebook templates, tiny-vit pixels and features")
    return model, meta


def ensemble(model, tok, meta):
    images = [Image.open(os.path.join(TESTDATA, im["image_file"])) for im in meta["images"]]
    f = torch.from_numpy(normed(encode_images(model, images)))
    scale = model.logit_scale.exp().item()
    out = {"weights": "testdata/models/tiny-vit/state_dict.pt", "logit_scale_exp": scale, "labels": ENSEMBLE_LABELS,
           "images": [im["image_file"] for im in meta["images"]], "sets": {}}
    for name, templates in [("imagenet80", IMAGENET_80), ("custom", CUSTOM)]:
        w = zeroshot_classifier(model, tok, ENSEMBLE_LABELS, templates)
        logits = scale * f @ w
        # How far the plausible wrong computations land (README): raw (unnormalised) mean; one template dropped.
        with torch.no_grad():
            raw = torch.stack([model.encode_text(tok.tokenize([t.format(c) for t in templates], 77)).float().mean(0)
                               for c in ENSEMBLE_LABELS], 1)
        raw /= raw.norm(dim=0, keepdim=True)
        dropped = zeroshot_classifier(model, tok, ENSEMBLE_LABELS, templates[1:])
        out["sets"][name] = {
            "templates": templates,
            "class_embeddings": w.t().tolist(),
            "logits": logits.tolist(),
            "probs": logits.softmax(-1).tolist(),
            "max_diff_if_raw_mean": float((raw - w).abs().max()),
            "max_diff_if_first_template_dropped": float((dropped - w).abs().max()),
        }
    return out


def zero_shot(model, tok):
    sub = os.path.join(ROOT, "clip-native/src/test/resources/fashion-mnist-subset")
    images, y = read_idx(os.path.join(sub, "t10k-images-idx3-ubyte.gz"), os.path.join(sub, "t10k-labels-idx1-ubyte.gz"))
    f = torch.from_numpy(normed(encode_images(model, images)))
    scale = model.logit_scale.exp().item()
    out = {"weights": "models/default/model.safetensors", "dataset": "clip-native/src/test/resources/fashion-mnist-subset",
           "n": len(y), "class_names": FASHION, "per_class_count": np.bincount(y, minlength=10).tolist(), "sets": {}}
    for name, templates in [("photo_of_a", ["a photo of a {}."]), ("imagenet80", IMAGENET_80)]:
        logits = scale * f @ zeroshot_classifier(model, tok, FASHION, templates)
        pred = logits.topk(5, 1, True, True)[1].numpy()
        hit1, hit5 = pred[:, 0] == y, (pred == y[:, None]).any(1)
        # smallest distance between the true class's logit and any other: no float noise reorders them
        true = logits[torch.arange(len(y)), torch.from_numpy(y)]
        gap = (logits - true[:, None]).abs()
        gap[torch.arange(len(y)), torch.from_numpy(y)] = float("inf")
        assert gap.min().item() > 1e-4, gap.min().item()
        out["sets"][name] = {"top1_count": int(hit1.sum()), "top5_count": int(hit5.sum()),
                             "per_class_top1_count": [int(hit1[y == c].sum()) for c in range(10)],
                             "smallest_true_class_logit_gap": gap.min().item()}
    return out


def retrieval(tok):
    rows = list(csv.DictReader(open(os.path.join(HERE, "captions.csv"), encoding="utf-8")))
    paths = [os.path.normpath(os.path.join(HERE, r["path"])) for r in rows]
    distinct = list(dict.fromkeys(paths))
    text_image = np.array([distinct.index(p) for p in paths])
    captions = [r["caption"] for r in rows]
    out = {"captions": "testdata/eval-reference/captions.csv", "images": len(distinct), "texts": len(rows),
           "captions_per_image": np.bincount(text_image).tolist(), "models": {}}
    for key, path in [("default", os.path.join(ROOT, "models/default/model.safetensors")),
                      ("tiny-vit", os.path.join(TESTDATA, "models/tiny-vit/state_dict.pt"))]:
        model = load_model(path)
        img = normed(encode_images(model, [Image.open(p) for p in distinct]))
        with torch.no_grad():
            txt = normed(model.encode_text(tok.tokenize(captions, model.context_length)).float().numpy())
        s = img @ txt.T  # [images, texts]

        def hits(eps):
            # 0-based rank; similarities within eps of the true one count against it (eps > 0), for it (eps < 0)
            i2t = [min(int((s[i] > s[i, t] - eps).sum()) - 1 if eps > 0 else int((s[i] > s[i, t] - eps).sum())
                       for t in np.where(text_image == i)[0]) for i in range(len(distinct))]
            t2i = [int((s[:, t] > s[text_image[t], t] - eps).sum()) - (1 if eps > 0 else 0) for t in range(len(rows))]
            return ([sum(r < k for r in i2t) for k in (1, 5, 10)], [sum(r < k for r in t2i) for k in (1, 5, 10)])

        pessimistic, optimistic = hits(1e-5), hits(-1e-5)
        assert pessimistic == optimistic, (key, pessimistic, optimistic)
        # the same through torch.topk, the usual implementation (CLIP_benchmark-style)
        scores = torch.from_numpy(txt @ img.T)
        pos = torch.zeros_like(scores, dtype=torch.bool)
        pos[torch.arange(len(rows)), torch.from_numpy(text_image)] = True
        t2i = [int(pos.gather(1, scores.topk(k, 1)[1]).any(1).sum()) for k in (1, 5, 10)]
        i2t = [int(pos.t().gather(1, scores.t().topk(k, 1)[1]).any(1).sum()) for k in (1, 5, 10)]
        assert (i2t, t2i) == pessimistic, (i2t, t2i, pessimistic)
        out["models"][key] = {"weights": path[len(ROOT) + 1:], "image_to_text_hits": i2t, "text_to_image_hits": t2i}
    return out


def main():
    tok = Tokenizer()
    vit, meta = self_checks(tok)
    result = {
        "generated_by": "testdata/eval-reference/gen.py",
        "software": {"python": sys.version.split()[0], "torch": torch.__version__, "numpy": np.__version__,
                     "pillow": Image.__version__},
        "ensemble": ensemble(vit, tok, meta),
        "zero_shot": zero_shot(load_model(os.path.join(ROOT, "models/default/model.safetensors")), tok),
        "retrieval": retrieval(tok),
    }
    with open(os.path.join(HERE, "reference.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    for part in ("zero_shot", "retrieval"):
        print(part, json.dumps({k: v for k, v in result[part].items() if k in ("sets", "models")}))
    for name, s in result["ensemble"]["sets"].items():
        print("ensemble", name, "raw-mean diff", s["max_diff_if_raw_mean"], "dropped-template diff",
              s["max_diff_if_first_template_dropped"])


if __name__ == "__main__":
    main()
