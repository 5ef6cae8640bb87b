package io.clip4j.cli;

import io.clip4j.ClipModel;
import io.clip4j.search.EmbeddingIndex;
import io.clip4j.search.ImageIndexer;
import io.clip4j.search.IndexException;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code clip index}: encodes image files into an embedding index for {@code clip search}. */
@Command(name = "index", mixinStandardHelpOptions = true,
        description = "Encode images (files, or folders searched recursively) into a search index (.npz).")
final class IndexCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Mixin
    ImageOptions imageOptions;

    @Option(names = "--images", paramLabel = "PATH", required = true, arity = "1..*",
            description = "Image files and/or folders (folders are searched recursively for "
                    + "png/jpg/jpeg/webp/gif/bmp/tif/tiff files).")
    List<Path> paths;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "The index file to write (.npz). An existing index is "
            + "rebuilt (or extended with --update); any other existing file is not overwritten.")
    Path out;

    @Option(names = "--update", description = "Update --out if it exists: drop the entries whose files are gone, "
            + "encode the files it does not hold yet (changed files are not re-encoded: rebuild for that). Without "
            + "--model, the model that built it.")
    boolean update;

    @Option(names = "--batch", defaultValue = "32", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--no-progress", description = "No progress bar (none either when the console is not interactive).")
    boolean noProgress;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        }
        PathOptions.requireNotBlank("--out", out); // before the folders are searched
        PathOptions.requireNotBlank("--images", paths);
        List<Path> files = ImageFiles.expand(paths);
        ImageFiles.requireNotAnInput("--out", out, files);
        EmbeddingIndex.checkDestination(out); // before minutes of encoding, not after
        if (!update && Files.isRegularFile(out)) {
            try {
                EmbeddingIndex.load(out); // an index is rebuilt in place; any other file is the user's
            } catch (IndexException e) {
                throw new IllegalArgumentException("--out " + out + " exists and is not a clip4j index; not"
                        + " overwriting it (give another file name, or delete it first)");
            }
        }
        EmbeddingIndex existing = null;
        int removed = 0;
        if (update && Files.exists(out)) {
            EmbeddingIndex old = EmbeddingIndex.load(out);
            modelOptions.defaultToModelOf(old, spec.commandLine().getErr());
            EmbeddingIndex.Builder kept = old.toBuilder();
            for (String id : old.ids()) {
                if (isVanishedFile(id)) {
                    kept.remove(id);
                    removed++;
                }
            }
            existing = kept.build();
        }
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        Path modelPath = modelOptions.modelPath().toAbsolutePath().normalize();
        ImageIndexer.Result r;
        try (ClipModel model = modelOptions.open(imageOptions); ProgressBar bar = progressBar(files.size())) {
            ImageIndexer indexer = new ImageIndexer(model, modelPath.toString()).batchSize(batch);
            if (bar != null) {
                indexer.onProgress(bar::stepTo);
            }
            r = indexer.index(files, existing);
        }
        for (ImageIndexer.Skipped s : r.skipped()) {
            stderr.println("clip: skipped " + s.reason());
        }
        if (r.index().size() == 0) {
            throw new IllegalArgumentException("no image could be read; " + out + " not written");
        }
        r.index().save(out);
        stdout.printf("%s: %d images (%d added, %d skipped%s), embed_dim %d%n", out, r.index().size(), r.added(),
                r.skipped().size(), removed > 0 ? ", " + removed + " removed" : "", r.index().embedDim());
        return 0;
    }

    /** Ids are files' absolute paths (ImageIndexer.idOf); ids an API user chose otherwise are kept. */
    private static boolean isVanishedFile(String id) {
        try {
            Path p = Path.of(id);
            return p.isAbsolute() && !Files.exists(p);
        } catch (InvalidPathException notAPath) {
            return false;
        }
    }

    private ProgressBar progressBar(int total) {
        if (!ConsoleProgress.shown(noProgress)) {
            return null;
        }
        return ConsoleProgress.builder("index").setInitialMax(total).build();
    }
}
