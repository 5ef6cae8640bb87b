#!/usr/bin/python3
"""Makes the TIFF test files and pillow.json (what Pillow 9.4 / libtiff 4.5.0 gives for each).

Run from this directory with /usr/bin/python3; needs tiffcp/tiffset (Debian libtiff-tools).
Sources are shrunk copies of testdata/preprocess/images/*.png.
"""
import hashlib, json, os, struct, subprocess
from PIL import Image

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), *[".."] * 8, "testdata", "preprocess", "images")
out = {}


def src(name, size, mode):
    return Image.open(os.path.join(SRC, name)).convert(mode if mode != "P" else "RGB").resize(size, Image.BICUBIC)


def sh(*args):
    subprocess.run(args, check=True)


def cp(src_name, dst, *opts):
    sh("tiffcp", *opts, src_name, dst)


def setf(name, tag, *values):
    sh("tiffset", "-s", str(tag), *[str(v) for v in values], name)


def raw_tiff(name, w, h, bits, photometric, data, colormap=None):
    """A minimal uncompressed little-endian TIFF (for depths Pillow cannot write: 2/4-bit)."""
    entries = [(256, 3, 1, w), (257, 3, 1, h), (258, 3, 1, bits), (259, 3, 1, 1), (262, 3, 1, photometric),
               (273, 4, 1, 0), (277, 3, 1, 1), (278, 3, 1, h), (279, 4, 1, len(data))]
    extra = b""
    ifd_size = 2 + 12 * (len(entries) + (1 if colormap else 0)) + 4
    data_off = 8 + ifd_size
    if colormap:
        entries.append((320, 3, len(colormap), data_off))
        extra = struct.pack("<%dH" % len(colormap), *colormap)
    strip_off = data_off + len(extra)
    entries = [(t, ty, n, strip_off if t == 273 else v) for t, ty, n, v in entries]
    b = bytearray(b"II*\0" + struct.pack("<I", 8) + struct.pack("<H", len(entries)))
    for t, ty, n, v in sorted(entries):
        b += struct.pack("<HHI", t, ty, n) + (struct.pack("<HH", v, 0) if ty == 3 and n == 1 else struct.pack("<I", v))
    b += struct.pack("<I", 0) + extra + data
    open(name, "wb").write(bytes(b))


def pack(values, bits, w):
    rows = [values[i:i + w] for i in range(0, len(values), w)]
    outb = bytearray()
    for r in rows:
        acc = n = 0
        for v in r:
            acc = (acc << bits) | v
            n += bits
            if n == 8:
                outb.append(acc); acc = n = 0
        if n:
            outb.append(acc << (8 - n))
    return bytes(outb)


def record(name, error=None):
    e = {"file": name, "size": os.path.getsize(name)}
    try:
        im = Image.open(name)
        im.load()
        e.update(mode=im.mode, width=im.size[0], height=im.size[1],
                 sha256=hashlib.sha256(im.tobytes()).hexdigest(),
                 orientation=im.getexif().get(274, 1))
        # What clip4j stores: 1 -> L 0/255, P -> RGB through the palette, RGBX -> RGB (X is padding).
        store = {"1": "L", "P": "RGB", "RGBX": "RGB"}.get(im.mode)
        if store:
            e["stored"] = store
            e["stored_sha256"] = hashlib.sha256(im.convert(store).tobytes()).hexdigest()
    except Exception as ex:  # Pillow's own failure
        e["pillow_error"] = repr(ex)
    if error:
        e["clip4j_error"] = error
    out[name] = e


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    os.chdir(here)
    for f in os.listdir("."):
        if f.endswith(".tif"):
            os.remove(f)
    rgb = src("chelsea.png", (45, 31), "RGB")
    rgba = src("rgba_transparent.png", (37, 29), "RGBA")
    gray = src("gray_L.png", (41, 23), "L")
    pal = Image.open(os.path.join(SRC, "palette_P.png")).convert("RGB").resize((33, 27), Image.NEAREST).quantize(200)
    bw = src("horse.png", (53, 37), "L").point(lambda v: 255 if v > 128 else 0).convert("1")

    rgb.save("rgb_raw.tif")
    rgb.save("rgb_packbits.tif", compression="packbits")
    rgb.save("rgb_lzw.tif", compression="tiff_lzw")
    rgb.save("rgb_deflate.tif", compression="tiff_adobe_deflate")
    cp("rgb_raw.tif", "rgb_raw_mm.tif", "-B")
    cp("rgb_raw.tif", "rgb_lzw_mm_rows5.tif", "-B", "-c", "lzw", "-r", "5")
    cp("rgb_raw.tif", "rgb_lzw_pred2_tiles.tif", "-c", "lzw:2", "-t", "-w", "16", "-l", "16")
    cp("rgb_raw.tif", "rgb_zip_pred2_rows4.tif", "-c", "zip:2", "-r", "4")
    cp("rgb_raw.tif", "rgb_raw_tiles.tif", "-t", "-w", "16", "-l", "16")
    cp("rgb_raw.tif", "rgb_packbits_tiles_mm.tif", "-B", "-c", "packbits", "-t", "-w", "32", "-l", "16")
    cp("rgb_raw.tif", "rgb_planar_raw.tif", "-p", "separate", "-r", "8")
    cp("rgb_raw.tif", "rgb_planar_lzw_pred2.tif", "-p", "separate", "-c", "lzw:2", "-r", "8")
    cp("rgb_raw.tif", "rgb_planar_zip_tiles.tif", "-p", "separate", "-c", "zip", "-t", "-w", "16", "-l", "16")
    cp("rgb_raw.tif", "rgb_fillorder2_lzw.tif", "-f", "lsb2msb", "-c", "lzw")
    cp("rgb_raw.tif", "rgb_zip_32946.tif", "-c", "zip")
    setf("rgb_zip_32946.tif", 259, 32946)
    cp("rgb_raw.tif", "rgb_orientation6.tif", "-c", "lzw")
    setf("rgb_orientation6.tif", 274, 6)
    cp("rgb_raw.tif", "rgb_raw_orientation3.tif")
    setf("rgb_raw_orientation3.tif", 274, 3)

    rgba.save("rgba_raw.tif")
    rgba.save("rgba_lzw.tif", compression="tiff_lzw")
    cp("rgba_raw.tif", "rgba_zip_pred2_tiles.tif", "-c", "zip:2", "-t", "-w", "16", "-l", "16")
    cp("rgba_raw.tif", "rgba_planar_raw.tif", "-p", "separate")
    cp("rgba_raw.tif", "rgba_planar_lzw.tif", "-p", "separate", "-c", "lzw")
    for name, comp in (("rgba_assoc_raw.tif", None), ("rgba_assoc_lzw.tif", "lzw")):
        cp("rgba_raw.tif", name, *(["-c", comp] if comp else []))
        setf(name, 338, 1, 1)
    for name, comp in (("rgbx_raw.tif", None), ("rgbx_packbits.tif", "packbits")):
        cp("rgba_raw.tif", name, *(["-c", comp] if comp else []))
        setf(name, 338, 1, 0)

    gray.save("l_raw.tif")
    gray.save("l_packbits.tif", compression="packbits")
    gray.save("l_deflate.tif", compression="tiff_adobe_deflate")
    cp("l_raw.tif", "l_lzw_pred2_tiles_mm.tif", "-B", "-c", "lzw:2", "-t", "-w", "16", "-l", "16")
    for name, comp in (("l_whiteiszero_raw.tif", None), ("l_whiteiszero_lzw.tif", "lzw")):
        cp("l_raw.tif", name, *(["-c", comp] if comp else []))
        setf(name, 262, 0)
    g4 = [v >> 4 for v in gray.tobytes()]
    raw_tiff("l_4bit_raw.tif", gray.width, gray.height, 4, 1, pack(g4, 4, gray.width))
    cp("l_4bit_raw.tif", "l_4bit_lzw.tif", "-c", "lzw")
    g2 = [v >> 6 for v in gray.tobytes()]
    raw_tiff("l_2bit_whiteiszero_raw.tif", gray.width, gray.height, 2, 0, pack(g2, 2, gray.width))
    Image.merge("LA", (gray, gray.point(lambda v: 255 - v))).save("la_lzw.tif", compression="tiff_lzw")

    bw.save("bilevel_raw.tif")
    bw.save("bilevel_packbits.tif", compression="packbits")
    bw.save("bilevel_lzw.tif", compression="tiff_lzw")
    cp("bilevel_raw.tif", "bilevel_zip_tiles_mm.tif", "-B", "-c", "zip", "-t", "-w", "16", "-l", "16")
    cp("bilevel_raw.tif", "bilevel_whiteiszero_raw.tif")
    setf("bilevel_whiteiszero_raw.tif", 262, 0)
    cp("bilevel_raw.tif", "bilevel_fillorder2_raw.tif", "-f", "lsb2msb")

    pal.save("p8_raw.tif")
    pal.save("p8_lzw.tif", compression="tiff_lzw")
    cp("p8_raw.tif", "p8_packbits_tiles_mm.tif", "-B", "-c", "packbits", "-t", "-w", "16", "-l", "16")
    p16 = pal.convert("RGB").quantize(16)
    cmap = p16.getpalette()[:48] + [0] * max(0, 48 - len(p16.getpalette()))
    colormap = [c * 257 + (i * 37) % 200 for i, c in enumerate(cmap[0::3] + cmap[1::3] + cmap[2::3])]
    raw_tiff("p4_raw.tif", p16.width, p16.height, 4, 3, pack(list(p16.tobytes()), 4, p16.width), colormap)
    cp("p4_raw.tif", "p4_zip.tif", "-c", "zip")
    cp("bilevel_raw.tif", "bilevel_orientation5.tif")
    setf("bilevel_orientation5.tif", 274, 5)
    cp("p4_raw.tif", "p4_orientation8.tif")
    setf("p4_orientation8.tif", 274, 8)

    for f in sorted(os.listdir(".")):
        if f.endswith(".tif"):
            record(f)

    # Files clip4j must reject (Pillow opens some of them).
    rgb.save("reject_jpeg.tif", compression="jpeg")
    record("reject_jpeg.tif", "TIFF: unsupported compression 7 (JPEG)")
    Image.new("I;16", (9, 7), 300).save("reject_16bit.tif")
    record("reject_16bit.tif", "TIFF: 16-bit samples are not supported")
    rgb.convert("CMYK").save("reject_cmyk.tif")
    record("reject_cmyk.tif", "TIFF: photometric interpretation 5 (CMYK) is not supported")
    Image.new("F", (9, 7), 1.5).save("reject_float.tif")
    record("reject_float.tif", "TIFF: 32-bit samples are not supported")
    bw.save("reject_group4.tif", compression="group4")
    record("reject_group4.tif", "TIFF: unsupported compression 4 (CCITT T.6)")
    cp("rgb_raw.tif", "reject_bigtiff.tif", "-8")
    record("reject_bigtiff.tif", "TIFF: BigTIFF is not supported")

    with open("pillow.json", "w") as fp:
        json.dump([out[k] for k in sorted(out)], fp, indent=1)
        fp.write("\n")


main()
