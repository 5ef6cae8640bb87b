#!/usr/bin/env python3
"""Regenerates io/clip4j/text/UnicodeTables.java and html5_entities.txt.

The tables freeze the reference's Unicode behaviour so that the tokenizer gives the same ids on
every JVM (Java 17 ships Unicode 13, Java 21 Unicode 15, Java 25 Unicode 16, ...):

* pre-tokeniser classes: letters / numbers of Unicode 15.0 (the reference's regex module tables),
  listed by Unicode15Classes.java with ICU4J 72.1 (Unicode 15.0); the characters that the
  reference pattern matches with no alternative under IGNORECASE (only U+0345) are found by
  running the pattern itself with the installed `regex` module;
* Python 3.11 str.lower() data (unicodedata 14.0.0, as in the reference) and HTML5 entities;
* for ftfy's NFC step and its terminal-escape pattern (Python's unicodedata 14.0.0 and `re`):
  canonical combining classes, the assigned code points, and the decimal digits (`\d`).

    java -cp icu4j-72.1.jar Unicode15Classes.java > /tmp/unicode15_classes.txt
    python3.11 gen_unicode_tables.py <clip-api/src/main> /tmp/unicode15_classes.txt
"""
import html.entities
import re
import sys
import unicodedata

import regex

IG = regex.IGNORECASE
PIECE_L = regex.compile(r"[\p{L}]", IG)
PIECE_N = regex.compile(r"[\p{N}]", IG)
PIECE_P = regex.compile(r"[^\s\p{L}\p{N}]", IG)
SPACE = regex.compile(r"\s")


def code_points():
    return (cp for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF)


def unmatched(cp):
    """True if no alternative of the reference pattern matches this (non-space) character."""
    c = chr(cp)
    return not (PIECE_L.match(c) or PIECE_N.match(c) or SPACE.match(c) or PIECE_P.match(c))


def read_unicode15(path):
    classes = {}
    with open(path) as f:
        for line in f:
            a, b, k = line.split()
            for cp in range(int(a, 16), int(b, 16) + 1):
                classes[cp] = k
    return classes


def piece_classes(unicode15):
    """[(cp, L|N|X)]: Unicode 15.0 letters and numbers, and characters matched by no alternative."""
    out = []
    for cp in code_points():
        if unmatched(cp):
            assert cp not in unicode15, hex(cp)
            out.append((cp, "X"))
        elif cp in unicode15:
            out.append((cp, unicode15[cp]))
    assert [cp for cp, k in out if k == "X"] == [0x345], "new IGNORECASE quirks: review"
    return out


def runs(items):
    """[(cp, value)] sorted -> [[first, last, value]] of consecutive equal values."""
    out = []
    for cp, v in items:
        if out and out[-1][1] == cp - 1 and out[-1][2] == v:
            out[-1][1] = cp
        else:
            out.append([cp, cp, v])
    return out


def lower_runs():
    """Single-code-point lower-case mappings as [first, count, step, delta]."""
    entries = []
    for cp in code_points():
        c = chr(cp)
        low = c.lower()
        if cp == 0x3A3 or low == c:
            continue  # capital sigma is context dependent; handled in code
        if len(low) != 1:
            assert cp == 0x130, hex(cp)  # I WITH DOT ABOVE -> i + U+0307, handled in code
            continue
        entries.append((cp, ord(low) - cp))
    out = []
    for cp, d in entries:
        if out:
            first, count, step, delta = out[-1]
            last = first + (count - 1) * step
            if delta == d and (count == 1 and cp - last in (1, 2) or count > 1 and cp - last == step):
                out[-1] = [first, count + 1, cp - last, delta]
                continue
        out.append([cp, 1, 1, d])
    return out


def sigma_props():
    """Case_Ignorable / Cased, probed through str.lower()'s own final-sigma rule."""
    items = []
    for cp in code_points():
        c = chr(cp)
        t2 = ("A" + c + "\u03a3").lower()[-1] == "\u03c2"
        t3 = ("A\u03a3" + c).lower()[1] == "\u03c2"
        if t2 and t3:
            items.append((cp, "I"))  # case-ignorable (its Cased flag never matters)
        elif t2:
            items.append((cp, "C"))  # cased, not case-ignorable
    return runs(items)


def ccc_runs():
    """Non-zero canonical combining classes of unicodedata 14.0 as [first, last, ccc]."""
    return runs([(cp, unicodedata.combining(chr(cp))) for cp in code_points() if unicodedata.combining(chr(cp))])


def assigned_runs():
    """Code points assigned in unicodedata 14.0 (general category not Cn) as [first, last, 'A']."""
    return runs([(cp, "A") for cp in code_points() if unicodedata.category(chr(cp)) != "Cn"])


def digit_runs():
    """Python 3.11 re's \\d (Unicode decimal digits, unicodedata 14.0) as [first, last, 'D']."""
    return runs([(cp, "D") for cp in code_points() if re.match(r"\d", chr(cp))])


def chunks(s, n=20000):
    return [s[i:i + n] for i in range(0, len(s), n)]


def java_strings(name, s):
    parts = chunks(s)
    body = "\n            + ".join('"%s"' % p for p in parts)
    return "    static final String %s =\n            %s;\n" % (name, body)


def main(src_main, unicode15_file):
    classes = runs(piece_classes(read_unicode15(unicode15_file)))
    cls = "".join("%x,%x,%s;" % (a, b, k) for a, b, k in classes)
    low = "".join("%x,%x,%x,%x;" % tuple(r) for r in lower_runs())
    sig = "".join("%x,%x,%s;" % (a, b, k) for a, b, k in sigma_props())
    ccc = "".join("%x,%x,%x;" % (a, b, k) for a, b, k in ccc_runs())
    assigned = "".join("%x,%x;" % (a, b) for a, b, _ in assigned_runs())
    digits = "".join("%x,%x;" % (a, b) for a, b, _ in digit_runs())
    java = (
        "package io.clip4j.text;\n\n"
        "/**\n"
        " * GENERATED by src/test/resources/io/clip4j/text/gen_unicode_tables.py - do not edit.\n"
        " *\n"
        " * <p>Frozen Unicode data of the reference tokenizer, so results do not depend on the JVM's\n"
        " * Unicode version: pre-tokeniser classes (Unicode 15.0 letters/numbers as in the reference's\n"
        " * regex module, plus U+0345 which its IGNORECASE pattern never matches), and\n"
        " * Python 3.11 {@code str.lower()} data (Unicode 14.0), and the Unicode 14.0 data of ftfy's NFC\n"
        " * step and terminal-escape pattern. Formats are parsed by {@link UnicodeData} and\n"
        " * {@link Nfc14}; all numbers are hexadecimal.\n"
        " */\n"
        "final class UnicodeTables {\n"
        "    private UnicodeTables() {}\n\n"
        "    /** {@code first,last,class;} runs; class L = letter, N = number, X = matched by no alternative. */\n"
        + java_strings("PIECE_CLASSES", cls)
        + "\n    /** {@code first,count,step,delta;}: lower(first + k*step) = first + k*step + delta (signed). */\n"
        + java_strings("LOWER_RUNS", low)
        + "\n    /** {@code first,last,prop;} runs; prop I = Case_Ignorable, C = Cased (and not Case_Ignorable). */\n"
        + java_strings("SIGMA_PROPS", sig)
        + "\n    /** {@code first,last,ccc;} runs of non-zero canonical combining classes (Python unicodedata 14.0). */\n"
        + java_strings("CCC_RUNS", ccc)
        + "\n    /** {@code first,last;} runs of code points assigned in Unicode 14.0 (general category not Cn). */\n"
        + java_strings("ASSIGNED_RUNS", assigned)
        + "\n    /** {@code first,last;} runs of Python 3.11 {@code re}'s {@code \\d} (decimal digits, Unicode 14.0). */\n"
        + java_strings("DIGIT_RUNS", digits)
        + "}\n"
    )
    # negative deltas are written by %x as -abc, which Integer.parseInt(.., 16) accepts
    with open(src_main + "/java/io/clip4j/text/UnicodeTables.java", "w", encoding="utf-8") as f:
        f.write(java)
    with open(src_main + "/resources/io/clip4j/text/html5_entities.txt", "w", encoding="utf-8") as f:
        f.write("# HTML5 named character references (name without '&', tab, code points in hex),\n")
        f.write("# as in Python 3.11 html.entities.html5. Generated by gen_unicode_tables.py.\n")
        for name in sorted(html.entities.html5):
            f.write("%s\t%s\n" % (name, " ".join("%x" % ord(ch) for ch in html.entities.html5[name])))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
