"""Reference for open_clip's resize_mode 'squash': Resize((n, n), BICUBIC) -> convert("RGB"), no crop.

open_clip's image_transform (eval, resize_mode 'squash') is torchvision Resize((n, n)) followed by
_convert_to_rgb, ToTensor and Normalize; on a PIL image torchvision 0.14's Resize is PIL's
img.resize((n, n), BICUBIC) (Pillow itself switches modes P and 1 to NEAREST). This writes what ToTensor
receives, uint8 [n, n, 3] HWC, for every image of ../manifest.json (JPEGs as Pillow decodes them, which the
tests take from the manifest's `decoded` arrays, since Java's JPEG decoder may differ).

Run: /usr/bin/python3 make_reference.py   (Debian bookworm python3-pil 9.4.0)
"""
import json, os
import numpy as np
from PIL import Image

here = os.path.dirname(os.path.abspath(__file__))
manifest = json.load(open(os.path.join(here, '..', 'manifest.json')))
out = {}
for e in manifest['images']:
    n = 224 if e['name'] == 'exact_224x224' else 48  # 224: the no-op resize of an image already n x n
    img = Image.open(os.path.join(here, '..', e['file']))
    rgb = np.asarray(img.resize((n, n), Image.BICUBIC).convert('RGB'), dtype=np.uint8)
    np.save(os.path.join(here, '%s.n%d.rgb_u8.npy' % (e['name'], n)), rgb)
    out[e['name']] = {'file': e['file'], 'mode': img.mode, 'n': n}
json.dump(out, open(os.path.join(here, 'index.json'), 'w'), indent=1, sort_keys=True)
print(Image.__version__, len(out), 'references')
