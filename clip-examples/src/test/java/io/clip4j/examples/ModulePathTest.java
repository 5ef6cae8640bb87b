package io.clip4j.examples;

import io.clip4j.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's module-path use: every jar on the module path (clip4j's as the automatic modules their manifests
 * name, built here from the class folders when the build has not packaged them yet), {@code --add-modules
 * ALL-MODULE-PATH}, and an example program run as a module. The engine must find LibTorch's natives, which sit in
 * another module's jar, and compute the reference logits.
 */
class ModulePathTest {
    private static final Path DATA = Path.of(System.getProperty("clip4j.testdata"));
    /** Automatic-Module-Name of each clip4j module (the parent POM's clip4j.module), by its folder. */
    private static final Map<String, String> MODULES = Map.of("clip-api", "io.clip4j.api",
            "clip-native", "io.clip4j.engine", "clip-cuda", "io.clip4j.cuda", "clip-examples", "io.clip4j.examples");

    @Test
    void anExampleRunsAsAModuleAndComputesTheReferenceLogits(@TempDir Path tmp) throws Exception {
        List<String> modulePath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            String name = p.getFileName().toString();
            if (name.startsWith("junit") || name.startsWith("opentest4j") || name.startsWith("apiguardian")
                    || name.equals("test-classes") || name.startsWith("surefire")) {
                continue; // test tooling, not what an application ships
            }
            modulePath.add(Files.isDirectory(p) ? jar(p, tmp).toString() : entry);
        }
        Path vit = DATA.resolve("models/tiny-vit");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", String.join(File.pathSeparator, modulePath), "--add-modules", "ALL-MODULE-PATH",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-m", "io.clip4j.examples/io.clip4j.examples.SimilarityExample", vit.toString(),
                DATA.resolve("preprocess/images/chelsea.png").toString(), "--", "a diagram", "a dog", "a cat"));
        Path log = tmp.resolve("child.log");
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!child.waitFor(300, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new AssertionError("child JVM did not finish in 300 s: " + Files.readString(log));
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, child.exitValue(), out);
        String line = out.lines().filter(l -> l.startsWith("chelsea.png:")).findFirst().orElse("");
        String[] logits = line.substring(line.indexOf(':') + 1, line.indexOf("->")).trim().split(" ");
        float[] expected = Npy.read(vit.resolve("logits_per_image.npy")).toFloatArray(); // [4 images, 8 texts]
        assertEquals(3, logits.length, out);
        for (int t = 0; t < 3; t++) {
            assertEquals(expected[2 * 8 + t], Float.parseFloat(logits[t]), 1e-3, out); // chelsea is image 2
        }
    }

    /** A clip4j class folder ({@code <module>/target/classes}) as the jar the build would make of it. */
    private static Path jar(Path classes, Path tmp) throws IOException {
        String module = MODULES.get(classes.getParent().getParent().getFileName().toString());
        assertTrue(module != null, "unexpected class folder on the class path: " + classes);
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(new Attributes.Name("Automatic-Module-Name"), module);
        Path jar = tmp.resolve(module + ".jar");
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os, manifest);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        return jar;
    }
}
