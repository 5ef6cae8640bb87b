#!/usr/bin/env python3
"""Makes testdata/tokenizer/mojibake-cases.jsonl: mojibake texts with the ids of the reference tokenizer.

The reference is NOT part of this repository; pass the folders of a local copy (see testdata/ORIGIN.md):

    python3.11 make_mojibake_cases.py --ftfy DIR_WITH_ftfy_PACKAGE --clip DIR_WITH_simple_tokenizer.py \
        [--seed 20261208] [--per-plan 2] [--count 100] > mojibake-cases.jsonl

Needs Python 3.11 with regex 2022.10.31 and ftfy 6.3.1 (the versions of testdata/README.md).

Each output line: id, category, text, ids (clip.tokenize(text, truncate=True)[0], 77 ids), ids_untruncated_len,
clean_text (after basic_clean, whitespace_clean and lower()), fixed_text (ftfy.fix_text(text)). First the minimised
inputs of the divergences that differential fuzzing found in clip4j's former MojibakeRepair (category
"regression"), then seeded generated mojibake: UTF-8 (also CESU-8 / Java's modified UTF-8, and text in a
single-byte code page) decoded with every code page ftfy knows and two it does not, double mojibake, lost bytes
(?, 0x1A, U+FFFD), no-break spaces turned into spaces, truncation, mixed with good text. Generated texts are
grouped by the kinds of step ftfy takes on them (fix_encoding_and_explain, "unchanged" if none); the
`--per-plan` shortest texts of every group come first (category "plan: ..."), then `--count` random others
(category "generated").
"""
import argparse
import json
import random
import sys

REGRESSIONS = [
    "\u221a\u2260 ",               # MacRoman: √≠ -> í
    "\u221a\u00a9 caf\u221a\u00a9",  # MacRoman é
    "\u0432\u0402\u045a",           # windows-1251: вЂњ -> “
    "\u0432\u0402\u00a6 \u0414\u00b0 ",
    "\u03b2\u20ac\u00a6\n",         # windows-1253: β€¦ -> …
    "\u0393\u009f \u0393\u00a7",
    "\u0102\u00a8`",                # windows-1250 / iso-8859-2
    "\u0102\u0091\n",
    "\u0102\u00a4     ",
    "\u0106\u00b3/\u3007\u3000",
    "\u251c\u00e1 la ",             # cp437
    "\u251c\u00e6 \u253c\u0192 ",
    "\u0101\u20ac\u00a2",           # windows-1257
    "\u00c4\u2122",                 # Ä™: ftfy leaves it (not bad enough)
    "\u00c3\u2026",                 # Ã…: left alone
    "\u00cc\u0152",                 # ÌŒ
    "\u00d0\u201c\u00d1\u017e",     # Ð“Ñž
    "\u0130\u0081",                 # Turkish İ + U+0081 (windows-1254)
    "\u00c4\u00b0 \u00e2\u20ac\u02d8",
    "\u00c3\u00a9 \u00c3 la",       # restore_byte_a0: Ã then a space that was A0
    "voil\u00c3  \u00c3 quele",
    "\u00c3\u00a9\u00e2\u20ac? ",   # lossy: a byte lost to ?
    "\u00e2\u20ac\u001a caf\u00c3\u00a9",
    "\u00e2\ufffd\ufffd \u00c3\u00a9",
    "\u00c3\u00a9 \u00ed\u00a0\u00bd\u00ed\u00b8\u0080",  # CESU-8 (Java modified UTF-8) of an emoji
    "\u00c3\u00a9\u00c0\u0080x",    # C0 80: U+0000 in modified UTF-8
    "\u00c3\u00a9 \u00c0\n",        # C0 before the final LF (Python's $ in ftfy's pattern)
    "caf\u00c3\u00a9 and caf\u00e9 \u00e2\u20ac\u201d ok",  # decode_inconsistent_utf8
    "\u00c3\u0192\u00c2\u00a9",     # double mojibake
    "\u00c3\u00a2\u00e2\u201a\u00ac\u00e2\u201e\u00a2",
    "\u0080 \u0093quoted\u0094",    # C1 controls: Windows-1252
    "\u00c2\u00a0\u0081",
    "\u00e3\u201a\u201c",           # ã‚“ left alone
]

SRC = ["café", "naïve", "déjà vu", "Ünïcödé", "über", "español", "niño", "façade", "Łódź", "Привет мир", "日本語", "😀",
       "🐱👍🏽", "“quoted”", "it’s", "—", "…", "€5", "°C", "½", "Ã", "à la", "à", "Straße", "ZURÜCK", "Ελληνικά", "עברית",
       "العربية", "ಠ_ಠ", "™", "•", "ñ", "Ñ", "ø", "§ 5", "á", "é", "ó", "ú", "í", "ü", "ö", "ä", "è", "ç", "ê", "ô", "â",
       "Å", "ß", "ą", "ę", "č", "š", "ž", "ğ", "ş", "ı", "İ", "İstanbul", "Ä", "Ø", "Ð", "Œuvre", "naïveté", "São Paulo",
       "à quele", "\xa0", "a\xa0b", "नमस्ते", "ภาษาไทย", "한국어", "Ωmega", "µ", "×", "÷", "¿Qué?", "¡Hola!", "«»", "‹›",
       "†", "‰", "ℤ", "∑", "√", "≈", "∂", "\u2019s", "\u201chi\u201d", "\ufffd", "Ōsaka", "Āā", "ėė", "ǅ", "ﬁ", "\u0301",
       "a\u0301", "Ĳ", "ÿ", "Ÿ", "\u0081", "\u009d", "\x85"]
WORDS = "a the photo of cat dog an image small big red on in with and street".split()
DECODINGS = ["latin-1", "sloppy-windows-1252", "sloppy-windows-1251", "sloppy-windows-1250", "sloppy-windows-1253",
             "sloppy-windows-1254", "sloppy-windows-1257", "iso-8859-2", "macroman", "cp437", "windows-1252", "cp850"]
ENCODINGS = ["utf-8"] * 8 + ["cesu-8", "windows-1252", "latin-1", "windows-1251", "macroman"]


def encode(R, s, enc):
    if enc != "cesu-8":
        return s.encode(enc, errors="replace")
    out = b""  # Java's modified UTF-8: NUL as C0 80, astral characters as two 3-byte surrogates
    for ch in s:
        if ch == "\0":
            out += b"\xc0\x80"
        elif ord(ch) >= 0x10000:
            for half in ch.encode("utf-16-be", "surrogatepass").decode("utf-16-be", "surrogatepass"):
                out += half.encode("utf-8", "surrogatepass")
        else:
            out += ch.encode("utf-8")
    return out


def garble(R, b):
    r = R.random()
    if r < 0.15:
        b = b.replace(b"\xa0", b" ")
    elif r < 0.25:
        b = bytes(x if not (0x80 <= x < 0xC0 and R.random() < 0.3) else R.choice([0x3F, 0x1A]) for x in b)
    elif r < 0.3:
        b = b[:R.randint(0, len(b))]
    return b


def source(R):
    parts = [R.choice(SRC) for _ in range(R.randint(1, 4))]
    if R.random() < 0.4:
        parts.insert(R.randint(0, len(parts)), R.choice(WORDS))
    return R.choice([" ", "", " ", "\n", ". "]).join(parts)


def generate(R):
    t = garble(R, encode(R, source(R), R.choice(ENCODINGS))).decode(R.choice(DECODINGS),
                                                                    errors=R.choice(["replace", "ignore"]))
    r = R.random()
    if r < 0.25:
        t = garble(R, t.encode("utf-8", "replace")).decode(R.choice(DECODINGS), errors="replace")
    elif r < 0.3:
        t = t.replace("\ufffd", "?")
    if R.random() < 0.3:
        t = R.choice([source(R) + " " + t, t + " " + source(R), source(R) + t])
    return "".join(c for c in t if not 0xD800 <= ord(c) <= 0xDFFF)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ftfy", required=True)
    ap.add_argument("--clip", required=True)
    ap.add_argument("--seed", type=int, default=20261208)
    ap.add_argument("--per-plan", type=int, default=2)
    ap.add_argument("--count", type=int, default=100)
    a = ap.parse_args()
    sys.path[:0] = [a.ftfy, a.clip]
    import ftfy
    import ftfy.bad_codecs  # noqa: F401  (registers the sloppy codecs used above)
    import simple_tokenizer as st
    tok = st.SimpleTokenizer()
    sot, eot = tok.encoder["<|startoftext|>"], tok.encoder["<|endoftext|>"]
    R = random.Random(a.seed)

    def emit(i, cat, text):
        t = [sot] + tok.encode(text) + [eot]
        n = len(t)
        if n > 77:
            t = t[:77]
            t[-1] = eot
        clean = st.whitespace_clean(st.basic_clean(text)).lower()
        print(json.dumps({"id": "m%04d" % i, "category": cat, "text": text, "ids": t + [0] * (77 - len(t)),
                          "ids_untruncated_len": n, "clean_text": clean, "fixed_text": ftfy.fix_text(text)},
                         ensure_ascii=False))

    i = 0
    for text in REGRESSIONS:
        emit(i, "regression", text)
        i += 1
    texts = [generate(R) for _ in range(20000)]
    plans = {}
    for text in texts:
        steps = ftfy.fix_encoding_and_explain(text).explanation or []
        key = ", ".join(sorted({"%s %s" % s for s in steps})) or "unchanged"  # the kinds of step, not their order
        plans.setdefault(key, []).append(text)
    for plan in sorted(plans):
        for text in sorted(set(plans[plan]), key=lambda t: (len(t), t))[:a.per_plan]:
            emit(i, "plan: " + plan, text)
            i += 1
    for text in R.sample(texts, a.count):
        emit(i, "generated", text)
        i += 1


if __name__ == "__main__":
    main()
