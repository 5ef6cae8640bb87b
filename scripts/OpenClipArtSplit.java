import io.clip4j.data.ImageCaption;
import io.clip4j.data.PathCaptions;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Writes the Open Clip Art training and held-out captions of the default model (scripts/train-default-model.sh).
 * Captions are exactly those of {@code clip train --data paths:ROOT} ({@link PathCaptions}, computed over the whole
 * tree); an image is held out when the CRC-32 of its path relative to ROOT ('/'-separated, UTF-8) is 0 mod 10,
 * a split that depends on nothing but the path. Run with the tool's classpath:
 * {@code java -cp CLASSPATH scripts/OpenClipArtSplit.java ROOT TRAIN.csv HELDOUT.csv}.
 */
public final class OpenClipArtSplit {
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: OpenClipArtSplit ROOT TRAIN.csv HELDOUT.csv");
        }
        Path root = Path.of(args[0]).toAbsolutePath().normalize();
        List<ImageCaption> all = PathCaptions.read(root);
        int train = 0;
        int held = 0;
        try (Writer t = Files.newBufferedWriter(Path.of(args[1]), StandardCharsets.UTF_8);
             Writer h = Files.newBufferedWriter(Path.of(args[2]), StandardCharsets.UTF_8)) {
            t.write("path,caption\n");
            h.write("path,caption\n");
            for (ImageCaption p : all) {
                Path file = Path.of(p.image().toString());
                String rel = root.relativize(file).toString().replace('\\', '/');
                CRC32 crc = new CRC32();
                crc.update(rel.getBytes(StandardCharsets.UTF_8));
                boolean heldOut = crc.getValue() % 10 == 0;
                // Paths of this export hold no commas or quotes; the caption is always quoted (it has commas).
                String line = file + ",\"" + p.caption().replace("\"", "\"\"") + "\"\n";
                if (heldOut) {
                    h.write(line);
                    held++;
                } else {
                    t.write(line);
                    train++;
                }
            }
        }
        System.out.printf("open clip art: %d training, %d held-out images%n", train, held);
    }
}
