package io.clip4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        try (MetricsLog again = new MetricsLog(log)) { // appends, as a resumed run does
            again.onCheckpoint(4, dir.resolve("run/state"));
        }
        assertEquals(2, Files.readAllLines(log, StandardCharsets.UTF_8).size());
    }
}
