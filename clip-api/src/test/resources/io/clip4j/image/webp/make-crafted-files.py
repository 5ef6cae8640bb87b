#!/usr/bin/python3
"""Makes crafted-files.json: small hand-assembled WebP files probing the container rules of libwebp 1.2.4 as
Pillow 9.4 meets them (WebPGetFeatures for the mode and a first check, then the demuxer, then WebPAnimDecoder),
with Pillow's result for each: mode, size and SHA-256 of tobytes(), or the error. The files are stored whole, as
hex. The bitstreams come from cwebp (Debian's webp package) on a seeded random 18x14 RGBA image.
Run from this folder: /usr/bin/python3 make-crafted-files.py
"""
import hashlib
import io
import json
import os
import random
import re
import struct
import subprocess
import tempfile

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
W, H = 18, 14


def chunks(data):
    p, out = 12, {}
    while p + 8 <= len(data):
        n = struct.unpack("<I", data[p + 4:p + 8])[0]
        out.setdefault(data[p:p + 4], data[p + 8:p + 8 + n])
        p += 8 + n + (n & 1)
    return out


def ch(tag, payload, size=None):
    b = tag + struct.pack("<I", len(payload) if size is None else size) + payload
    return b + b"\0" if len(payload) & 1 else b


def vp8x(flags, w=W, h=H, extra=b""):
    return ch(b"VP8X", bytes([flags, 0, 0, 0]) + (w - 1).to_bytes(3, "little") + (h - 1).to_bytes(3, "little")
              + extra)


def riff(body, trail=b""):
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body + trail


def anmf(x, y, inner, w=W, h=H, bits=0, size=None):
    p = ((x // 2).to_bytes(3, "little") + (y // 2).to_bytes(3, "little") + (w - 1).to_bytes(3, "little")
         + (h - 1).to_bytes(3, "little") + (100).to_bytes(3, "little") + bytes([bits]) + inner)
    return ch(b"ANMF", p, size)


def encode(im, *opts):
    with tempfile.TemporaryDirectory() as t:
        src, dst = os.path.join(t, "in.png"), os.path.join(t, "out.webp")
        im.save(src)
        subprocess.run(["cwebp", "-quiet", *opts, src, "-o", dst], check=True)
        with open(dst, "rb") as f:
            return chunks(f.read())


def pillow(data):
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.load()
            return {"mode": im.mode, "size": list(im.size), "sha256": hashlib.sha256(im.tobytes()).hexdigest()}
    except Exception as e:  # noqa: BLE001 - the reference records any failure
        # without the object's address, which changes from run to run
        return {"error": re.sub(r" at 0x[0-9a-f]+>", ">", "%s: %s" % (type(e).__name__, e))}


def main():
    r = random.Random(7)
    rgba = Image.frombytes("RGBA", (W, H), bytes(r.randrange(1, 256) for _ in range(W * H * 4)))
    lossy = encode(rgba.convert("RGB"))
    lossy_alpha = encode(rgba, "-exact")
    lossless = encode(rgba.convert("RGB"), "-lossless")
    lossless_alpha = encode(rgba, "-lossless", "-exact")
    VP8, VP8A, ALPH = ch(b"VP8 ", lossy[b"VP8 "]), ch(b"VP8 ", lossy_alpha[b"VP8 "]), ch(b"ALPH", lossy_alpha[b"ALPH"])
    VP8L, VP8LA = ch(b"VP8L", lossless[b"VP8L"]), ch(b"VP8L", lossless_alpha[b"VP8L"])
    exif = b"Exif\0\0II*\0" + struct.pack("<IHHHII", 8, 1, 0x112, 3, 1, 6) + struct.pack("<I", 0)
    anim = ch(b"ANIM", bytes(6))
    cases = {
        "simple_vp8": riff(VP8),
        "simple_vp8l_alpha": riff(VP8LA),
        "simple_vp8_trailing_bytes_after_riff": riff(VP8, trail=b"junk"),
        "simple_vp8_then_alph": riff(VP8A + ALPH),
        "simple_vp8_then_3_stray_bytes": riff(VP8 + b"abc"),
        "vp8x_alpha_flag_off_alph_vp8": riff(vp8x(0) + ALPH + VP8A),
        "vp8x_alpha_flag_on_alph_vp8": riff(vp8x(0x10) + ALPH + VP8A),
        "vp8x_alpha_flag_on_vp8_only": riff(vp8x(0x10) + VP8),
        "vp8x_alpha_flag_on_vp8l_without_alpha_bit": riff(vp8x(0x10) + VP8L),
        "vp8x_alpha_flag_off_vp8l_with_alpha_bit": riff(vp8x(0) + VP8LA),
        "vp8x_size_11": riff(vp8x(0, extra=b"\0")),
        "vp8x_size_12": riff(vp8x(0, extra=b"\0\0") + VP8),
        "vp8x_size_12_alpha": riff(vp8x(0x10, extra=b"\0\0") + ALPH + VP8A),
        "vp8x_alph_after_vp8_flag_off": riff(vp8x(0) + VP8A + ALPH),
        "vp8x_alph_after_vp8_flag_on": riff(vp8x(0x10) + VP8A + ALPH),
        "vp8x_two_alph": riff(vp8x(0x10) + ALPH + ALPH + VP8A),
        "vp8x_alph_unknown_vp8": riff(vp8x(0x10) + ALPH + ch(b"ABCD", b"xy") + VP8A),
        "vp8x_iccp_alph_vp8_flag_off": riff(vp8x(0x20) + ch(b"ICCP", bytes(20)) + ALPH + VP8A),
        "vp8x_exif_before_image": riff(vp8x(0x08) + ch(b"EXIF", exif) + VP8),
        "vp8x_exif_without_flag": riff(vp8x(0) + VP8 + ch(b"EXIF", exif)),
        "vp8x_canvas_mismatch": riff(vp8x(0, W + 2, H) + VP8),
        "vp8x_reserved_flag": riff(vp8x(0x01) + VP8),
        "vp8x_animation_flag_on_still": riff(vp8x(0x02) + VP8),
        "vp8x_alph_size_1": riff(vp8x(0x10) + ch(b"ALPH", b"\0") + VP8A),
        "vp8x_alph_vp8l": riff(vp8x(0x10) + ALPH + VP8L),
        "anim_lossy_at_offset": riff(vp8x(0x02, 40, 30) + anim + anmf(10, 6, VP8)),
        "anim_lossless_alpha_flag_off": riff(vp8x(0x02, 40, 30) + anim + anmf(4, 2, VP8LA)),
        "anim_lossless_alpha_flag_on": riff(vp8x(0x12, 40, 30) + anim + anmf(4, 2, VP8LA)),
        "anim_lossy_alpha_flag_off": riff(vp8x(0x02, 40, 30) + anim + anmf(0, 0, ALPH + VP8A)),
        "anim_lossy_alpha_flag_on_blend_bits": riff(vp8x(0x12, 40, 30) + anim + anmf(2, 2, ALPH + VP8A, bits=3)),
        "anim_frame_past_canvas": riff(vp8x(0x02, 20, 14) + anim + anmf(4, 0, VP8)),
        "anim_image_past_anmf_size": riff(vp8x(0x02, 40, 30) + anim + anmf(0, 0, VP8, size=16 + len(VP8) - 10)),
        "anim_anmf_before_anim": riff(vp8x(0x02, 40, 30) + anmf(0, 0, VP8) + anim),
        "anim_without_frames": riff(vp8x(0x02, 40, 30) + anim),
        "anim_empty_frame_then_frame": riff(vp8x(0x02, 40, 30) + anim + anmf(0, 0, b"") + anmf(0, 0, VP8)),
        "anim_declared_frame_size_differs": riff(vp8x(0x02, 40, 30) + anim + anmf(0, 0, VP8, w=30, h=20)),
        "anim_second_frame_corrupt": riff(vp8x(0x02, 40, 30) + anim + anmf(0, 0, VP8) + anmf(0, 0, VP8[:20])),
    }
    out = {name: {"hex": data.hex(), "pillow": pillow(data)} for name, data in cases.items()}
    with open(os.path.join(HERE, "crafted-files.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    for name, c in sorted(out.items()):
        print(name, c["pillow"].get("mode", c["pillow"].get("error")))


if __name__ == "__main__":
    main()
