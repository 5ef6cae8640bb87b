#!/usr/bin/python3
"""Makes more lossy+alpha test files (alpha_x_*.webp) and alpha.json: the alpha plane Pillow 9.4
(libwebp 1.2.4, Debian 12) decodes from each alpha_*.webp, to test the ALPH decoder without the lossy one.

The cwebp-made files in make-webp.py all end up unfiltered; these add every filter on raw and on
VP8L-compressed alpha, and a VP8L alpha stream that libwebp decodes on its 32-bit path (transforms, colour
cache) rather than the 8-bit paletted one. Needs Debian's python3-pil, python3-numpy and webp (cwebp).
Run from this folder, after make-webp.py: /usr/bin/python3 make-alpha-reference.py
"""
import hashlib
import json
import os
import random
import struct
import subprocess
import tempfile

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
TMP = tempfile.mkdtemp()


def chunks(data):
    """Top-level RIFF chunks as (tag, payload)."""
    out, p = [], 12
    while p + 8 <= len(data):
        n = struct.unpack("<I", data[p + 4:p + 8])[0]
        out.append((data[p:p + 4], data[p + 8:p + 8 + n]))
        p += 8 + n + (n & 1)
    return out


def riff(*parts):
    body = b"WEBP"
    for tag, payload in parts:
        body += tag + struct.pack("<I", len(payload)) + payload + (b"\0" if len(payload) & 1 else b"")
    return b"RIFF" + struct.pack("<I", len(body)) + body


def with_alpha(vp8, w, h, alph):
    """A VP8X file (alpha flag set) with the given ALPH payload and VP8 chunk."""
    vp8x = struct.pack("<I", 0x10) + struct.pack("<I", w - 1)[:3] + struct.pack("<I", h - 1)[:3]
    return riff((b"VP8X", vp8x), (b"ALPH", alph), (b"VP8 ", vp8))


def cwebp(im, *opts):
    src = os.path.join(TMP, "in.png")
    dst = os.path.join(TMP, "out.webp")
    im.save(src)
    subprocess.run(["cwebp", "-quiet", *map(str, opts), src, "-o", dst], check=True)
    with open(dst, "rb") as f:
        return f.read()


def lossy_vp8(w, h, seed):
    """The VP8 chunk of a small lossy RGB picture."""
    r = random.Random(seed)
    rgb = np.array([[[(x * 7 + r.randrange(40)) % 256, (y * 9) % 256, (x * y) % 256] for x in range(w)]
                    for y in range(h)], dtype=np.uint8)
    return dict(chunks(cwebp(Image.fromarray(rgb, "RGB"), "-q", 50)))[b"VP8 "]


def make():
    w, h = 41, 23
    vp8 = lossy_vp8(w, h, 1)
    r = random.Random(7)
    # Raw alpha: random "filtered" bytes under each filter (and spare bytes after the plane, which libwebp allows).
    for f, name in enumerate(("none", "horizontal", "vertical", "gradient")):
        plane = bytes(r.randrange(256) for _ in range(w * h + 3 * (f == 1)))
        write("alpha_x_raw_%s.webp" % name, with_alpha(vp8, w, h, bytes([f << 2]) + plane))
    # Lossless alpha from cwebp on smooth ramps (cwebp picks a filter), re-flagged with every filter.
    ramp = np.array([[min(255, (x * 6 + y * 3 + r.randrange(4))) for x in range(w)] for y in range(h)],
                    dtype=np.uint8)
    rgba = Image.fromarray(np.dstack([np.full((h, w, 3), 90, np.uint8), ramp]), "RGBA")
    alph = dict(chunks(cwebp(rgba, "-alpha_filter", "none", "-q", 50)))[b"ALPH"]
    for f, name in enumerate(("none", "horizontal", "vertical", "gradient")):
        write("alpha_x_vp8l_%s.webp" % name, with_alpha(vp8, w, h, bytes([(alph[0] & ~0x0C) | f << 2]) + alph[1:]))
    for mode in ("fast", "best"):
        write("alpha_x_ramp_%s.webp" % mode, cwebp(rgba, "-alpha_filter", mode, "-q", 50))
    # A full VP8L image stream (transforms, colour cache, 32-bit decoding path) as alpha: the green channel counts.
    noise = Image.frombytes("RGB", (w, h), bytes(r.randrange(256) for _ in range(w * h * 3)))
    vp8l = dict(chunks(cwebp(noise, "-lossless", "-z", 9)))[b"VP8L"]
    write("alpha_x_vp8l_stream.webp", with_alpha(vp8, w, h, bytes([1 | 3 << 2]) + vp8l[5:]))
    # Level-reduced alpha (pre-processing 1) with many levels: cwebp -alpha_q.
    write("alpha_x_levels.webp", cwebp(rgba, "-alpha_q", 50, "-alpha_filter", "best", "-q", 50))


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def alpha_plane(data):
    """Pillow's alpha plane (or its error) for a WebP file's bytes."""
    path = os.path.join(TMP, "probe.webp")
    with open(path, "wb") as f:
        f.write(data)
    try:
        with Image.open(path) as im:
            im.load()
            a = im.getchannel("A").tobytes()
            return {"size": list(im.size), "sha256": hashlib.sha256(a).hexdigest()}
    except Exception as e:  # noqa: BLE001 - the reference records any failure
        return {"error": "%s: %s" % (type(e).__name__, e)}


def reference():
    ref = {}
    for name in sorted(os.listdir(HERE)):
        if name.startswith("alpha_") and name.endswith(".webp"):
            with open(os.path.join(HERE, name), "rb") as f:
                ref[name] = alpha_plane(f.read())
    with open(os.path.join(HERE, "alpha.json"), "w") as f:
        json.dump(ref, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    make()
    reference()
