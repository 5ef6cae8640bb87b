#!/usr/bin/python3
"""Makes crafted.json: hand-built VP8L streams (as 'VP8L' chunks, and as ALPH payloads of a 41x23 lossy file)
that probe libwebp's corner cases, with what Pillow 9.4 (libwebp 1.2.4, Debian 12) makes of each: colour cache
sizes, repeated transforms, incomplete / over-subscribed / single-symbol codes, simple codes with symbols past
the alphabet, backward references at and past the image bounds, plane codes on a 1-pixel-wide image, palette
indices past the palette, predictor modes 14 and 15, streams shorter than 8 bytes, unused invalid Huffman
groups, and the over-read that libwebp tolerates at the very end of 8-bit paletted alpha.
Each case: {"name", "chunk": "VP8L" or "ALPH", "hex": payload, "pillow": result}. Results as in damaged-vp8l.json.
Run from this folder, after make-alpha-reference.py: /usr/bin/python3 make-crafted-reference.py
"""
import hashlib
import json
import os
import struct
import tempfile

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
TMP = tempfile.mkdtemp()


class Bits:
    """LSB-first bit writer (the VP8L bit order)."""

    def __init__(self):
        self.bits = []

    def put(self, value, n):
        self.bits += [(value >> i) & 1 for i in range(n)]
        return self

    def code(self, code, n):
        """A prefix code: its first bit (the code's MSB) is read first."""
        self.bits += [(code >> (n - 1 - i)) & 1 for i in range(n)]
        return self

    def data(self, drop=0):
        bits = self.bits[:len(self.bits) - drop] if drop else self.bits
        out = bytearray((len(bits) + 7) // 8)
        for i, b in enumerate(bits):
            out[i >> 3] |= b << (i & 7)
        return bytes(out)


def canonical(lengths):
    """symbol -> (code, length) of the canonical code."""
    codes, code = {}, 0
    for n in range(1, 16):
        for s, ln in enumerate(lengths):
            if ln == n:
                codes[s] = (code, n)
                code += 1
        code <<= 1
    return codes


def simple(w, *symbols, wide=False):
    """A simple code of 1 or 2 symbols (the first in 1 bit if possible and not wide)."""
    w.put(1, 1).put(len(symbols) - 1, 1)
    if symbols[0] < 2 and not wide:
        w.put(0, 1).put(symbols[0], 1)
    else:
        w.put(1, 1).put(symbols[0], 8)
    if len(symbols) == 2:
        w.put(symbols[1], 8)


# Code-length code used for normal codes: symbols 0..12 in 4 bits, 13..18 in 5 (complete).
CL_LENGTHS = [4] * 13 + [5] * 6
CL_ORDER = [17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]


def normal(w, lengths, max_symbol=None):
    """A normal code: every length written literally with CL_LENGTHS."""
    w.put(0, 1).put(19 - 4, 4)
    for s in CL_ORDER:
        w.put(CL_LENGTHS[s], 3)
    cl = canonical(CL_LENGTHS)
    if max_symbol is None:
        w.put(0, 1)
    else:
        w.put(1, 1).put(3, 3).put(max_symbol - 2, 8)
    for ln in lengths[:max_symbol or len(lengths)]:
        w.code(*cl[ln])


def header(w, width, height, alpha=0, version=0):
    w.put(0x2F, 8).put(width - 1, 14).put(height - 1, 14).put(alpha, 1).put(version, 3)


def group_trivial(w, g=0, r=0, b=0, a=0xFF, d=0, wide=False):
    for s in (g, r, b, a, d):
        simple(w, s, wide=wide)


def lengths_with(size, **by_symbol):
    ln = [0] * size
    for k, v in by_symbol.items():
        ln[int(k[1:])] = v
    return ln


def green_lit_ref(w, lit=5, ref=256, cache=0):
    """Green code with two symbols of length 1: a literal (code 0) and a length/cache symbol (code 1)."""
    normal(w, lengths_with(280 + cache, **{"s%d" % lit: 1, "s%d" % ref: 1}))


def vp8l_cases():
    cases = {}

    def case(name, w, drop=0):
        cases[name] = w.data(drop)

    w = Bits(); header(w, 2, 2); w.put(0, 3); group_trivial(w, 0x40, 0x10, 0x20, 0xFF, 0); case("trivial_2x2", w)
    # Shorter than 8 bytes: libwebp reads missing bits as zeros up to 64 bits.
    for drop in (0, 8, 16, 24):
        w = Bits(); header(w, 3, 1); w.put(0, 3); group_trivial(w, 0, 1, 0, 1, 0); case("tiny_drop%d" % drop, w, drop)
    for bits in (0, 1, 11, 12, 15):
        w = Bits(); header(w, 2, 1); w.put(0, 1).put(1, 1).put(bits, 4).put(0, 1)
        group_trivial(w, 7); case("cache_bits_%d" % bits, w)
    w = Bits(); header(w, 2, 1); w.put(1, 1).put(2, 2).put(1, 1).put(2, 2).put(0, 3); group_trivial(w, 7)
    case("subtract_green_twice", w)
    w = Bits(); header(w, 2, 1); w.put(1, 1).put(2, 2).put(0, 3); group_trivial(w, 7, 1, 2, 3); case("subtract_green", w)
    # Codes: incomplete, over-subscribed, a single symbol of length 7, two equal simple symbols.
    for name, ln in (("incomplete", lengths_with(256, s1=1, s2=2)), ("oversubscribed", lengths_with(256, s1=1, s2=1, s3=1)),
                     ("single_len7", lengths_with(256, s9=7)), ("complete", lengths_with(256, s1=1, s2=2, s3=2))):
        w = Bits(); header(w, 2, 1); w.put(0, 3); simple(w, 7); normal(w, ln); simple(w, 0)
        simple(w, 255, wide=True); simple(w, 0)
        if name == "complete":
            w.code(0, 1).code(2, 2)  # red: symbol 1, then symbol 2
        case("code_" + name, w)
    w = Bits(); header(w, 2, 1); w.put(0, 3); simple(w, 7); simple(w, 9, 9); simple(w, 0); simple(w, 255, wide=True)
    simple(w, 0); case("simple_same_twice", w)
    for name, syms in (("dist_past_alphabet", (3, 200)), ("dist_all_past_alphabet", (41, 200))):
        w = Bits(); header(w, 2, 1); w.put(0, 3); simple(w, 7); simple(w, 0); simple(w, 0)
        simple(w, 255, wide=True); simple(w, *syms, wide=True); case(name, w)
    w = Bits(); header(w, 2, 1); w.put(0, 3); simple(w, 7); normal(w, lengths_with(256, s1=1, s2=1), max_symbol=300)
    case("max_symbol_past_alphabet", w)
    # Backward references on a 4x1 image: literal 5, then (length, distance code).
    for name, (width, length_sym, length_extra, dist_sym) in {
            "ref_ok": (4, 2, None, 1), "ref_dist_before_start": (4, 0, None, 0), "ref_past_end": (4, 3, None, 1),
            "ref_narrow_clamped": (1, 2, None, 3), "ref_far_code": (4, 0, None, 16)}.items():
        w = Bits(); header(w, width, 4 // width); w.put(0, 3); green_lit_ref(w, 5, 256 + length_sym)
        simple(w, 0); simple(w, 0); simple(w, 255, wide=True); simple(w, dist_sym, wide=True)
        w.code(0, 1).code(1, 1)
        if dist_sym >= 4:
            w.put(0, (dist_sym - 2) >> 1)
        case(name, w)
    # Colour cache: literal, then cache index of its hash.
    w = Bits(); header(w, 2, 1); w.put(0, 1).put(1, 1).put(1, 4).put(0, 1)
    green_lit_ref(w, 5, 280 + 1, cache=2); simple(w, 3); simple(w, 4); simple(w, 255, wide=True); simple(w, 0)
    w.code(0, 1).code(1, 1); case("cache_lookup", w)
    w = Bits(); header(w, 2, 1); w.put(0, 1).put(1, 1).put(1, 4).put(0, 1)
    green_lit_ref(w, 5, 280 + 0, cache=2); simple(w, 3); simple(w, 4); simple(w, 255, wide=True); simple(w, 0)
    w.code(0, 1).code(1, 1); case("cache_lookup_other_slot", w)
    # Palette past its end: 3 colours (2 bits a pixel), index 3 is transparent black; 17 colours, index 200.
    for name, ncol, packed, width in (("palette3_index3", 3, 0xE4, 4), ("palette17_index200", 17, 200, 1)):
        w = Bits(); header(w, width, 1, alpha=1); w.put(1, 1).put(3, 2).put(ncol - 1, 8)
        w.put(0, 1); group_trivial(w, 0x30, 0x40, 0x50, 0xFF)  # palette: constant deltas
        w.put(0, 3); group_trivial(w, packed, 0, 0, 0); case(name, w)
    # Predictor modes 14, 15 (and 30: only the low 4 bits count) act as black.
    for mode in (14, 15, 30, 11):
        w = Bits(); header(w, 3, 3); w.put(1, 1).put(0, 2).put(0, 3)
        w.put(0, 1); group_trivial(w, mode, 0, 0, 0)
        w.put(0, 3); group_trivial(w, 0x11, 0x22, 0x33, 0x44); case("predictor_mode_%d" % mode, w)
    # Entropy image naming groups 0 and 2: group 1 is unused but still read (and rejected if invalid).
    for bad in (False, True):
        w = Bits(); header(w, 8, 1); w.put(0, 1).put(0, 1).put(1, 1).put(0, 3)  # tiles of 4: 2x1 entropy image
        w.put(0, 1); simple(w, 0, 2, wide=True); simple(w, 0); simple(w, 0); simple(w, 0); simple(w, 0)
        w.code(0, 1).code(1, 1)  # groups 0, 2
        group_trivial(w, 1)
        if bad:
            simple(w, 1); normal(w, lengths_with(256, s1=1, s2=2)); simple(w, 0); simple(w, 0); simple(w, 0)
        else:
            group_trivial(w, 2)
        group_trivial(w, 3); case("unused_group_%s" % ("invalid" if bad else "valid"), w)
    w = Bits(); header(w, 2, 1); w.put(0, 3); group_trivial(w, 7); w.put(0xABCD, 16); case("trailing_bytes", w)
    w = Bits(); header(w, 2, 1, version=1); w.put(0, 3); group_trivial(w, 7); case("version_1", w)
    return cases


def alph_cases():
    """41x23 paletted alpha ending with one long backward reference whose extra bits may run past the end."""
    cases = {}
    coded = 6 * 23  # 2 colours: 8 indices a pixel, 41 -> 6 coded columns
    for cache in (False, True):
        for wide in range(16):
            w = Bits(); w.put(1, 1).put(3, 2).put(1, 8)  # colour indexing, 2 colours
            # The palette, a 2x1 sub-image: green 0, then green +255 (entries are deltas).
            w.put(0, 1); simple(w, 0, 255); simple(w, 0); simple(w, 0); simple(w, 0); simple(w, 0)
            w.code(0, 1).code(1, 1)
            w.put(0, 1)  # no more transforms
            if cache:
                w.put(1, 1).put(1, 4)
            else:
                w.put(0, 1)
            w.put(0, 1)  # no entropy image
            green_lit_ref(w, 0x55, 256 + 14, cache=2 if cache else 0)
            for i in range(3):
                simple(w, 0, wide=bool(wide >> i & 1))
            simple(w, 1, wide=bool(wide >> 3 & 1))  # distance code 2 = 1 pixel
            w.code(0, 1).code(1, 1).put(coded - 1 - 129, 6)  # literal, then length 137 = 129 + 8
            total = len(w.bits)
            for drop in range(8):
                if (total - drop) % 8 == 0:
                    cases["alph_overread_%s_w%d_drop%d" % ("cache" if cache else "8b", wide, drop)] = w.data(drop)
    return cases


def chunks(data):
    out, p = [], 12
    while p + 8 <= len(data):
        n = struct.unpack("<I", data[p + 4:p + 8])[0]
        out.append((data[p:p + 4], data[p + 8:p + 8 + n]))
        p += 8 + n + (n & 1)
    return out


def riff(parts):
    body = b"WEBP"
    for tag, payload in parts:
        body += tag + struct.pack("<I", len(payload)) + payload + (b"\0" if len(payload) & 1 else b"")
    return b"RIFF" + struct.pack("<I", len(body)) + body


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


def make():
    out = []
    for name, payload in vp8l_cases().items():
        out.append({"name": name, "chunk": "VP8L", "hex": payload.hex(),
                    "pillow": pillow(riff([(b"VP8L", payload)]), "VP8L")})
    with open(os.path.join(HERE, "alpha_x_raw_none.webp"), "rb") as f:
        parts = chunks(f.read())
    for name, payload in alph_cases().items():
        alph = bytes([1]) + payload  # VP8L-compressed, no filter
        parts2 = [(t, alph if t == b"ALPH" else p) for t, p in parts]
        out.append({"name": name, "chunk": "ALPH", "hex": alph.hex(),
                    "pillow": pillow(riff(parts2), "ALPH")})
    with open(os.path.join(HERE, "crafted.json"), "w") as f:
        f.write("[\n" + ",\n".join(json.dumps(c, sort_keys=True) for c in out) + "\n]\n")
    for c in out:
        print(c["name"], c["pillow"].get("error", c["pillow"].get("mode", "")))


if __name__ == "__main__":
    make()
