package io.clip4j.image.webp;

/**
 * The five prefix codes used together for one tile of the entropy image: green/length/cache symbols, red,
 * blue, alpha and distance. Like libwebp, a group whose red, blue and alpha codes have one symbol each is a
 * "trivial literal" (those channels come for free), and if green and distance have one symbol too and green's
 * is a literal, every pixel is the same constant and reads no bits ("trivial code").
 */
final class HuffmanGroup {
    /** Literal green values; symbols 256..279 are length prefixes, 280.. colour cache indices. */
    static final int NUM_LITERALS = 256;
    /** Length prefix symbols after the literals. */
    static final int NUM_LENGTH_CODES = 24;
    /** Size of the distance alphabet. */
    static final int NUM_DISTANCE_CODES = 40;

    final HuffmanTable green;
    final HuffmanTable red;
    final HuffmanTable blue;
    final HuffmanTable alpha;
    final HuffmanTable distance;
    final boolean trivialLiteral;
    final boolean trivialCode;
    /** With {@link #trivialLiteral}: alpha, red and blue of every literal (plus green if {@link #trivialCode}). */
    final int literalArb;

    /**
     * @param codes the five codes in stream order: green, red, blue, alpha, distance
     */
    HuffmanGroup(HuffmanTable[] codes) {
        green = codes[0];
        red = codes[1];
        blue = codes[2];
        alpha = codes[3];
        distance = codes[4];
        trivialLiteral = red.isSingleSymbol() && blue.isSingleSymbol() && alpha.isSingleSymbol();
        int arb = 0;
        boolean constant = false;
        if (trivialLiteral) {
            arb = (alpha.singleSymbol() << 24) | (red.singleSymbol() << 16) | blue.singleSymbol();
            if (green.isSingleSymbol() && distance.isSingleSymbol() && green.singleSymbol() < NUM_LITERALS) {
                constant = true;
                arb |= green.singleSymbol() << 8;
            }
        }
        trivialCode = constant;
        literalArb = arb;
    }

    /** @return whether red, blue and alpha are read with zero bits (libwebp's condition for 8-bit alpha decoding) */
    boolean hasTrivialRedBlueAlpha() {
        return trivialLiteral;
    }
}
