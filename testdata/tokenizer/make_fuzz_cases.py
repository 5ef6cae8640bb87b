#!/usr/bin/env python3
"""Makes testdata/tokenizer/fuzz-cases.jsonl: generated texts with the ids of the reference tokenizer.

The reference is NOT part of this repository; pass the folders of a local copy (see testdata/ORIGIN.md):

    python3.11 make_fuzz_cases.py --ftfy DIR_WITH_ftfy_PACKAGE --clip DIR_WITH_simple_tokenizer.py \
        [--seed 20261207] [--count 300] > fuzz-cases.jsonl

(`DIR_WITH_simple_tokenizer.py` must also hold bpe_simple_vocab_16e6.txt.gz, the file of this folder.)
Needs Python 3.11 with regex 2022.10.31 and ftfy 6.3.1 (the versions of testdata/README.md).

Each output line: id, category, text, ids (clip.tokenize(text, truncate=True)[0], 77 ids), ids_untruncated_len,
clean_text (the text after basic_clean, whitespace_clean and lower()). First the minimised inputs of
divergences found by differential fuzzing (category "regression"), then `--count` generated texts (seeded).

Generated texts on which ftfy's encoding repair (fix_encoding) acts are skipped, and so are texts holding
characters of the single-byte code pages that mojibake comes from (when this set was made, clip4j's repair was a
smaller heuristic than ftfy's; mojibake now has its own set, mojibake-cases.jsonl, made by make_mojibake_cases.py).
"""
import argparse
import html.entities
import json
import random
import sys
import unicodedata

# minimised inputs of divergences found by the fuzz run of 2026-12-07 (see testdata/ORIGIN.md)
REGRESSIONS = [
    "\u03c9\u1acd\u0345",            # NFC: U+1ACD (Unicode 14, ccc 230) does not block U+0345 (240): composes to U+1FF3
    "e\u0598\u0899",                  # NFC: canonical ordering with U+0899 (Unicode 14, ccc 220)
    "\u03b9\u1dfa\u0d3c",            # NFC: U+1DFA (Unicode 14, ccc 218) after U+0D3C (ccc 9)
    "a\u08ce\U0001d169",              # NFC: U+08CE (Unicode 14, ccc 230) after U+1D169 (ccc 1)
    "e\u1ac9\u0f75",                  # NFC: U+0F75 decomposes to U+0F71 U+0F74 (ccc 129/132), both before U+1AC9 (230)
    "\u0345\U00010f84?",              # NFC: U+10F84 (Unicode 14, ccc 220) moves before U+0345 (240)
    "\x1b[\U00016ac1mcat",            # ftfy terminal escape: Tangsa digit (Unicode 14) is Python's \\d
    "\x1b[1;\U00016ac9mdog",
]

def _sets():
    import regex
    new15, marks, cased = [], [], []
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        cat = unicodedata.category(c)
        if cat == "Cn" and not regex.match(r"\p{Cn}", c):
            new15.append(cp)
        if cat in ("Mn", "Mc", "Me"):
            marks.append(cp)
        if c.lower() != c:
            cased.append(cp)
    new14ish = [cp for cp in marks if unicodedata.combining(chr(cp))]
    return {"new14": new14ish, "new15": new15, "marks": marks, "cased": cased}


MOJI_ENCODINGS = ["cp1252", "latin-1", "cp1250", "cp1251", "cp1253", "cp1254", "cp1257", "iso-8859-2", "mac_roman",
                  "cp437", "cp850"]
MOJI_CHARS = set()
for _e in MOJI_ENCODINGS:
    for _b in range(0x80, 0x100):
        try:
            MOJI_CHARS.add(bytes([_b]).decode(_e))
        except UnicodeDecodeError:
            pass

WORDS = "a the photo of cat dog an image picture small big red blue green running jumping on in with and street city night day man woman child tree house car bird flower sky water".split()
UPWORDS = ["Photo", "DOG", "Cat", "NASA", "McDonald", "iPhone", "ÉCOLE", "STRASSE", "İSTANBUL", "ΟΔΥΣΣΕΥΣ", "ΣΊΣΥΦΟΣ", "МОСКВА", "Ǆemal", "ǅ", "ΆΣ", "ΣΑΣ", "ΑΣ.", "Σ", "ẞ", "ÅNGSTRÖM", "K", "Ω"]
PUNCT = list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") + ["...", "--", "?!", "''", "'", "\"\""]
CONTR = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'VE", "'M", "'LL", "'D", "'Re", "'lL", "'ſ", "'ﬅ", "’s", "‘t", "ʼll", "'", "''s", "'x", "'st", "'sa"]
ACC = "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿāăąćčďđēėęěğīıįłńňőœřśşšţťūůűųźżžșțİıßẞøðþ" + "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝŸĀĂĄĆČĎĐĒĖĘĚĞĪĮŁŃŇŐŒŘŚŞŠŢŤŪŮŰŲŹŻŽȘȚ"
GREEK = "αβγδεζηθικλμνξοπρσςτυφχψωΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩάέήίόύώΐΰϊϋΆΈΉΊΌΎΏ"
CYR = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯіїєґІЇЄҐ"
ARAB = ["مرحبا", "بالعالم", "كتاب", "ﻻ", "ﷺ", "٣٤٥", "۱۲", "\u064b\u0650", "قطة"]
HEB = ["שלום", "עולם", "חתול", "\u05b0\u05b8", "ﬠ"]
DEVA = ["नमस्ते", "हिन्दी", "क्षत्रिय", "\u0915\u093c", "\u0958", "०१२", "श्री"]
THAI = ["สวัสดี", "แมว", "ภาษาไทย", "๑๒๓", "กำ", "\u0e4d\u0e32"]
CJK = ["日本語", "中文", "漢字", "猫", "東京", "ｶﾀｶﾅ", "ｱｲｳ", "ﾞ", "ﾟ", "カタカナ", "ひらがな", "か\u3099", "ハ\u309a", "ＡＢＣ１２３", "！？", "　", "〜", "・", "、。", "「」", "㍿", "㈱", "①", "⑴", "⒈", "²", "½", "Ⅻ", "ⅻ", "〇", "〡"]
HANGUL = ["한국어", "안녕", "\u1100\u1161", "\u1100\u1161\u11a8", "\u110b\u1173\u11af", "\u3131\u314f", "ﾡ", "\u115f\u1160", "\uac00\u11a8"]
EMOJI = ["😀", "🐱", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇯🇵", "🇺🇸", "1️⃣", "#️⃣", "*⃣", "❤️", "❤\ufe0e", "☺", "✌🏿", "🧑‍💻", "🫠", "🫶🏻", "🪿", "🩷", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "👁‍🗨", "🤷‍♀️", "©️", "™", "🅰️", "🆗", "🀄", "🃏"]
WS = ["\t", "\n", "\x0b", "\x0c", "\r", "\r\n", " ", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\xa0", "\u1680", "\u2000", "\u2001", "\u2002", "\u2003", "\u2004", "\u2005", "\u2006", "\u2007", "\u2008", "\u2009", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\u180e", "\u200b", "\ufeff", "\u2060"]
CTRL = [chr(c) for c in list(range(0, 32)) + [0x7f] + list(range(0x80, 0xa0))] + ["\u00ad", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u206a", "\u206f", "\ufeff", "\ufff9", "\ufffa", "\ufffb", "\ufffc", "\ufffd", "\u061c", "\u180e", "\u034f", "\ufe0f", "\U000e0001", "\U000e0041", "\x1b[31m", "\x1b[0m", "\x1b[1;32m", "\x1b[", "\x1b]0;x\x07", "\x1b[١m", "\x1b(B", "\U000f0000", "\ue000", "\ufdd0", "\uffff", "\U0010ffff", "\U0001fffe"]
NAMED = list(html.entities.html5.keys())
LIG = ["ﬁ", "ﬂ", "ﬀ", "ﬃ", "ﬄ", "ﬅ", "ﬆ", "Ĳ", "ĳ", "ŉ", "Ǆ", "ǅ", "ǆ", "Ǉ", "ǈ", "ǉ", "Ǌ", "ǋ", "ǌ", "Ǳ", "ǲ", "ǳ", "Ꜳ", "æ", "œ", "ﬓ", "ﬗ", "ﬡ"]
QUOTES = ["“", "”", "‘", "’", "‚", "„", "‛", "‟", "ʼ", "«", "»", "‹", "›", "′", "″", "〝", "〞", "＂", "＇", "`", "´"]
LB = ["\r\n", "\r", "\n", "\u2028", "\u2029", "\x85", "\n\r", "\r\r\n", "\x0b", "\x0c"]
ENCS = ["cp1252", "latin-1", "cp1250", "cp1251", "cp1253", "cp1254", "cp1257", "iso-8859-2", "mac_roman", "cp437", "cp850", "utf-8"]
MOJI_SRC = ["café", "naïve", "déjà vu", "Ünïcödé", "über", "español", "niño", "façade", "Łódź", "Привет", "日本語", "😀", "“quoted”", "it’s", "—", "…", "€5", "°C", "½", "Ã", "à la", "Straße", "ZURÜCK", "Ελληνικά", "עברית", "العربية", "ಠ_ಠ", "™", "•", "ñ", "Ñ", "ø", "§ 5", "á", "é", "ó", "ú", "í", "ü", "ö", "ä", "è", "ç", "ê", "ô", "â", "Å", "ß", "ą", "ę", "č", "š", "ž", "ğ", "ş", "ı", "İ"]

def cp_in(lst):
    return chr(R.choice(lst))

def rand_cp_soup(n):
    out = []
    for _ in range(n):
        r = R.random()
        if r < 0.35: lo, hi = 0x80, 0x7ff
        elif r < 0.7: lo, hi = 0x800, 0xffff
        elif r < 0.9: lo, hi = 0x10000, 0x3ffff
        else: lo, hi = 0x40000, 0x10ffff
        cp = R.randint(lo, hi)
        if 0xd800 <= cp <= 0xdfff: cp = 0x20
        out.append(chr(cp))
    return ''.join(out)

def word():
    r = R.random()
    if r < 0.5: return R.choice(WORDS)
    if r < 0.7: return R.choice(UPWORDS)
    if r < 0.85: return ''.join(R.choice(ACC + 'abcdefghijklmnopqrstuvwxyz') for _ in range(R.randint(1, 8)))
    return R.choice([''.join(R.choice(GREEK) for _ in range(R.randint(1, 6))), ''.join(R.choice(CYR) for _ in range(R.randint(1, 6)))])

def entity():
    r = R.random()
    if r < 0.35:
        n = R.choice(NAMED)
        return '&' + n if n.endswith(';') or R.random() < 0.5 else '&' + n + ';'
    if r < 0.5:
        v = R.choice([0, 9, 10, 13, 38, 60, 62, 127, 128, 133, 146, 150, 153, 159, 160, 173, 233, 0x2019, 0xd800, 0xdfff, 0xfeff, 0x10ffff, 0x110000, 0xffffffff, 0x1f600, 0xfffe, 0x1, 0x0b, 0x80, 0x81, 0x8d, 0x9d, R.randint(0, 0x10ffff), R.randint(0, 300)])
        f = R.choice(['&#%d;', '&#x%x;', '&#X%X;', '&#%d', '&#x%x', '&#0%d;', '&#x0%x;', '&#%d;;'])
        return f % v
    if r < 0.65:
        return R.choice(['&NTILDE;', '&EACUTE;', '&AMP;', '&amp', '&AMP', '&LT;', '&lt', '&gt', '&QUOT;', '&nbsp', '&NBSP;', '&Eacute', '&eacute', '&notin;', '&notit;', '&not', '&copy', '&COPY;', '&COPY', '&#;', '&#x;', '&;', '&', '&#xZZ;', '&#12a;', '&amp;amp;', '&amp;lt;', '&amp;amp;lt;', '&amp;#39;', '&amp;#x27;', '&amp;quot;', '&#38;lt;', '&#38;#38;', '&lt;b&gt;', '&Aacute;', '&AACUTE;', '&aacute;', '&acirc', '&AElig', '&AELIG;', '&szlig;', '&SZLIG;', '&THORN;', '&ETH;', '&YACUTE;', '&UUML;', '&OUML;', '&ouml', '&nbsp;&nbsp;', '&zwj;', '&zwnj;', '&shy;', '&lrm;', '&rlm;', '&hellip;', '&mdash;', '&rsquo;', '&ldquo;', '&NotEqualTilde;', '&nGt;', '&fjlig;', '&ThickSpace;', '&NewLine;', '&Tab;', '&excl;', '&num;', '&apos;', '&#X27;', '&#0;', '&#00000065;', '&#x0000041;', '&#1114111;', '&#1114112;', '&#99999999999;'])
    return '&' + ''.join(R.choice('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789#;') for _ in range(R.randint(1, 8)))

def mojibake():
    src = ' '.join(R.choice(MOJI_SRC) for _ in range(R.randint(1, 4)))
    if R.random() < 0.3: src = R.choice(WORDS) + ' ' + src + ' ' + R.choice(WORDS)
    enc = R.choice(ENCS)
    dec = R.choice(["cp1252", "cp1252", "latin-1", "cp1250", "cp1251", "cp1253", "cp1254", "cp1257", "iso-8859-2", "mac_roman", "cp437"])
    try:
        b = src.encode('utf-8' if R.random() < 0.85 else enc)
    except UnicodeEncodeError:
        b = src.encode('utf-8')
    t = b.decode(dec, errors=R.choice(['replace', 'ignore', 'surrogateescape']))
    t = ''.join(ch if not (0xdc80 <= ord(ch) <= 0xdcff) else chr(ord(ch) - 0xdc00) for ch in t)  # sloppy: undefined bytes as C1/latin1
    if R.random() < 0.2:  # double
        try: t = t.encode('utf-8').decode(R.choice(['cp1252', 'latin-1']), errors='replace')
        except Exception: pass
    if R.random() < 0.15: t = t.replace('\xa0', ' ')
    if R.random() < 0.2:  # mix with correct text
        t = R.choice(MOJI_SRC) + ' ' + t
    if R.random() < 0.1: t = t + ' ' + entity()
    return t

def piece(cat):
    if cat == 'ascii': return R.choice([word(), R.choice(PUNCT) * R.randint(1, 3), str(R.randint(0, 10**R.randint(1, 12))), R.choice(CONTR), word() + R.choice(CONTR), ''.join(R.choice(PUNCT) for _ in range(R.randint(1, 6)))])
    if cat == 'latin': return R.choice([word(), ''.join(R.choice(ACC + GREEK + CYR) for _ in range(R.randint(1, 10))), R.choice(UPWORDS) + R.choice(CONTR), 'Σ' + R.choice(['', '.', "'", '\u0301', '\u00ad', 'A', 'α', ' ', '\u200b', ':']) + R.choice(['', 'Σ', 'α', 'A', '1']), 'İ' + R.choice(['', '\u0307', 'I', 'ı']), R.choice('ıİiIßẞ') * R.randint(1, 3)])
    if cat == 'scripts': return R.choice(ARAB + HEB + DEVA + THAI + CJK + HANGUL) + (R.choice(['', ''.join(chr(R.choice(S['marks'])) for _ in range(R.randint(1, 3)))]) if R.random() < 0.3 else '')
    if cat == 'emoji': return R.choice(EMOJI) * R.randint(1, 2)
    if cat == 'ws': return R.choice(WS) * R.randint(1, 3)
    if cat == 'ctrl': return R.choice(CTRL)
    if cat == 'html': return entity()
    if cat == 'moji': return mojibake()
    if cat == 'lig': return R.choice(LIG + QUOTES + LB)
    if cat == 'new': return ''.join(cp_in(S[R.choice(['new14', 'new15', 'new15'])]) for _ in range(R.randint(1, 4)))
    if cat == 'case': return ''.join(cp_in(S['cased']) for _ in range(R.randint(1, 5)))
    if cat == 'marks': return R.choice(['a', 'e', 'o', 'A', 'i', 'I', 'Σ', 'ω', 'か', '\u1100', 'ᄀ', '', ' ', '\u0345', 'ι']) + ''.join(chr(R.choice(S['marks'] + [0x300, 0x301, 0x308, 0x323, 0x345, 0x327, 0x3099, 0x309a, 0x1161, 0x11a8, 0x0307, 0x0338])) for _ in range(R.randint(1, 4)))
    if cat == 'special': return R.choice(['<|endoftext|>', '<|startoftext|>', '<|ENDOFTEXT|>', '<|EndOfText|>', '<|endoftext|', '<|endoftext', '|>', '<|', '<|endoftext|><|startoftext|>', '<|end of text|>', '< |endoftext|>', '<|ｅndoftext|>', '＜|endoftext|＞', '<|endoftext|>s'])
    if cat == 'soup': return rand_cp_soup(R.randint(1, 6))
    if cat == 'pua': return chr(R.choice([R.randint(0xe000, 0xf8ff), R.randint(0xf0000, 0xffffd), R.randint(0x100000, 0x10fffd), R.choice([0xfdd0, 0xfdef, 0xfffe, 0xffff, 0x1fffe, 0x10fffe, 0x10ffff]), R.randint(0xe0000, 0xe0fff)]))
    raise ValueError(cat)

CATS = ['ascii', 'latin', 'scripts', 'emoji', 'ws', 'ctrl', 'html', 'moji', 'lig', 'new', 'case', 'marks', 'special', 'soup', 'pua']
def make():
    r = R.random()
    if r < 0.06:  # long
        cats = [R.choice(CATS) for _ in range(3)]
        n = R.randint(30, 120)
        return 'long', ''.join(piece(R.choice(cats)) + R.choice(['', ' ', ' ', ' ', '\n', R.choice(WS)]) for _ in range(n))
    if r < 0.08:  # very long word
        return 'longword', ''.join(R.choice(R.choice(['abcdefghij', ACC, GREEK, CYR, 'ab', '日本'])) for _ in range(R.randint(20, 400)))
    if r < 0.12:
        return 'soup', rand_cp_soup(R.randint(1, 40))
    main = R.choice(CATS)
    n = R.randint(1, 10)
    parts = []
    for _ in range(n):
        c = main if R.random() < 0.6 else R.choice(CATS)
        parts.append(piece(c))
        parts.append(R.choice(['', ' ', ' ', ' ', '', '\n', R.choice(WS), R.choice(PUNCT)]))
    if R.random() < 0.08: parts.insert(R.randint(0, len(parts)), R.choice(['<', '>', '<b>', '</i>', '<3', '>_<']))
    return main, ''.join(parts)



def main():
    global R, S
    ap = argparse.ArgumentParser()
    ap.add_argument("--ftfy", required=True)
    ap.add_argument("--clip", required=True)
    ap.add_argument("--seed", type=int, default=20261207)
    ap.add_argument("--count", type=int, default=300)
    a = ap.parse_args()
    sys.path[:0] = [a.ftfy, a.clip]
    import ftfy
    import simple_tokenizer as st
    tok = st.SimpleTokenizer()
    sot, eot = tok.encoder["<|startoftext|>"], tok.encoder["<|endoftext|>"]
    R = random.Random(a.seed)
    S = _sets()

    def row(text):
        t = [sot] + tok.encode(text) + [eot]
        n = len(t)
        if n > 77:
            t = t[:77]
            t[-1] = eot
        return t + [0] * (77 - len(t)), n

    def emit(i, cat, text):
        ids, n = row(text)
        clean = st.whitespace_clean(st.basic_clean(text)).lower()
        print(json.dumps({"id": "f%04d" % i, "category": cat, "text": text, "ids": ids, "ids_untruncated_len": n,
                          "clean_text": clean}, ensure_ascii=False))

    i = 0
    for text in REGRESSIONS:
        emit(i, "regression", text)
        i += 1
    made = 0
    while made < a.count:
        cat, text = make()
        if cat == "moji":
            continue
        text = "".join(c for c in text if not 0xD800 <= ord(c) <= 0xDFFF and c not in MOJI_CHARS)
        fixed = ftfy.fix_text(text)
        if fixed != ftfy.fix_text(text, fix_encoding=False) or any(c in MOJI_CHARS for c in fixed):
            continue  # mojibake territory, e.g. from HTML entities (a known difference, see the docstring)
        if len(text) > 600:
            continue  # keeps the file small
        emit(i, cat, text)
        i += 1
        made += 1


if __name__ == "__main__":
    main()
