/**
 * Small runnable programs that show the public API, one task each; the README's snippets in full. Run one with
 * {@code java -cp "clip-examples/target/clip-examples.jar:$(cat clip-examples/target/classpath.txt)"
 * io.clip4j.examples.ZeroShotExample ...} after a build; each prints its usage when called without arguments.
 * Tests run every example on the reference fixtures, so they stay correct.
 */
package io.clip4j.examples;
