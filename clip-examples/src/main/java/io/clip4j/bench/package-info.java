/**
 * JMH benchmarks of clip4j's CPU hot paths, operations per second: {@link io.clip4j.bench.PreprocessBenchmark}
 * (decoding and the reference preprocessing of a 1024x768 JPEG/WebP photo, per decoder),
 * {@link io.clip4j.bench.TokenizerBenchmark} ({@code clip.tokenize}-equivalent tokenization of prompts and
 * captions), {@link io.clip4j.bench.SearchBenchmark} (exhaustive cosine top-10 of
 * {@link io.clip4j.search.EmbeddingIndex}) and {@link io.clip4j.bench.KernelsBenchmark} (clip-cuda's kernels on
 * their CPU backend next to clip-api's pure-Java preprocessing and zero-shot scoring). Run them from the repository
 * root as the README's "Benchmarks" section shows (the preprocessing benchmarks read photos under
 * {@code samples/}).
 */
package io.clip4j.bench;
