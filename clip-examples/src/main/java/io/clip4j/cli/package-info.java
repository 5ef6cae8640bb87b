/**
 * The {@code ./clip} command-line tool (picocli), entry point {@link io.clip4j.cli.ClipCli}: {@code tokenize}
 * (like {@code clip.tokenize}), {@code preprocess} (the reference transform, written as {@code .npy}),
 * {@code zero-shot}, {@code embed}, {@code index} and {@code search} (an {@link io.clip4j.search.EmbeddingIndex}),
 * {@code info}, {@code bench}, {@code eval} (the CLIP paper's zero-shot, linear-probe, few-shot and retrieval
 * evaluations) and {@code train} (contrastive training on clip-native). Results go to stdout, progress and
 * warnings (such as texts cut at context_length) to stderr; image arguments are checked before a model loads, and
 * {@code zero-shot}, {@code embed} and {@code index} skip (and report) files that cannot be decoded. Run
 * {@code ./clip --help} or {@code ./clip COMMAND --help} for the options.
 */
package io.clip4j.cli;
