package io.clip4j.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code ./clip} launcher script itself, run with bash on a checkout laid out as it expects. */
class LauncherTest {
    private static final Path SCRIPT = Path.of(System.getProperty("clip4j.testdata")).getParent().resolve("clip");

    /**
     * A symbolic link to the launcher (e.g. {@code ~/bin/clip}) runs the checkout it points into. The launcher took
     * the link's folder for the checkout, found no build there and ran Maven in it, which failed.
     */
    @Test
    void aSymbolicLinkToTheLauncherRunsItsCheckout(@TempDir Path tmp) throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs bash");
        // A checkout whose tool is built: the launcher, the jar (empty: the classes come from classpath.txt) and
        // classpath.txt, with no sources newer than the jar.
        Path checkout = Files.createDirectories(tmp.resolve("checkout"));
        Path launcher = Files.copy(SCRIPT, checkout.resolve("clip"));
        Path target = Files.createDirectories(checkout.resolve("clip-examples/target"));
        try (OutputStream os = Files.newOutputStream(target.resolve("clip-examples.jar"));
             JarOutputStream jar = new JarOutputStream(os)) {
            jar.flush();
        }
        Files.writeString(target.resolve("classpath.txt"), System.getProperty("java.class.path"));
        // Any build the launcher starts fails at once, so that a wrong checkout shows as a failure, not a long build.
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path mvn = Files.writeString(bin.resolve("mvn"), "#!/bin/sh\necho 'fake mvn: no build here' >&2\nexit 1\n");
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path link = Files.createSymbolicLink(bin.resolve("clip"), bin.relativize(launcher));

        ProcessBuilder pb = new ProcessBuilder("/bin/bash", link.toString(), "--version").directory(tmp.toFile());
        pb.environment().put("PATH", bin + File.pathSeparator + Path.of(System.getProperty("java.home"), "bin")
                + File.pathSeparator + System.getenv("PATH"));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher finished");
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), output);
        assertEquals("clip4j (development build)", output.strip());
    }
}
