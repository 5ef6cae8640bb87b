package io.clip4j.torch;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Native loading: in this JVM, and in fresh JVMs with an empty JavaCPP cache (a cold start) and
 * {@code LD_LIBRARY_PATH} pointing at the system library folder, where Debian's {@code libtorch-dev} puts a
 * LibTorch 1.13 ({@code libtorch_cpu.so}, {@code libc10.so}). Without {@link NativeLibraries} such a start
 * crashes the JVM (SIGSEGV in LibTorch static initialisers); where no system LibTorch is installed the test
 * still exercises the cold start.
 */
class NativeLibrariesTest {
    /** Debian/Ubuntu multiarch library folder. */
    private static final Path SYSTEM_LIBS = Path.of("/usr/lib/x86_64-linux-gnu");

    @Test
    void loadsOnceAndComputes() {
        NativeLibraries.ensureLoaded();
        NativeLibraries.ensureLoaded();
        try (Tensor ones = torch.ones(2, 3); Tensor sum = ones.sum()) {
            assertEquals(6f, sum.item_float());
        }
    }

    @Test
    void coldAndWarmStartInFreshJvmWithSystemLibraryPath(@TempDir Path cache) throws Exception {
        boolean systemTorch = Files.exists(SYSTEM_LIBS.resolve("libtorch_cpu.so"));
        System.out.println("system LibTorch in " + SYSTEM_LIBS + ": " + systemTorch);
        for (String start : new String[]{"cold", "warm"}) {
            List<String> out = runChild(cache, List.of());
            String last = out.isEmpty() ? "" : out.get(out.size() - 1);
            assertTrue(last.startsWith("OK "), start + " start failed, output: " + out);
            double diff = Double.parseDouble(last.substring(3));
            assertTrue(diff <= 1e-4, start + " start computed text_features off by " + diff);
        }
    }

    @Test
    void missingNativesGiveAClearClipException(@TempDir Path cache) throws Exception {
        List<String> out = runChild(cache, List.of("-Dorg.bytedeco.javacpp.platform=linux-nosuch"));
        String last = out.isEmpty() ? "" : out.get(out.size() - 1);
        assertTrue(last.startsWith("FAILED io.clip4j.ClipException: no LibTorch natives for platform linux-nosuch"),
                String.valueOf(out));
    }

    @Test
    void pathsFirstWithASystemLibTorchIsRefusedInsteadOfCrashing(@TempDir Path cache) throws Exception {
        List<String> out = runChild(cache, List.of("-Dorg.bytedeco.javacpp.pathsFirst=true"));
        String last = out.isEmpty() ? "" : out.get(out.size() - 1);
        if (Files.exists(SYSTEM_LIBS.resolve("libc10.so"))) {
            assertTrue(last.startsWith("FAILED io.clip4j.ClipException: -Dorg.bytedeco.javacpp.pathsFirst is set"),
                    String.valueOf(out));
        } else {
            assertTrue(last.startsWith("OK "), String.valueOf(out));
        }
    }

    private static List<String> runChild(Path cache, List<String> extraArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx1g");
        cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
        cmd.add("-Dclip4j.testdata=" + System.getProperty("clip4j.testdata"));
        cmd.addAll(extraArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ColdStartMain.class.getName());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("LD_LIBRARY_PATH", SYSTEM_LIBS.toString());
        pb.directory(cache.toFile());
        Process p = pb.start();
        byte[] bytes = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "child JVM did not finish");
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "child JVM exit code; output:\n" + text);
        return List.of(text.strip().split("\n"));
    }
}
