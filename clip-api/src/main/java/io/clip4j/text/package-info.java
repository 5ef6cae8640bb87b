/**
 * CLIP's text tokenizer: {@link io.clip4j.text.ClipTokenizer} reproduces the reference
 * {@code clip.tokenize} / {@code SimpleTokenizer} of openai/CLIP id for id, and returns
 * {@link io.clip4j.text.TokenizedBatch} rows of {@code context_length} int64 ids.
 *
 * <p>Fidelity notes. The Unicode behaviour of the reference (regex module with Unicode 15.0
 * tables, CPython 3.11 {@code str.lower()} / {@code str.isspace()} with Unicode 14.0) is bundled
 * as tables, so results do not depend on the JVM's Unicode version or default locale. The
 * ftfy {@code fix_text} step is re-implemented: every ftfy 6.3.1 fixer that runs by default is
 * reproduced except mojibake detection, which is a smaller heuristic (UTF-8 read as Latin-1 /
 * Windows-1252 only); NFC uses the JVM's normaliser (Unicode 13.0 on Java 17, 14.0 in the
 * reference, which only matters for combining marks new in Unicode 14).
 */
package io.clip4j.text;
