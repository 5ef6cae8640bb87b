#!/usr/bin/python3
"""Makes damaged.json: seeded damage to this folder's supported TIFF files (bit flips, byte changes, cuts) and
what Pillow 9.4 (libtiff 4.5.0, Debian 12) makes of each: the mode clip4j stores (1 -> L, P -> RGB, RGBX -> RGB)
and the SHA-256 of those bytes, or the error. Only the edits are stored; the test rebuilds the files.
Edits: ["flip", pos, bit], ["set", pos, value], ["cut", length].
Run from this folder: /usr/bin/python3 make-damaged.py
"""
import hashlib
import io
import json
import random
import re
import warnings

from PIL import Image


def stored(im):
    """The pixels as clip4j stores them (palette and bilevel expanded, RGBX without its padding)."""
    if im.mode == "1":
        return im.convert("L")
    if im.mode == "P":
        return im.convert("RGB")
    if im.mode == "RGBX":
        return im.convert("RGB")
    return im


def pillow(data):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as im:
                im.load()
                s = stored(im)
                return {"mode": s.mode, "size": list(s.size), "sha256": hashlib.sha256(s.tobytes()).hexdigest()}
    except Exception as e:  # noqa: BLE001 - the reference records any failure
        return {"error": re.sub(r" at 0x[0-9a-f]+>", ">", "%s: %s" % (type(e).__name__, e))}


def apply(data, edits):
    b = bytearray(data)
    for e in edits:
        if e[0] == "flip":
            b[e[1]] ^= 1 << e[2]
        elif e[0] == "set":
            b[e[1]] = e[2]
        else:
            del b[e[1]:]
    return bytes(b)


def main():
    seeds = [c["file"] for c in json.load(open("pillow.json")) if "clip4j_error" not in c]
    r = random.Random(20261206)
    cases = []
    for i in range(600):
        seed = seeds[i % len(seeds)]
        data = open(seed, "rb").read()
        kind = r.choice(["flip", "flip", "set", "cut"])
        if kind == "cut":
            edits = [["cut", r.randint(8, len(data) - 1)]]
        else:
            edits = []
            for _ in range(r.randint(1, 3)):
                p = r.randrange(8, len(data))
                edits.append(["flip", p, r.randrange(8)] if kind == "flip" else ["set", p, r.randrange(256)])
        cases.append({"seed": seed, "edits": edits, "pillow": pillow(apply(data, edits))})
    with open("damaged.json", "w") as f:
        f.write("[\n" + ",\n".join(json.dumps(c, sort_keys=True) for c in cases) + "\n]\n")
    print(len(cases), "cases,", sum("error" not in c["pillow"] for c in cases), "decode")


if __name__ == "__main__":
    main()
