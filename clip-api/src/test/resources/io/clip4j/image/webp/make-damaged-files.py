#!/usr/bin/python3
"""Makes damaged-files.json: seeded edits of some of this folder's WebP files and what Pillow 9.4 (libwebp 1.2.4) makes
of each edited file (its mode, size and the SHA-256 of its pixels, or the error). Only the edits are stored.

Edits: ["flip", pos, bit], ["set", pos, hexbytes], ["cut", pos], ["append", hexbytes].
After the 500 seeded cases, every file with a 'VP8 ' chunk gets two more: the first byte of its first partition,
then of its first token partition, set to 0xFF (a value above the bool decoder's range: only libwebp's 64-bit
window arithmetic decodes the same bits).
Run from this folder: /usr/bin/python3 make-damaged-files.py
"""
import hashlib
import io
import json
import os
import random
import re

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = ["lossy_q75.webp", "lossy_7x5.webp", "lossy_strong_filter.webp", "alpha_filter_best.webp",
         "alpha_raw.webp", "lossless_z6.webp", "lossless_palette4.webp", "lossless_rgba.webp", "anim_offset.webp",
         "pillow_exif_icc.webp"]


def apply(data, edits):
    b = bytearray(data)
    for e in edits:
        if e[0] == "flip":
            b[e[1]] ^= 1 << e[2]
        elif e[0] == "set":
            v = bytes.fromhex(e[2])
            b[e[1]:e[1] + len(v)] = v
        elif e[0] == "cut":
            del b[e[1]:]
        elif e[0] == "append":
            b += bytes.fromhex(e[1])
    return bytes(b)


def pillow(data):
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.load()
            return {"mode": im.mode, "size": list(im.size), "sha256": hashlib.sha256(im.tobytes()).hexdigest()}
    except Exception as e:  # noqa: BLE001 - the reference records any failure
        # without the object's address, which changes from run to run
        return {"error": re.sub(r" at 0x[0-9a-f]+>", ">", "%s: %s" % (type(e).__name__, e))}


def edits_for(r, data):
    n = len(data)
    kind = r.choice(["flip", "flip", "flip", "flip", "flips", "header", "cut", "riffsize", "append"])
    if kind == "flip":
        return [["flip", r.randrange(12, n), r.randrange(8)]]
    if kind == "flips":
        return [["flip", r.randrange(12, n), r.randrange(8)] for _ in range(r.randrange(2, 6))]
    if kind == "header":
        return [["set", r.randrange(12, min(n, 64)), "%02x" % r.randrange(256)]]
    if kind == "cut":
        return [["cut", r.randrange(1, n)]]
    if kind == "riffsize":
        size = max(0, n - 8 + r.choice([-4, -2, -1, 1, 2, 4, 100]))
        return [["set", 4, size.to_bytes(4, "little").hex()]]
    return [["append", bytes(r.randrange(256) for _ in range(r.randrange(1, 12))).hex()]]


def vp8_payload(data):
    """Offset of the first 'VP8 ' chunk's payload, or None."""
    p = 12
    while p + 8 <= len(data):
        size = int.from_bytes(data[p + 4:p + 8], "little")
        if data[p:p + 4] == b"VP8 ":
            return p + 8
        p += 8 + size + (size & 1)
    return None


def main():
    r = random.Random(20261206)
    cases = []
    for i in range(500):
        seed = SEEDS[i % len(SEEDS)]
        with open(os.path.join(HERE, seed), "rb") as f:
            data = f.read()
        edits = edits_for(r, data)
        cases.append({"seed": seed, "edits": edits, "pillow": pillow(apply(data, edits))})
    for seed in sorted(os.listdir(HERE)):
        if not seed.endswith(".webp"):
            continue
        with open(os.path.join(HERE, seed), "rb") as f:
            data = f.read()
        p = vp8_payload(data)
        if p is None:
            continue
        first_partition = (data[p] | data[p + 1] << 8 | data[p + 2] << 16) >> 5
        for pos in (p + 10, p + 10 + first_partition):
            if pos < len(data):
                edits = [["set", pos, "ff"]]
                cases.append({"seed": seed, "edits": edits, "pillow": pillow(apply(data, edits))})
    with open(os.path.join(HERE, "damaged-files.json"), "w") as f:
        json.dump(cases, f, indent=0)
        f.write("\n")
    ok = sum(1 for c in cases if "error" not in c["pillow"])
    print(len(cases), "cases,", ok, "decode")


if __name__ == "__main__":
    main()
