#!/usr/bin/python3
"""Regenerates damaged.json and damaged-arith.json: seeded damage to this folder's JPEGs (Huffman-coded, then
arithmetic-coded), with what Pillow makes of each file.

Reference: Pillow 9.4.0 (Debian bookworm python3-pil, on libjpeg-turbo 2.1.5, x86-64 SIMD): for a file it
decodes, the mode, size and SHA-256 of Image.tobytes(); for one it rejects, the error. Each case is a seed
file plus edits (set bytes / delete / insert / cut / a COM segment of n bytes, offsets into the edited file), so
the test rebuilds it. The arithmetic group also moves scans across Pillow's 64 KiB read blocks with a large COM
segment ('block'): libjpeg's arithmetic decoder cannot suspend, so Pillow fails when a scan's data crosses the
end of what it has read.
damaged-after-image.json holds single-scan files whose EOI is replaced by zero bytes and then a marker, around
Pillow's 64 KiB blocks: once every row is out, Pillow stops feeding libjpeg, whose marker reader then only sees the
data it was given ('zeros' edit: n zero bytes inserted).
damaged-eoi.json holds single-scan Huffman-coded files whose EOI is missing (cut, then junk bytes appended; or the
scan data cut short): libjpeg's Huffman decoder reads ahead by its own rules, and Pillow fails the file only if it
asked for a byte past the end before the last row was out.
It also writes damaged/pillow.json, Pillow's result for the hand-made files in damaged/.
Run from this folder: /usr/bin/python3 make-damaged.py
"""
import hashlib, io, json, random
from PIL import Image

SEEDS = ['s420.jpg', 's444.jpg', 'gray.jpg', 'restart.jpg', 'q100_optimized.jpg', 's420_progressive.jpg',
         'gray_progressive.jpg', 'restart_progressive.jpg', 'progressive_unrefined.jpg', 'progressive_dc_only.jpg']
CASES_PER_SEED = 60
ARITH_SEEDS = ['arithmetic.jpg', 'arith_gray.jpg', 'arith_s422_restart.jpg', 'arith_three_scans.jpg',
               'arith_progressive.jpg', 'arith_progressive_restart.jpg', 'arith_unrefined.jpg', 'arith_dac.jpg']
ARITH_CASES_PER_SEED = 45
KINDS = ['byte', 'byte', 'bits', 'marker', 'rst', 'delete', 'insert', 'cut', 'cut_eoi']
PILLOW_BLOCK = 65536  # ImageFile.MAXBLOCK: Pillow feeds its decoders the file in blocks of this size


def scan_start(b):
    i = b.index(b'\xff\xda')
    return i + 2 + int.from_bytes(b[i + 2:i + 4], 'big')


def com_segment(n):
    return b'\xff\xfe' + (n + 2).to_bytes(2, 'big') + bytes(n)


def damage(rnd, b, kinds=KINDS):
    """Returns (edits, damaged bytes); most edits hit the entropy-coded data of the first scan or later."""
    lo, hi = scan_start(b), len(b) - 2
    c = bytearray(b)
    edits = []
    kind = rnd.choice(kinds)
    if kind == 'block':  # a COM segment before one SOS puts a 64 KiB block boundary near or in that scan
        sos = [j for j in range(2, len(c) - 1) if c[j] == 0xFF and c[j + 1] == 0xDA]
        p = rnd.choice(sos)
        n_sos = int.from_bytes(c[p + 2:p + 4], 'big')
        nxt = c.find(b'\xff', p + 2 + n_sos)
        while nxt >= 0 and (c[nxt + 1] == 0 or 0xD0 <= c[nxt + 1] <= 0xD7):
            nxt = c.find(b'\xff', nxt + 2)
        data_len = (nxt if nxt >= 0 else len(c)) - (p + 2 + n_sos)
        t = rnd.randint(-8, data_len + 8)  # the boundary's offset into the scan's data
        n = PILLOW_BLOCK - t - (p + 4 + 2 + n_sos)
        c[p:p] = com_segment(n)
        edits.append(['com', p, n])
        # sometimes with damage on top
        if rnd.random() < 0.3:
            more_kind, more, c = damage(rnd, bytes(c))
            kind += '+' + more_kind
            edits += more
        return kind, edits, bytes(c)
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


def main_arith():
    rnd = random.Random(20261207)
    cases = []
    for seed in ARITH_SEEDS:
        b = open(seed, 'rb').read()
        for _ in range(ARITH_CASES_PER_SEED):
            kind, edits, c = damage(rnd, b, KINDS + ['block', 'block'])
            case = {'seed': seed, 'kind': kind, 'edits': edits}
            case['pillow'] = pillow(c)
            cases.append(case)
    with open('damaged-arith.json', 'w') as f:
        f.write('[\n' + ',\n'.join(json.dumps(c, sort_keys=True) for c in cases) + '\n]\n')


AFTER_IMAGE_SEEDS = ['s420.jpg', 'gray.jpg', 'restart.jpg', 'q100_optimized.jpg', 'arithmetic.jpg',
                     'arith_s422_restart.jpg']
AFTER_IMAGE_MARKERS = ['ff02', 'ffda000809', 'ffd9', 'ffc4001f', 'ffdb00ff', 'fffe0010']


def main_after_image():
    rnd = random.Random(20261208)
    cases = []
    for seed in AFTER_IMAGE_SEEDS:
        b = open(seed, 'rb').read()
        body = len(b) - 2  # without the EOI
        for marker in AFTER_IMAGE_MARKERS:
            for n in (rnd.randint(10, 1000), PILLOW_BLOCK - body + rnd.randint(-12, 12),
                      PILLOW_BLOCK - body + rnd.randint(-3, 3), 3 * PILLOW_BLOCK - body + rnd.randint(-40, 40)):
                edits = [['cut', body], ['zeros', body, n], ['insert', body + n, marker + '00' * 10]]
                cases.append({'seed': seed, 'kind': 'after-image', 'edits': edits,
                              'pillow': pillow(apply(b, edits))})
        # An SOS marker written over the scan data where a 64 KiB block ends (a COM segment before the SOS moves
        # the boundary into the data): the rest of the rows come out gray, and the new SOS header is read only if
        # it lies inside the block Pillow had handed over.
        sos = b.index(b'\xff\xda')
        data_start = sos + 2 + int.from_bytes(b[sos + 2:sos + 4], 'big')
        for _ in range(2):
            t = rnd.randint(20, len(b) - data_start - 20)  # where the boundary falls in the scan data
            n = PILLOW_BLOCK - 4 - data_start - t
            for d in (-4, -3, -2, -1, 0):
                boundary = PILLOW_BLOCK
                edits = [['com', sos, n], ['set', boundary + d, 'ffda']]
                cases.append({'seed': seed, 'kind': 'sos-at-block-end', 'edits': edits,
                              'pillow': pillow(apply(b, edits))})
    with open('damaged-after-image.json', 'w') as f:
        f.write('[\n' + ',\n'.join(json.dumps(c, sort_keys=True) for c in cases) + '\n]\n')


EOI_SEEDS = ['s420.jpg', 's444.jpg', 'gray.jpg', 'restart.jpg', 'q100_optimized.jpg', 's422.jpg', 's411.jpg',
             'tiny_1x1.jpg', 'tiny_4x4.jpg', 'tiny_5x3.jpg', 'eoi/s420_q90.jpg', 'eoi/s420_q75.jpg',
             'eoi/gray_q95.jpg', 'eoi/s444_q93_optimized.jpg', 'eoi/s422_q90_restart.jpg']


def main_eoi():
    """damaged-eoi.json: single-scan Huffman-coded files without their EOI, ending right after the scan data, after
    k junk bytes (none 0xFF; or with a stuffed FF 00, a marker, a final FF), or cut a few bytes into the data.
    Whether Pillow decodes them depends on whether libjpeg's bit buffer asks for a byte past the end of the file
    before the last MCU is decoded."""
    rnd = random.Random(20261209)
    cases = []

    def junk(k):
        return bytes(rnd.randrange(255) for _ in range(k))

    for seed in EOI_SEEDS:
        b = open(seed, 'rb').read()
        assert b[-2:] == b'\xff\xd9'
        body = len(b) - 2

        def add(kind, edits):
            cases.append({'seed': seed, 'kind': kind, 'edits': edits, 'pillow': pillow(apply(b, edits))})

        for k in range(11):
            add('eoi-junk', [['cut', body]] + ([['insert', body, junk(k).hex()]] if k else []))
        for k in range(2, 11, 2):
            j = bytearray(junk(k))
            i = rnd.randrange(k - 1)
            j[i:i + 2] = b'\xff\x00'
            add('eoi-ff00', [['cut', body], ['insert', body, j.hex()]])
        for k in (1, 2, 5, 9):
            add('eoi-ff-last', [['cut', body], ['insert', body, (junk(k - 1) + b'\xff').hex()]])
        for k in (2, 4, 7, 10):
            j = bytearray(junk(k))
            i = rnd.randrange(k - 1)
            j[i:i + 2] = bytes([0xFF, rnd.choice([0xD0 + rnd.randrange(8), 0xD9, 0x01, 0xC4, 0xFE, 0x33, 0xFF])])
            add('eoi-marker', [['cut', body], ['insert', body, j.hex()]])
        for d in range(1, 9):
            k = rnd.randrange(4)
            add('cut-data', [['cut', body - d]] + ([['insert', body - d, junk(k).hex()]] if k else []))
    # COM segments in front of the SOS move the end of the data near one of Pillow's 64 KiB blocks, or the block's
    # end a few KB into the data: libjpeg suspends there, is handed the next block and decodes the MCU again, maybe
    # with the other path.
    for seed in ['eoi/s420_q90.jpg', 'eoi/gray_q95.jpg', 'eoi/s422_q90_restart.jpg']:
        b = open(seed, 'rb').read()
        body = len(b) - 2
        sos = b.index(b'\xff\xda')
        for _ in range(20):
            t = rnd.choice([rnd.randint(-40, 40), rnd.randint(-5000, 40)])  # the block's end minus the data's end
            n = PILLOW_BLOCK + t - body - 8  # two COM segments (one holds at most 65533 bytes)
            k = rnd.randrange(11)
            edits = [['cut', body]] + ([['insert', body, junk(k).hex()]] if k else [])
            edits += [['com', sos, n // 2], ['com', sos, n - n // 2]]
            cases.append({'seed': seed, 'kind': 'eoi-block', 'edits': edits, 'pillow': pillow(apply(b, edits))})
    with open('damaged-eoi.json', 'w') as f:
        f.write('[\n' + ',\n'.join(json.dumps(c, sort_keys=True) for c in cases) + '\n]\n')


def apply(b, edits):
    """The edits of main_after_image and main_eoi (the test's DamagedJpegTest.apply reads the same list)."""
    c = bytearray(b)
    for e in edits:
        if e[0] == 'cut':
            del c[e[1]:]
        elif e[0] == 'zeros':
            c[e[1]:e[1]] = bytes(e[2])
        elif e[0] == 'insert':
            c[e[1]:e[1]] = bytes.fromhex(e[2])
        elif e[0] == 'com':
            c[e[1]:e[1]] = com_segment(e[2])
        elif e[0] == 'set':
            v = bytes.fromhex(e[2])
            c[e[1]:e[1] + len(v)] = v
    return bytes(c)


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
    main_arith()
    main_after_image()
    main_eoi()
    hand_made()
