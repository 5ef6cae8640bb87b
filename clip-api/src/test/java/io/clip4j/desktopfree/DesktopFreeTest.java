package io.clip4j.desktopfree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * clip-api works without {@code java.desktop} (Android has no AWT or ImageIO): {@link DesktopFreeMain} runs the
 * reference checks in a child JVM started with {@code --limit-modules java.base}. animal-sniffer checks the API
 * signatures; this checks that nothing on the pure-Java path loads a desktop class at run time.
 */
class DesktopFreeTest {
    @Test
    void referenceChecksPassWithJavaBaseOnly() throws Exception {
        Path testdata = Path.of(System.getProperty("clip4j.testdata"));
        int images = new ObjectMapper().readTree(testdata.resolve("preprocess/manifest.json").toFile())
                .get("images").size();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path log = Files.createTempFile("desktop-free", ".log");
        Process p = new ProcessBuilder(java.toString(), "--limit-modules", "java.base", "-Xmx1g",
                "-cp", System.getProperty("java.class.path"), DesktopFreeMain.class.getName(), testdata.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean exited = p.waitFor(5, TimeUnit.MINUTES);
        if (!exited) {
            p.destroyForcibly().waitFor();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        assertTrue(exited, () -> "child JVM still running after 5 minutes:\n" + out);
        List<String> lines = out.lines().filter(l -> l.startsWith("OK ") || l.startsWith("MISMATCH ")).toList();
        long texts = Files.readAllLines(testdata.resolve("tokenizer/cases.jsonl")).stream()
                .filter(l -> !l.isBlank()).count();
        assertEquals(List.of("OK images=" + images + " texts=" + texts + " checkpoints=3 logits=" + logits(testdata)),
                lines, out);
        assertEquals(0, p.exitValue(), out);
    }

    /** images × texts of the tiny ViT's reference logits_per_image. */
    private static int logits(Path testdata) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Path model = testdata.resolve("models/tiny-vit");
        return json.readTree(model.resolve("meta.json").toFile()).get("images").size()
                * json.readTree(model.resolve("texts.json").toFile()).size();
    }
}
