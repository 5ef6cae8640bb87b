package io.clip4j.image.webp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static io.clip4j.image.webp.Vp8DecoderTest.resource;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The full inverse DCT gives what libwebp's x86-64 (SSE2, 16-bit lane) transform gives on coefficients that
 * overflow 16-bit sums, as damaged streams produce (transform-vectors.json, from libwebp.a by
 * vp8-transform-vectors.c); the C reference's 32-bit arithmetic would not.
 */
class InverseTransformTest {
    @Test
    void fullTransformMatchesLibwebpOnOverflowingCoefficients() throws IOException {
        JsonNode vectors = new ObjectMapper().readTree(resource("transform-vectors.json"));
        InverseTransform t = new InverseTransform();
        int differFromC = 0;
        for (JsonNode v : vectors) {
            short[] in = new short[16];
            byte[] pred = new byte[16];
            byte[] want = new byte[16];
            for (int i = 0; i < 16; i++) {
                in[i] = (short) v.get(0).get(i).asInt();
                pred[i] = (byte) v.get(1).get(i).asInt();
                want[i] = (byte) v.get(2).get(i).asInt();
            }
            byte[] got = pred.clone();
            t.idct(in, 0, got, 0, 4);
            assertArrayEquals(want, got, v.toString());
            byte[] c = pred.clone();
            t.idctAc3(in, 0, c, 0, 4);
            if (!java.util.Arrays.equals(want, c)) {
                differFromC++;
            }
        }
        assertTrue(vectors.size() == 150 && differFromC > 20, differFromC + " of " + vectors.size());
    }
}
