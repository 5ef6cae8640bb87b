#!/usr/bin/env python3
"""Regenerates io/clip4j/text/FtfyTables.java from an installed ftfy 6.3.1.

clip4j's encoding repair (EncodingRepair and its helpers) follows ftfy's fix_encoding algorithm; the data
it decides with is read here from ftfy itself, so nothing is typed by hand:

* the single-byte encodings ftfy tries (chardata.CHARMAP_ENCODINGS, in order) as 256-character decoding
  tables, built with ftfy's own codecs (its "sloppy" windows-125x codecs included), and strict Windows-1252;
* ftfy's regular expressions, translated from Python's parsed form (re._parser) into java.util.regex syntax
  with every character written as an explicit code point and Python's Unicode \\s / \\w expanded into
  explicit code-point ranges (Python 3.11, Unicode 14.0), so the JVM's Unicode version plays no part:
  badness.BADNESS_RE, chardata.ALTERED_UTF8_RE, chardata.LOSSY_UTF8_RE, fixes.A_GRAVE_WORD_RE
  (byte patterns are matched against the bytes read as Latin-1 characters);
* the character classes of chardata.UTF8_DETECTOR_RE (UTF8_CLUES), which EncodingRepair matches by hand;
* the characters that every match of BADNESS_RE must contain (a fast pre-check).

    PYTHONPATH=<dir holding ftfy 6.3.1> python3.11 gen_ftfy_tables.py <clip-api/src/main>
"""
import re
import re._constants as C
import re._parser as P
import sys

import ftfy
from ftfy import badness, chardata, fixes

assert ftfy.__version__ == "6.3.1", ftfy.__version__

MAXCP = 0x10FFFF


def category_ranges(cat, is_bytes):
    """Code-point ranges of a regex category (\\s, \\w, \\d and negations) as Python matches them."""
    pattern = {C.CATEGORY_SPACE: r"\s", C.CATEGORY_NOT_SPACE: r"\S", C.CATEGORY_WORD: r"\w",
               C.CATEGORY_NOT_WORD: r"\W", C.CATEGORY_DIGIT: r"\d", C.CATEGORY_NOT_DIGIT: r"\D"}[cat]
    if is_bytes:
        rx = re.compile(pattern.encode())
        cps = [b for b in range(256) if rx.match(bytes([b]))]
    else:
        rx = re.compile(pattern)
        cps = [cp for cp in range(MAXCP + 1) if rx.match(chr(cp))]
    return to_ranges(cps)


def to_ranges(cps):
    out = []
    for cp in sorted(set(cps)):
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return out


def jcp(cp):
    """A code point in java.util.regex syntax: ASCII letters and digits as themselves, the rest as \\x{hex}."""
    return chr(cp) if cp < 0x80 and chr(cp).isalnum() else "\\x{%x}" % cp


def class_items(items, is_bytes):
    """(negated, ranges) of a parsed character class."""
    negated, cps, ranges = False, [], []
    for op, av in items:
        if op is C.NEGATE:
            negated = True
        elif op is C.LITERAL:
            cps.append(av)
        elif op is C.RANGE:
            ranges.append(list(av))
        elif op is C.CATEGORY:
            ranges.extend(category_ranges(av, is_bytes))
        else:
            raise ValueError("unsupported class item %s" % op)
    return negated, merge(ranges + [[cp, cp] for cp in cps])


def merge(ranges):
    out = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return out


def java_class(negated, ranges):
    body = "".join(jcp(lo) if lo == hi else jcp(lo) + "-" + jcp(hi) for lo, hi in ranges)
    return "[" + ("^" if negated else "") + body + "]"


def translate(sub, is_bytes):
    """java.util.regex text of a parsed (sub)pattern; groups become non-capturing (only group 0 is used)."""
    out = []
    for op, av in sub:
        if op is C.LITERAL:
            out.append(jcp(av))
        elif op is C.NOT_LITERAL:
            out.append("[^" + jcp(av) + "]")
        elif op is C.ANY:
            out.append("[^\\x{a}]")  # no DOTALL: any character but LF
        elif op is C.IN:
            out.append(java_class(*class_items(av, is_bytes)))
        elif op is C.BRANCH:
            out.append("(?:" + "|".join(translate(b, is_bytes) for b in av[1]) + ")")
        elif op is C.SUBPATTERN:
            group, add_flags, del_flags, p = av
            assert not add_flags and not del_flags
            out.append("(?:" + translate(p, is_bytes) + ")")
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            lo, hi, p = av
            q = "{%d,%s}" % (lo, "" if hi is C.MAXREPEAT else str(hi))
            out.append("(?:" + translate(p, is_bytes) + ")" + q + ("?" if op is C.MIN_REPEAT else ""))
        elif op is C.AT:
            out.append({C.AT_BEGINNING: "^", C.AT_BEGINNING_STRING: "\\A", C.AT_END_STRING: "\\z",
                        C.AT_END: "(?=\\x{a}?\\z)"}[av])  # Python's $: end, or before a final LF
        elif op in (C.ASSERT, C.ASSERT_NOT):
            direction, p = av
            out.append("(?" + ("<" if direction < 0 else "") + ("=" if op is C.ASSERT else "!")
                       + translate(p, is_bytes) + ")")
        else:
            raise ValueError("unsupported regex op %s" % op)
    return "".join(out)


def java_regex(compiled):
    is_bytes = isinstance(compiled.pattern, bytes)
    pattern = compiled.pattern.decode("latin-1") if is_bytes else compiled.pattern
    assert compiled.flags & ~(re.VERBOSE | re.UNICODE) == 0, compiled.flags
    parsed = P.parse(pattern, compiled.flags & re.VERBOSE)
    return translate(parsed, is_bytes)


def required_chars(compiled):
    """Characters of which every match of the top-level alternation holds at least one."""
    parsed = P.parse(compiled.pattern, compiled.flags & re.VERBOSE)
    [(op, av)] = parsed.data
    assert op is C.BRANCH
    required = set()
    for alternative in av[1]:
        for eop, eav in alternative:  # first mandatory element made of non-ASCII characters only
            if eop is C.LITERAL:
                chars = {eav}
            elif eop is C.IN and all(o in (C.LITERAL, C.RANGE) for o, _ in eav):
                chars = set()
                for o, a in eav:
                    chars |= {a} if o is C.LITERAL else set(range(a[0], a[1] + 1))
            else:
                continue
            if min(chars) >= 0x80:
                required |= chars
                break
        else:
            raise ValueError("alternative without a required non-ASCII class: %r" % alternative)
    assert max(required) <= 0xFFFF
    return "".join(chr(c) for c in sorted(required))


def utf8_clue(name):
    negated, ranges = class_items(P.parse("[" + chardata.UTF8_CLUES[name] + "]").data[0][1], False)
    assert not negated
    return "".join(chr(c) for lo, hi in ranges for c in range(lo, hi + 1))


def decoding_table(encoding, errors="strict"):
    table = bytes(range(256)).decode(encoding, errors=errors)
    assert len(table) == 256
    return table


def charmap_tables():
    tables = []
    for enc in chardata.CHARMAP_ENCODINGS:
        table = decoding_table(enc)
        allowed = [i for i in list(range(0x80, 0x100)) + [0x1A]]
        # possible_encoding: ASCII but 0x1A, plus what bytes 0x80..0xFF and 0x1A decode to
        assert chardata.ENCODING_REGEXES[enc].pattern == "^[\x00-\x19\x1b-\x7f%s]*$" % "".join(
            table[i] for i in allowed), enc
        for i in range(256):  # encoding is the inverse of this table on the possible characters
            if i < 0x80 and i != 0x1A:
                assert table[i] == chr(i), (enc, i)
            if i in allowed or (i < 0x80 and i != 0x1A):
                assert table[i].encode(enc) == bytes([i]), (enc, i)
        tables.append((enc, table))
    return tables


def jstr(s):
    out = []
    for ch in s:
        cp = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= cp < 0x7F:
            out.append(ch)
        elif cp < 0x20:
            out.append("\\%03o" % cp)  # not \\u000a: Java reads unicode escapes before the literal
        else:
            out.append("\\u%04x" % cp)
    return '"' + "".join(out) + '"'


def chunked(name, value, doc):
    parts = [value[i:i + 100] for i in range(0, len(value), 100)] or [""]
    body = "\n            + ".join(jstr(p) for p in parts)
    return "    /** %s */\n    static final String %s =\n            %s;\n" % (doc, name, body)


def main(out_dir):
    strict_1252 = decoding_table("windows-1252", errors="replace")
    assert sum(1 for c in strict_1252 if c == "\ufffd") == 5  # 81 8D 8F 90 9D undefined
    fields = []
    tables = charmap_tables()
    fields.append("    /** ftfy's chardata.CHARMAP_ENCODINGS, in the order fix_encoding tries them. */\n"
                  "    static final String[] CHARMAP_ENCODINGS = {%s};\n"
                  % ", ".join('"%s"' % e for e, _ in tables))
    fields.append("    /** Decoding tables (256 characters, byte i decodes to character i) of CHARMAP_ENCODINGS. */\n"
                  "    static final String[] CHARMAP_TABLES = {\n%s\n    };\n"
                  % ",\n".join("            " + "\n                    + ".join(
                      jstr(t[i:i + 64]) for i in range(0, 256, 64)) for _, t in tables))
    fields.append(chunked("WINDOWS_1252_STRICT", strict_1252,
                          "Python's strict windows-1252 codec; U+FFFD marks its five undefined bytes."))
    fields.append(chunked("BADNESS_RE", java_regex(badness.BADNESS_RE), "ftfy.badness.BADNESS_RE."))
    fields.append(chunked("BADNESS_REQUIRED", required_chars(badness.BADNESS_RE),
                          "Every match of BADNESS_RE contains one of these characters."))
    width = P.parse(badness.BADNESS_RE.pattern, re.VERBOSE).getwidth()[1]
    fields.append("    /** The longest match of BADNESS_RE, in characters. */\n"
                  "    static final int BADNESS_MAX_WIDTH = %d;\n" % width)
    fields.append(chunked("ALTERED_UTF8_RE", java_regex(chardata.ALTERED_UTF8_RE),
                          "ftfy.chardata.ALTERED_UTF8_RE (a bytes pattern: bytes as Latin-1 characters)."))
    fields.append(chunked("LOSSY_UTF8_RE", java_regex(chardata.LOSSY_UTF8_RE),
                          "ftfy.chardata.LOSSY_UTF8_RE (a bytes pattern: bytes as Latin-1 characters)."))
    fields.append(chunked("A_GRAVE_WORD_RE", java_regex(fixes.A_GRAVE_WORD_RE),
                          "ftfy.fixes.A_GRAVE_WORD_RE (a bytes pattern: bytes as Latin-1 characters)."))
    # UTF8_DETECTOR_RE is (?<![strict])(first2 cont | first3 cont{2} | first4 cont{3})+ ; check that shape
    expected = re.compile("""
    (?<! [{utf8_continuation_strict}])
    (
        [{utf8_first_of_2}] [{utf8_continuation}]
        |
        [{utf8_first_of_3}] [{utf8_continuation}]{{2}}
        |
        [{utf8_first_of_4}] [{utf8_continuation}]{{3}}
    )+
    """.format(**chardata.UTF8_CLUES), re.VERBOSE)
    assert expected.pattern == chardata.UTF8_DETECTOR_RE.pattern
    for clue in ["utf8_first_of_2", "utf8_first_of_3", "utf8_first_of_4", "utf8_continuation",
                 "utf8_continuation_strict"]:
        fields.append(chunked(clue.upper(), utf8_clue(clue), "Characters of chardata.UTF8_CLUES['%s']." % clue))
    # restore_byte_a0's replacement and the lossy replacement are fixed bytes; check them
    assert fixes.restore_byte_a0(b"\xc3 x") == b"\xc3\xa0 x"
    assert fixes.replace_lossy_sequences(b"\x1a") == "\ufffd".encode()
    src = ("package io.clip4j.text;\n\n"
           "/**\n"
           " * GENERATED by src/test/resources/io/clip4j/text/gen_ftfy_tables.py from ftfy 6.3.1 - do not edit.\n"
           " *\n"
           " * <p>The data of ftfy's {@code fix_encoding} (Copyright 2023 Robyn Speer, Apache License 2.0; see\n"
           " * THIRD_PARTY_NOTICES.md): its single-byte codecs and its regular expressions, translated to\n"
           " * java.util.regex syntax with explicit code points. Used by {@link SloppyCodecs}, {@link Badness}\n"
           " * and {@link EncodingRepair}.\n"
           " */\n"
           "final class FtfyTables {\n"
           "    private FtfyTables() {}\n\n"
           + "\n".join(fields) + "}\n")
    with open(out_dir + "/java/io/clip4j/text/FtfyTables.java", "w", encoding="ascii") as f:
        f.write(src)


if __name__ == "__main__":
    main(sys.argv[1])
