package io.clip4j.examples;

import io.clip4j.ClipModel;
import io.clip4j.data.ImageFolders;
import io.clip4j.search.EmbeddingIndex;
import io.clip4j.search.ImageIndexer;
import io.clip4j.search.SearchHit;
import io.clip4j.search.SemanticSearch;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Text-to-image search over a folder of photos: every image file under the folder is encoded into an
 * {@link EmbeddingIndex} (kept in memory here; {@link EmbeddingIndex#save} writes it to a file for later
 * searches), then the query's text_features rank them by cosine similarity.
 *
 * <pre>ImageSearchExample MODEL FOLDER QUERY [K]</pre>
 */
public final class ImageSearchExample {
    private ImageSearchExample() {
    }

    /**
     * Indexes the images under a folder and prints the k best matches of a text query, one per line: rank, cosine
     * similarity, file.
     *
     * @param args checkpoint, folder, query text, optional number of hits (default 5)
     */
    public static void main(String[] args) {
        if (args.length < 3 || args.length > 4) {
            System.err.println("usage: ImageSearchExample MODEL FOLDER QUERY [K]");
            System.exit(2);
        }
        int k = 5;
        if (args.length == 4) {
            try {
                k = Integer.parseInt(args[3]);
            } catch (NumberFormatException e) {
                k = 0;
            }
            if (k < 1) { // checked before the folder is indexed, not after
                System.err.println("K must be a whole number >= 1, got " + args[3]);
                System.exit(2);
            }
        }
        run(Path.of(args[0]), Path.of(args[1]), args[2], k, System.out);
    }

    /**
     * Indexes the folder and prints the k best images for the query: {@code rank cosine path}.
     *
     * @param model  checkpoint path
     * @param folder folder searched recursively for image files
     * @param query  a text
     * @param k      hits wanted, &ge; 1
     * @param out    where to print
     * @return the hits, best first
     * @throws io.clip4j.ClipException if the model or folder cannot be read
     */
    public static List<SearchHit> run(Path model, Path folder, String query, int k, PrintStream out) {
        try (ClipModel clip = ClipModel.load(model)) {
            ImageIndexer.Result built = new ImageIndexer(clip, model.toString()).index(ImageFolders.list(folder), null);
            built.skipped().forEach(s -> out.println("skipped: " + s.reason())); // the reason names the file
            List<SearchHit> hits = new SemanticSearch(clip, built.index()).byText(query, k);
            int rank = 1;
            for (SearchHit h : hits) {
                out.printf(Locale.ROOT, "%d %.4f %s%n", rank++, h.score(), h.id());
            }
            return hits;
        }
    }
}
