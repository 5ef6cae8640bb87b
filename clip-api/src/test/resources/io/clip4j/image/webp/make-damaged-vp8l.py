#!/usr/bin/python3
"""Makes damaged-vp8l.json: damaged VP8L and ALPH payloads (cut short, bits flipped, bytes overwritten; seeded, so
reproducible) and what Pillow 9.4 (libwebp 1.2.4, Debian 12) makes of each, to test that the Java decoders fail
exactly where libwebp fails and otherwise decode the same pixels.

Each case names a seed file, the chunk whose payload is damaged (VP8L or ALPH) and the edits, applied in order
to that payload: ["cut", n] keeps the first n bytes, ["flip", bit] inverts bit (bit % 8) of byte (bit // 8),
["set", i, v] writes byte value v at i. The file Pillow opens is rebuilt around the damaged payload with correct
chunk and RIFF sizes, so only the payload is damaged. Results: {"error": ...}, or for VP8L the mode, size and
SHA-256 of tobytes(), for ALPH the SHA-256 of the alpha plane. Run from this folder, after
make-alpha-reference.py: /usr/bin/python3 make-damaged-vp8l.py
"""
import hashlib
import json
import os
import random
import struct
import tempfile

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
TMP = tempfile.mkdtemp()

SEEDS = {
    "VP8L": ["lossless_1x1.webp", "lossless_7x5.webp", "lossless_palette2.webp", "lossless_palette16.webp",
             "lossless_gray.webp", "lossless_noise.webp", "lossless_z0.webp", "lossless_z9.webp",
             "lossless_rgba.webp", "lossless_palette200.webp"],
    "ALPH": ["alpha_exact.webp", "alpha_q30.webp", "alpha_x_levels.webp", "alpha_x_vp8l_stream.webp",
             "alpha_x_vp8l_gradient.webp", "alpha_x_raw_gradient.webp"],
}


def chunks(data):
    out, p = [], 12
    while p + 8 <= len(data):
        n = struct.unpack("<I", data[p + 4:p + 8])[0]
        out.append([data[p:p + 4], data[p + 8:p + 8 + n]])
        p += 8 + n + (n & 1)
    return out


def riff(parts):
    body = b"WEBP"
    for tag, payload in parts:
        body += tag + struct.pack("<I", len(payload)) + payload + (b"\0" if len(payload) & 1 else b"")
    return b"RIFF" + struct.pack("<I", len(body)) + body


def apply(payload, edits):
    b = bytearray(payload)
    for e in edits:
        if e[0] == "cut":
            del b[e[1]:]
        elif e[0] == "flip":
            b[e[1] // 8] ^= 1 << (e[1] % 8)
        else:
            b[e[1]] = e[2]
    return bytes(b)


def pillow(data, tag):
    path = os.path.join(TMP, "probe.webp")
    with open(path, "wb") as f:
        f.write(data)
    try:
        with Image.open(path) as im:
            im.load()
            if tag == "ALPH":
                return {"sha256": hashlib.sha256(im.getchannel("A").tobytes()).hexdigest()}
            return {"mode": im.mode, "size": list(im.size), "sha256": hashlib.sha256(im.tobytes()).hexdigest()}
    except Exception as e:  # noqa: BLE001 - any failure counts
        return {"error": type(e).__name__}


def edits_for(r, n, small):
    """Cuts (every length of a small payload, otherwise the start, the end and random points), then flips/sets."""
    out = []
    cuts = range(n) if small else sorted(set(list(range(0, 12)) + list(range(n - 8, n))
                                            + [r.randrange(12, n - 8) for _ in range(20)]))
    out += [[["cut", c]] for c in cuts]
    for _ in range(40 if small else 25):
        k = r.choice((1, 1, 2, 3))
        out.append([["flip", r.randrange(8 * n)] for _ in range(k)])
    for _ in range(10):
        out.append([["set", r.randrange(n), r.randrange(256)]])
    # Damage near the end of the data, where over-reads and padding bits matter.
    for _ in range(10):
        out.append([["flip", 8 * n - 1 - r.randrange(min(64, 8 * n))]])
    return out


def make():
    r = random.Random(20240601)
    cases = []
    for tag, names in SEEDS.items():
        for name in names:
            with open(os.path.join(HERE, name), "rb") as f:
                parts = chunks(f.read())
            idx = [i for i, p in enumerate(parts) if p[0] == tag.encode()][0]
            payload = parts[idx][1]
            for edits in edits_for(r, len(payload), len(payload) < 100):
                parts2 = [list(p) for p in parts]
                parts2[idx][1] = apply(payload, edits)
                cases.append({"seed": name, "chunk": tag, "edits": edits,
                              "pillow": pillow(riff(parts2), tag)})
    with open(os.path.join(HERE, "damaged-vp8l.json"), "w") as f:
        f.write("[\n" + ",\n".join(json.dumps(c, sort_keys=True) for c in cases) + "\n]\n")
    failed = sum("error" in c["pillow"] for c in cases)
    print(len(cases), "cases,", failed, "fail in Pillow")


if __name__ == "__main__":
    make()
