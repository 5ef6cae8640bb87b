/**
 * Small file and stream helpers: {@link io.clip4j.io.Npy} reads and writes NumPy {@code .npy} files
 * ({@code <f4}, {@code <f8}, {@code <i8}, {@code <i4}, {@code |u1}; C order, little endian), the format the
 * command-line tool writes tensors in and the reference fixtures are stored in; {@link io.clip4j.io.Streams}
 * stands in for the Java 9+ {@code InputStream} conveniences ({@code readNBytes}, {@code transferTo}) that
 * Android has only from API 33, since clip-api must run on API 26.
 */
package io.clip4j.io;
