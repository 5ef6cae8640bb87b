#!/usr/bin/python3
"""Makes the WebP test files and pillow.json, the reference: how Pillow 9.4 (libwebp 1.2.4, Debian 12) opens each.

Needs Debian's python3-pil and webp (cwebp, webpmux). Sources: testdata/preprocess/images (see testdata/ORIGIN.md), shrunk.
Run from this folder: /usr/bin/python3 make-webp.py
"""
import hashlib
import json
import os
import random
import subprocess
import tempfile

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
IMAGES = os.path.join(HERE, "../../../../../../../../testdata/preprocess/images")
TMP = tempfile.mkdtemp()


def src(name, size=None, mode=None):
    im = Image.open(os.path.join(IMAGES, name))
    im = im.convert(mode or ("RGBA" if im.mode in ("RGBA", "LA", "P") else "RGB"))
    if size:
        im = im.resize(size, Image.BICUBIC)
    return im


def png(im, tag):
    p = os.path.join(TMP, tag + ".png")
    im.save(p)
    return p


def run(*args):
    subprocess.run([str(a) for a in args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def cwebp(out, im, *opts):
    run("cwebp", "-quiet", *opts, png(im, out), "-o", os.path.join(HERE, out))


def noise(w, h, seed):
    r = random.Random(seed)
    return Image.frombytes("RGB", (w, h), bytes(r.randrange(256) for _ in range(w * h * 3)))


def make():
    cat = src("chelsea.png", (96, 64))
    astro = src("astronaut.png", (80, 80))
    coffee = src("coffee.png", (120, 80))
    rgba = src("rgba_transparent.png", (100, 67))
    # Lossy (VP8): quality, filters, segments, odd sizes (libwebp 1.2.4 writes one token partition)
    cwebp("lossy_q75.webp", cat)
    cwebp("lossy_q5.webp", cat, "-q", 5)
    cwebp("lossy_q100_m6.webp", astro, "-q", 100, "-m", 6)
    cwebp("lossy_nofilter.webp", coffee, "-f", 0)
    cwebp("lossy_simple_filter.webp", coffee, "-nostrong", "-f", 80, "-sharpness", 3)
    cwebp("lossy_strong_filter.webp", astro, "-strong", "-f", 100, "-sharpness", 7, "-sns", 100)
    cwebp("lossy_segments1.webp", cat, "-segments", 1, "-sns", 0)
    cwebp("lossy_m0.webp", coffee, "-m", 0, "-q", 40)
    cwebp("lossy_1x1.webp", src("tiny_1x1.png"))
    cwebp("lossy_7x5.webp", src("tiny_7x5.png"))
    cwebp("lossy_17x33.webp", src("coffee.png", (17, 33)))
    cwebp("lossy_tall_37x300.webp", src("tall_37x300.png"))
    cwebp("lossy_gray.webp", src("gray_L.png", (50, 41)))
    cwebp("lossy_noise.webp", noise(40, 24, 1), "-q", 90)
    # Lossy with an ALPH chunk: filters, raw or VP8L-compressed alpha, alpha level reduction
    for f in ("none", "fast", "best"):
        cwebp("alpha_filter_%s.webp" % f, rgba, "-alpha_filter", f, "-q", 60)
    cwebp("alpha_raw.webp", rgba, "-alpha_method", 0)
    cwebp("alpha_q30.webp", rgba, "-alpha_q", 30)
    cwebp("alpha_exact.webp", rgba, "-exact")
    # Lossless (VP8L): effort levels (different transforms and caches), near-lossless, palettes
    for z in (0, 3, 6, 9):
        cwebp("lossless_z%d.webp" % z, cat, "-z", z)
    cwebp("lossless_rgba_exact.webp", rgba, "-lossless", "-exact")
    cwebp("lossless_rgba.webp", rgba, "-lossless")
    cwebp("lossless_near60.webp", astro, "-near_lossless", 60)
    cwebp("lossless_1x1.webp", src("tiny_1x1.png"), "-lossless")
    cwebp("lossless_7x5.webp", src("tiny_7x5.png"), "-lossless")
    cwebp("lossless_gray.webp", src("gray_L.png", (33, 31)), "-lossless")
    cwebp("lossless_noise.webp", noise(37, 19, 2), "-lossless")
    for colors in (2, 4, 16, 200):
        pal = cat.quantize(colors).convert("RGB")
        cwebp("lossless_palette%d.webp" % colors, pal, "-lossless", "-z", 9)
    cwebp("lossless_wide.webp", src("wide_1000x50.png", (500, 25)), "-lossless", "-z", 5)
    # Pillow's own encoder: metadata chunks in a VP8X container
    cat.save(os.path.join(HERE, "pillow_exif_icc.webp"), quality=80,
             exif=Image.open(os.path.join(IMAGES, "exif_orientation6.jpg")).info.get("exif", b""),
             icc_profile=b"\0" * 128)
    rgba.save(os.path.join(HERE, "pillow_lossless_rgba.webp"), lossless=True)
    # Animations: Pillow opens the first frame, drawn on a canvas cleared to transparent black
    frames = [cat, cat.transpose(Image.FLIP_LEFT_RIGHT), src("coffee.png", (96, 64))]
    frames[0].save(os.path.join(HERE, "anim_lossy.webp"), save_all=True, append_images=frames[1:], duration=100,
                   quality=70)
    frames[0].save(os.path.join(HERE, "anim_lossless.webp"), save_all=True, append_images=frames[1:],
                   duration=100, lossless=True)
    f1 = os.path.join(TMP, "f1.webp")
    f2 = os.path.join(TMP, "f2.webp")
    run("cwebp", "-quiet", png(src("coffee.png", (40, 30)), "f1"), "-o", f1)
    run("cwebp", "-quiet", "-lossless", png(rgba.resize((20, 10)), "f2"), "-o", f2)
    run("webpmux", "-frame", f1, "+100+10+6", "-frame", f2, "+100+0+0", "-loop", 0, "-bgcolor", "255,255,0,0",
        "-o", os.path.join(HERE, "anim_offset.webp"))


def reference():
    ref = {}
    for name in sorted(os.listdir(HERE)):
        if not name.endswith(".webp"):
            continue
        try:
            with Image.open(os.path.join(HERE, name)) as im:
                im.load()
                ref[name] = {"mode": im.mode, "size": list(im.size),
                             "sha256": hashlib.sha256(im.tobytes()).hexdigest()}
        except Exception as e:  # noqa: BLE001 - the reference records any failure
            ref[name] = {"error": "%s: %s" % (type(e).__name__, e)}
    with open(os.path.join(HERE, "pillow.json"), "w") as f:
        json.dump(ref, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    make()
    reference()
