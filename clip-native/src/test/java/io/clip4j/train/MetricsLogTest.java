package io.clip4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogTest {
    @Test
    void opensALogInAFolderThatDoesNotExistYet(@TempDir Path dir) throws IOException {
        // docs/training.md opens run/metrics.jsonl before TrainingRun makes run/: it failed with
        // "cannot open metrics log: java.nio.file.NoSuchFileException".
        Path log = dir.resolve("run").resolve("metrics.jsonl");
        try (MetricsLog metrics = new MetricsLog(log)) {
            metrics.onEvaluation(3, Map.of("top1", 0.5));
        }
        assertEquals(List.of("{\"step\":3,\"eval\":{\"top1\":0.5}}"), Files.readAllLines(log, StandardCharsets.UTF_8));
        try (MetricsLog again = new MetricsLog(log)) { // the constructor appends (forRun starts or resumes a run's log)
            again.onCheckpoint(4, dir.resolve("run/state"));
        }
        assertEquals(2, Files.readAllLines(log, StandardCharsets.UTF_8).size());
    }

    @Test
    void forRunStartsANewLogOrKeepsTheLinesUpToTheResumedStep(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("metrics.jsonl");
        Files.writeString(log, String.join("\n", "{\"step\":1,\"loss\":4.0}", "{\"step\":2,\"loss\":3.5}",
                "{\"step\":2,\"eval\":{\"top1\":0.25}}", "{\"step\":2,\"checkpoint\":\"s\"}",
                "{\"step\":3,\"loss\":3.25}", "{\"step\":3,\"eval\":{\"top1\":0.5}}", "{\"step\":4,\"lo") + "\n",
                StandardCharsets.UTF_8);
        // Resumed after step 2: the later lines (and the one cut short) are dropped, the others kept as written.
        try (MetricsLog metrics = MetricsLog.forRun(log, 2)) {
            metrics.onCheckpoint(3, dir.resolve("s"));
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        assertEquals(List.of("{\"step\":1,\"loss\":4.0}", "{\"step\":2,\"loss\":3.5}",
                "{\"step\":2,\"eval\":{\"top1\":0.25}}", "{\"step\":2,\"checkpoint\":\"s\"}",
                "{\"step\":3,\"checkpoint\":" + jsonString(dir.resolve("s").toString()) + "}"), lines);
        assertFalse(Files.exists(dir.resolve("metrics.jsonl.new")));
        // A new run (0 steps completed) replaces the file; a missing file is simply created.
        try (MetricsLog metrics = MetricsLog.forRun(log, 0)) {
            metrics.onEvaluation(1, Map.of("top1", 0.75));
        }
        assertEquals(List.of("{\"step\":1,\"eval\":{\"top1\":0.75}}"), Files.readAllLines(log, StandardCharsets.UTF_8));
        Path other = dir.resolve("new/metrics.jsonl");
        MetricsLog.forRun(other, 5).close();
        assertEquals(List.of(), Files.readAllLines(other, StandardCharsets.UTF_8));
        assertThrows(IllegalArgumentException.class, () -> MetricsLog.forRun(log, -1));
    }

    private static String jsonString(String s) {
        return new com.fasterxml.jackson.databind.ObjectMapper().getNodeFactory().textNode(s).toString();
    }
}
