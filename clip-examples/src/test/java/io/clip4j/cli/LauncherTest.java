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
     * Under a POSIX locale (here LC_ALL=C) the launcher reads the arguments as UTF-8: Java decoded them as ASCII, and
     * the text "café" reached the tokenizer as "caf" and two U+FFFD characters.
     */
    @Test
    void aPosixLocaleStillReadsUtf8Arguments(@TempDir Path tmp) throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs bash");
        Process locales = new ProcessBuilder("locale", "-a").redirectErrorStream(true).start();
        String known = new String(locales.getInputStream().readAllBytes(), StandardCharsets.UTF_8).toLowerCase();
        Assumptions.assumeTrue(locales.waitFor() == 0 && known.contains("c.utf"), "needs the C.UTF-8 locale");
        Assumptions.assumeTrue("UTF-8".equals(System.getProperty("sun.jnu.encoding")),
                "this JVM passes \"caf\u00e9\" on as UTF-8");
        Path checkout = builtCheckout(tmp);
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", checkout.resolve("clip").toString(), "tokenize",
                "caf\u00e9", "--context-length", "5");
        pb.environment().remove("LANG");
        pb.environment().remove("LC_CTYPE");
        pb.environment().put("LC_ALL", "C");
        String out = run(pb, tmp);
        assertEquals("{\"text\":\"caf\u00e9\",\"ids\":[49406,15304,49407,0,0],\"truncated\":false}", out.strip());
    }

    /**
     * A symbolic link to the launcher (e.g. {@code ~/bin/clip}) runs the checkout it points into. The launcher took
     * the link's folder for the checkout, found no build there and ran Maven in it, which failed.
     */
    @Test
    void aSymbolicLinkToTheLauncherRunsItsCheckout(@TempDir Path tmp) throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs bash");
        Path launcher = builtCheckout(tmp).resolve("clip");
        Path bin = tmp.resolve("bin");
        Path link = Files.createSymbolicLink(bin.resolve("clip"), bin.relativize(launcher));
        String output = run(new ProcessBuilder("/bin/bash", link.toString(), "--version"), tmp);
        assertEquals("clip4j (development build)", output.strip());
    }

    /**
     * A checkout whose tool is built: the launcher, the jar (empty: the classes come from classpath.txt) and
     * classpath.txt, with no sources newer than the jar; and beside it {@code bin/} with an {@code mvn} that fails
     * at once, so that a build the launcher starts shows as a failure rather than a long build.
     */
    private static Path builtCheckout(Path tmp) throws IOException {
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
        return checkout;
    }

    /** Runs the launcher with bin/ first on the PATH; returns stdout and stderr after checking the exit code is 0. */
    private static String run(ProcessBuilder pb, Path tmp) throws IOException, InterruptedException {
        Path bin = tmp.resolve("bin");
        pb.directory(tmp.toFile());
        pb.environment().put("PATH", bin + File.pathSeparator + Path.of(System.getProperty("java.home"), "bin")
                + File.pathSeparator + System.getenv("PATH"));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher finished");
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), output);
        return output;
    }
}
