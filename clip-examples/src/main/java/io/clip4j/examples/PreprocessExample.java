package io.clip4j.examples;

import io.clip4j.image.ImagePreprocessor;
import io.clip4j.text.ClipTokenizer;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * clip-api alone, without natives (what an Android app can use to feed its own runtime): the reference
 * tokenizer ({@code clip.tokenize}) and image preprocessing ({@code preprocess}: Pillow bicubic resize,
 * center crop, normalise), bit-exact.
 *
 * <pre>PreprocessExample IMAGE TEXT</pre>
 */
public final class PreprocessExample {
    private PreprocessExample() {
    }

    /**
     * Prints the token ids of a text and the top-left pixel_values of an image, computed by clip-api alone.
     *
     * @param args an image file and a text
     */
    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: PreprocessExample IMAGE TEXT");
            System.exit(2);
        }
        run(Path.of(args[0]), args[1], System.out);
    }

    /**
     * The model inputs for one image and one text.
     *
     * @param inputIds    token ids {@code [1, 77]}
     * @param pixelValues normalised pixels {@code [3, 224, 224]}, float32
     */
    public record Inputs(long[] inputIds, float[] pixelValues) {
    }

    /**
     * Prints the text's token ids up to the end-of-text token and the top-left pixel value of each channel.
     *
     * @param image an image file
     * @param text  a text
     * @param out   where to print
     * @return input_ids and pixel_values
     * @throws io.clip4j.ClipException if the image cannot be decoded
     */
    public static Inputs run(Path image, String text, PrintStream out) {
        ClipTokenizer tokenizer = ClipTokenizer.create();                        // context_length 77
        long[] ids = tokenizer.tokenize(List.of(text)).ids();                     // [1, 77], zero-padded
        float[] pixelValues = ImagePreprocessor.clip().preprocess(image);         // [3, 224, 224]
        StringBuilder sb = new StringBuilder("input_ids:");
        for (long id : ids) {
            if (id == 0) {
                break;
            }
            sb.append(' ').append(id);
        }
        out.println(sb);
        int plane = 224 * 224;
        out.printf(Locale.ROOT, "pixel_values[3, 224, 224]: R %.4f, G %.4f, B %.4f (top-left)%n",
                pixelValues[0], pixelValues[plane], pixelValues[2 * plane]);
        return new Inputs(ids, pixelValues);
    }
}
