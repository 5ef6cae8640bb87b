#!/usr/bin/python3
"""Makes damaged-vp8.json: how Pillow 9.4 (libwebp 1.2.4) decodes lossy WebP files damaged inside the VP8 payload.

Seeded edits of files of this folder (the damaged files themselves are not stored, the test rebuilds them):
- ["flip", offset, bit]: bit flips inside the 'VP8 ' payload, the RIFF and chunk sizes left intact;
- ["cut", n]: the payload cut to n bytes, in a simple-format file whose RIFF and chunk sizes say so (Pillow's
  demuxer rejects a file shorter than its sizes before any VP8 decoding, so the sizes are rewritten).
Result per case: {"error": "..."} or {"sha256": of Image.open(f).convert("RGB").tobytes()}.
Run from this folder: /usr/bin/python3 make-damaged-vp8.py
"""
import hashlib
import io
import json
import os
import random

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = ["lossy_q75.webp", "lossy_strong_filter.webp", "lossy_simple_filter.webp", "lossy_segments1.webp",
         "lossy_q100_m6.webp", "lossy_7x5.webp", "vp8_partitions4.webp", "vp8_segments_sns100.webp"]


def vp8_chunk(data):
    pos = 12
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos + 4:pos + 8], "little")
        if data[pos:pos + 4] == b"VP8 ":
            return pos + 8, size
        pos += 8 + size + (size & 1)
    raise ValueError("no VP8 chunk")


def apply(data, edits):
    """Mirrors Vp8DamageTest.apply."""
    b = bytearray(data)
    start, size = vp8_chunk(data)
    for e in edits:
        if e[0] == "flip":
            b[e[1]] ^= 1 << e[2]
        elif e[0] == "cut":
            n = e[1]
            payload = bytes(b[start:start + n]) + (b"\0" if n & 1 else b"")
            b = bytearray(b"RIFF" + (4 + 8 + len(payload)).to_bytes(4, "little") + b"WEBP" + b"VP8 "
                          + n.to_bytes(4, "little") + payload)
    return bytes(b)


def pillow(data):
    try:
        with Image.open(io.BytesIO(data)) as im:
            return {"sha256": hashlib.sha256(im.convert("RGB").tobytes()).hexdigest()}
    except Exception as e:  # noqa: BLE001 - the reference records any failure
        return {"error": "%s: %s" % (type(e).__name__, e)}


def main():
    rnd = random.Random(20240605)
    cases = []
    for name in SEEDS:
        with open(os.path.join(HERE, name), "rb") as f:
            data = f.read()
        start, size = vp8_chunk(data)
        for _ in range(40):  # one to three bit flips anywhere in the payload, mostly past the frame header
            edits = []
            for _ in range(rnd.choice((1, 1, 2, 3))):
                lo = start if rnd.random() < 0.1 else start + 10
                edits.append(["flip", rnd.randrange(lo, start + size), rnd.randrange(8)])
            cases.append({"file": name, "edits": edits})
        for _ in range(12):  # cuts, more of them near the end where a file may still decode
            n = rnd.randrange(size) if rnd.random() < 0.5 else size - 1 - rnd.randrange(min(size, 24))
            cases.append({"file": name, "edits": [["cut", n]]})
    for c in cases:
        with open(os.path.join(HERE, c["file"]), "rb") as f:
            c.update(pillow(apply(f.read(), c["edits"])))
    with open(os.path.join(HERE, "damaged-vp8.json"), "w") as f:
        f.write("[\n" + ",\n".join(json.dumps(c, sort_keys=True) for c in cases) + "\n]\n")
    print(len(cases), "cases,", sum("error" in c for c in cases), "errors")


if __name__ == "__main__":
    main()
