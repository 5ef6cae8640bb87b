#!/usr/bin/python3
"""Regenerates damaged.json: seeded damage to this folder's JPEGs, with what Pillow makes of each file.

Reference: Pillow 9.4.0 (Debian bookworm python3-pil, on libjpeg-turbo 2.1.5, x86-64 SIMD): for a file it
decodes, the mode, size and SHA-256 of Image.tobytes(); for one it rejects, the error. Each case is a seed
file plus edits (set bytes / delete / insert / cut, offsets into the edited file), so the test rebuilds it.
It also writes damaged/pillow.json, Pillow's result for the hand-made files in damaged/.
Run from this folder: /usr/bin/python3 make-damaged.py
"""
import hashlib, io, json, random
from PIL import Image

SEEDS = ['s420.jpg', 's444.jpg', 'gray.jpg', 'restart.jpg', 'q100_optimized.jpg', 's420_progressive.jpg',
         'gray_progressive.jpg', 'restart_progressive.jpg', 'progressive_unrefined.jpg', 'progressive_dc_only.jpg']
CASES_PER_SEED = 60


def scan_start(b):
    i = b.index(b'\xff\xda')
    return i + 2 + int.from_bytes(b[i + 2:i + 4], 'big')


def damage(rnd, b):
    """Returns (edits, damaged bytes); most edits hit the entropy-coded data of the first scan or later."""
    lo, hi = scan_start(b), len(b) - 2
    c = bytearray(b)
    edits = []
    kind = rnd.choice(['byte', 'byte', 'bits', 'marker', 'rst', 'delete', 'insert', 'cut', 'cut_eoi'])
    if kind in ('byte', 'bits'):
        for _ in range(rnd.randint(1, 3)):
            p = rnd.randint(lo, hi - 1)
            c[p] = rnd.randrange(256) if kind == 'byte' else c[p] ^ (1 << rnd.randrange(8))
            edits.append(['set', p, '%02x' % c[p]])
    elif kind == 'marker':  # a marker where data should be
        p = rnd.randint(lo, hi - 2)
        code = rnd.choice([0xD0 + rnd.randrange(8), 0xD9, 0xFE, 0xC4, 0xCC, 0xDB, 0xDA, 0xE1, 0x01, 0x33, 0xFF])
        c[p:p + 2] = bytes([0xFF, code])
        edits.append(['set', p, 'ff%02x' % code])
    elif kind == 'rst':  # restart markers renumbered (a no-op on files without them)
        rs = [j for j in range(lo, hi - 1) if c[j] == 0xFF and 0xD0 <= c[j + 1] <= 0xD7]
        for j in rnd.sample(rs, min(len(rs), rnd.randint(1, 2))):
            c[j + 1] = 0xD0 + rnd.randrange(8)
            edits.append(['set', j + 1, '%02x' % c[j + 1]])
    elif kind == 'delete':
        p = rnd.randint(lo, hi - 2)
        n = rnd.randint(1, min(30, hi - p))
        del c[p:p + n]
        edits.append(['delete', p, n])
    elif kind == 'insert':
        p = rnd.randint(lo, hi - 1)
        ins = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 20)))
        c[p:p] = ins
        edits.append(['insert', p, ins.hex()])
    else:  # cut, optionally closed with an EOI marker
        p = rnd.choice([len(c) - rnd.randint(1, 12), rnd.randint(lo, hi)])
        del c[p:]
        edits.append(['cut', p])
        if kind == 'cut_eoi':
            c += b'\xff\xd9'
            edits.append(['insert', p, 'ffd9'])
    return kind, edits, bytes(c)


def main():
    rnd = random.Random(20261206)
    cases = []
    for seed in SEEDS:
        b = open(seed, 'rb').read()
        for _ in range(CASES_PER_SEED):
            kind, edits, c = damage(rnd, b)
            case = {'seed': seed, 'kind': kind, 'edits': edits}
            case['pillow'] = pillow(c)
            cases.append(case)
    with open('damaged.json', 'w') as f:
        f.write('[\n' + ',\n'.join(json.dumps(c, sort_keys=True) for c in cases) + '\n]\n')


def pillow(c):
    try:
        im = Image.open(io.BytesIO(c))
        im.load()
        return {'mode': im.mode, 'width': im.size[0], 'height': im.size[1],
                'sha256': hashlib.sha256(im.tobytes()).hexdigest()}
    except Exception as e:  # what Pillow raises: OSError, SyntaxError, ...
        return {'error': '%s: %s' % (type(e).__name__, e)}


def hand_made():
    """damaged/pillow.json: Pillow's result for each hand-made file of damaged/ (see the README)."""
    import os
    names = sorted(f for f in os.listdir('damaged') if f.endswith('.jpg'))
    out = {n: pillow(open(os.path.join('damaged', n), 'rb').read()) for n in names}
    with open('damaged/pillow.json', 'w') as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write('\n')


if __name__ == '__main__':
    main()
    hand_made()
