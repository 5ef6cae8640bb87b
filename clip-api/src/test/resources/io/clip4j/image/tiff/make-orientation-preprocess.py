#!/usr/bin/python3
"""Makes orientation-preprocess.json: CLIP's preprocessing of the TIFF files whose Orientation tag Pillow applies
on load, as the reference computes it (run from this directory with /usr/bin/python3: Pillow 9.4.0).

The reference is openai/CLIP's ``preprocess(Image.open(path))``: torchvision's ``Resize(n, BICUBIC)``,
``CenterCrop(n)``, then ``convert("RGB")``. torchvision (functional_pil.resize and center_crop, 0.8 to 0.14) reads
``img.size`` before anything loads the pixels; for a TIFF that is the stored size, and Pillow's TIFF loader
transposes the pixels by the Orientation tag only when it loads them (``TiffImageFile.load_end``). So with a tag
of 5..8 the resize target is computed from the stored width x height and applied to the turned pixels (a
squash); and when the stored short side already equals n, Resize returns the image unloaded and CenterCrop's box,
computed from the stored size, is cut from the turned pixels, zero-filled where it lies outside them (Pillow's
``crop``). The functions below are those two torchvision functions, reduced to the int-size case used here.
Not listed: a palette file in the no-resize case, where Pillow fills with palette entry 0 and clip4j, which
stores palette images expanded to RGB, with black (``ClipTransform``).
With ``exif`` (``ImagePreprocessor.Builder.applyExifOrientation``) the file goes through
``ImageOps.exif_transpose`` first, which returns a new, loaded image: no stored size is left to read.
"""
import hashlib, json, os
from PIL import Image, ImageOps


def resize(img, size):  # torchvision functional_pil.resize, int size
    w, h = img.size
    short, long = (w, h) if w <= h else (h, w)
    if short == size:
        return img
    new_short, new_long = size, int(size * long / short)
    new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    return img.resize((new_w, new_h), Image.BICUBIC)


def center_crop(img, size):  # torchvision functional.center_crop (no padding: both sides >= size here)
    image_width, image_height = img.size
    top = int(round((image_height - size) / 2.0))
    left = int(round((image_width - size) / 2.0))
    return img.crop((left, top, left + size, top + size))


CASES = [  # (file, n): n = the stored short side is the no-resize case
    ("rgb_orientation6.tif", 16), ("rgb_orientation6.tif", 31), ("rgb_orientation6.tif", 40),
    ("bilevel_orientation5.tif", 16), ("bilevel_orientation5.tif", 37),
    ("p4_orientation8.tif", 16),
    ("rgb_raw_orientation3.tif", 16), ("rgb_raw_orientation3.tif", 31),
    ("rgb_orientation6_wide.tif", 12),  # stored 45x12: the crop box starts right of the turned 12-wide pixels
]
if not os.path.exists("rgb_orientation6_wide.tif"):  # a strip of rgb_orientation6's stored rows, same tag
    src = Image.open("rgb_orientation6.tif")
    src.load()
    src.transpose(Image.Transpose.ROTATE_90).crop((0, 0, 45, 12)).save(
        "rgb_orientation6_wide.tif", compression="tiff_lzw", tiffinfo={274: 6})
out = []
for name, n in CASES:
    for exif in (False, True):
        img = Image.open(name)
        stored = img.size
        if exif:
            img = ImageOps.exif_transpose(img)
        rgb = center_crop(resize(img, n), n).convert("RGB")
        assert rgb.size == (n, n)
        out.append({"file": name, "n": n, "exif": exif, "stored_size": list(stored),
                    "sha256": hashlib.sha256(rgb.tobytes()).hexdigest()})
with open("orientation-preprocess.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
