#!/usr/bin/python3
"""Makes the extra lossy (VP8) test files vp8_*.webp and yuv.json, the reference for the VP8 decoder on its own:
for every file with a 'VP8 ' chunk, libwebp 1.2.4's raw planes (dwebp -nodither -yuv: Y, then U, then V, each
cropped to the picture) as SHA-256 per plane, and the SHA-256 of Pillow's Image.open(f).convert('RGB').tobytes().

Also transform-vectors.json: libwebp's inverse DCT (its SSE2 version, what Pillow runs on x86-64) on coefficients
that overflow 16-bit sums (vp8-transform-vectors.c).

Needs Debian's python3-pil, webp (cwebp, dwebp) and, for the multi-partition files and the transform vectors, gcc
and libwebp-dev (vp8-partitions.c: cwebp cannot write more than one token partition), on x86-64.
Run from this folder after make-webp.py: /usr/bin/python3 make-yuv-reference.py
"""
import hashlib
import json
import os
import subprocess
import tempfile

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
IMAGES = os.path.join(HERE, "../../../../../../../../testdata/preprocess/images")
TMP = tempfile.mkdtemp()


def run(*args):
    subprocess.run([str(a) for a in args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def src(name, size):
    return Image.open(os.path.join(IMAGES, name)).convert("RGB").resize(size, Image.BICUBIC)


def cwebp(out, im, *opts):
    p = os.path.join(TMP, out + ".png")
    im.save(p)
    run("cwebp", "-quiet", *opts, p, "-o", os.path.join(HERE, out))


def partitioned(out, im, log2, quality):
    exe = os.path.join(TMP, "vp8-partitions")
    if not os.path.exists(exe):
        run("gcc", "-O1", "-o", exe, os.path.join(HERE, "vp8-partitions.c"), "-lwebp")
    raw = os.path.join(TMP, out + ".rgb")
    with open(raw, "wb") as f:
        f.write(im.tobytes())
    run(exe, im.width, im.height, log2, quality, 2, raw, os.path.join(HERE, out))  # method 2: see the .c file


def make():
    astro = src("astronaut.png", (72, 56))
    coffee = src("coffee.png", (90, 61))
    # Loop filter variants the make-webp.py files leave out: normal filter with sharpness, simple filter with
    # high sharpness, per-segment levels, strongest filter at low quality; odd sizes for the cropping margin
    cwebp("vp8_strong_sharp4.webp", astro, "-strong", "-f", 70, "-sharpness", 4)
    cwebp("vp8_simple_sharp7.webp", coffee, "-nostrong", "-f", 100, "-sharpness", 7, "-q", 30)
    cwebp("vp8_segments_sns100.webp", coffee, "-strong", "-f", 50, "-sns", 100, "-segments", 4, "-q", 60)
    cwebp("vp8_q0_f100.webp", astro, "-q", 0, "-f", 100, "-strong")
    cwebp("vp8_q100_f0.webp", src("chelsea.png", (33, 18)), "-q", 100, "-f", 0)
    cwebp("vp8_autofilter.webp", src("horse.png", (65, 47)), "-af", "-q", 50)
    # 2, 4 and 8 token partitions (macroblock rows spread over them)
    tall = src("chelsea.png", (48, 150))
    for log2 in (1, 2, 3):
        partitioned("vp8_partitions%d.webp" % (1 << log2), tall, log2, 70)


def vp8_files():
    names = []
    for name in sorted(os.listdir(HERE)):
        if not name.endswith(".webp") or name.startswith("anim_"):
            continue
        with open(os.path.join(HERE, name), "rb") as f:
            data = f.read()
        pos = 12
        while pos + 8 <= len(data):
            tag = data[pos:pos + 4]
            size = int.from_bytes(data[pos + 4:pos + 8], "little")
            if tag == b"VP8 ":
                names.append(name)
                break
            pos += 8 + size + (size & 1)
    return names


def reference():
    ref = {}
    for name in vp8_files():
        path = os.path.join(HERE, name)
        out = os.path.join(TMP, "out.yuv")
        run("dwebp", "-nodither", "-yuv", path, "-o", out)
        with Image.open(path) as im:
            w, h = im.size
            rgb = im.convert("RGB").tobytes()
        with open(out, "rb") as f:
            yuv = f.read()
        cw, ch = (w + 1) // 2, (h + 1) // 2
        # with an alpha channel, dwebp appends the alpha plane
        assert len(yuv) in (w * h + 2 * cw * ch, 2 * w * h + 2 * cw * ch), name
        planes = (yuv[:w * h], yuv[w * h:w * h + cw * ch], yuv[w * h + cw * ch:w * h + 2 * cw * ch])
        ref[name] = {"size": [w, h],
                     "y": hashlib.sha256(planes[0]).hexdigest(),
                     "u": hashlib.sha256(planes[1]).hexdigest(),
                     "v": hashlib.sha256(planes[2]).hexdigest(),
                     "rgb": hashlib.sha256(rgb).hexdigest()}
    with open(os.path.join(HERE, "yuv.json"), "w") as f:
        json.dump(ref, f, indent=1, sort_keys=True)
        f.write("\n")


def transform_vectors():
    exe = os.path.join(TMP, "vp8-transform-vectors")
    run("gcc", "-O1", "-o", exe, os.path.join(HERE, "vp8-transform-vectors.c"), "/usr/lib/x86_64-linux-gnu/libwebp.a",
        "-lpthread", "-lm")
    with open(os.path.join(HERE, "transform-vectors.json"), "wb") as f:
        f.write(subprocess.run([exe], check=True, stdout=subprocess.PIPE).stdout)


if __name__ == "__main__":
    make()
    reference()
    transform_vectors()
