package io.clip4j.image.webp;

/** Inverse of "subtract green": adds green to red and blue, modulo 256. */
final class SubtractGreenTransform implements Transform {
    @Override
    public int[] inverse(int[] pixels, int height) {
        for (int i = 0; i < pixels.length; i++) {
            int argb = pixels[i];
            int green = (argb >>> 8) & 0xFF;
            int rb = ((argb & 0x00FF00FF) + ((green << 16) | green)) & 0x00FF00FF;
            pixels[i] = (argb & 0xFF00FF00) | rb;
        }
        return pixels;
    }
}
