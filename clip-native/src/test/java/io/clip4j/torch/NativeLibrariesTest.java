package io.clip4j.torch;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        // NNPACK is off, so CPU convolutions do not print "Could not initialize NNPACK!" on every call.
        assertFalse(torch.globalContext().userEnabledNNPACK());
    }

    @Test
    void oneCpuThreadAlsoHoldsOpenBlasToOne() throws IOException {
        // LibTorch runs float32 matrix products on OpenBLAS's own thread pool, which torch.set_num_threads does not
        // size: with train --threads 1 (torch.set_num_threads(1) alone), every product still ran on one OpenBLAS
        // thread per core (the tiny ViT's training took about twice as long on a busy 2-core machine).
        Path threadSelf = Path.of("/proc/thread-self");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(threadSelf)
                && Runtime.getRuntime().availableProcessors() >= 2, "needs Linux /proc and 2 or more cores");
        NativeLibraries.ensureLoaded();
        int before = torch.get_num_threads();
        NativeLibraries.setCpuThreads(1);
        try (Tensor a = torch.rand(768, 768); Tensor b = torch.rand(768, 768)) {
            torch.mm(a, b).close(); // warm-up: OpenBLAS starts its pool on first use
            String self = Files.readSymbolicLink(threadSelf).getFileName().toString(); // "<pid>/task/<tid>"
            java.util.Map<String, Long> start = cpuTicksPerThread();
            long mine = 0;
            for (int i = 0; i < 2000 && mine < 60; i++) { // at least 0.6 s of CPU on this thread (100 ticks/s)
                torch.mm(a, b).close();
                if (i % 10 == 9) {
                    mine = cpuTicksPerThread().get(self) - start.get(self);
                }
            }
            java.util.Map<String, Long> end = cpuTicksPerThread();
            mine = end.get(self) - start.get(self);
            long others = 0;
            for (var e : end.entrySet()) {
                if (!e.getKey().equals(self)) {
                    others += e.getValue() - start.getOrDefault(e.getKey(), 0L);
                }
            }
            assertTrue(mine >= 30, "too little work measured: " + mine + " ticks");
            // Before, an OpenBLAS worker did about as much as this thread (others ~ mine).
            assertTrue(others * 4 < mine, "other threads used " + others + " CPU ticks while this one used " + mine);
        } finally {
            // Back to what the other tests in this JVM run with: LibTorch's count, and OpenBLAS's default.
            torch.set_num_threads(before);
            org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(openBlasDefaultThreads());
        }
    }

    /** The thread count OpenBLAS starts with: its environment variables, else one per core. */
    private static int openBlasDefaultThreads() {
        for (String name : new String[]{"OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"}) {
            try {
                int n = Integer.parseInt(System.getenv().getOrDefault(name, "").trim());
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // unset or not a number: OpenBLAS ignores it too
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /** utime + stime of every thread of this process, by thread id ({@code /proc/self/task/<tid>/stat}). */
    private static java.util.Map<String, Long> cpuTicksPerThread() throws IOException {
        java.util.Map<String, Long> ticks = new java.util.HashMap<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended
                }
                // Fields after the command name in parentheses (which may hold spaces): state is field 3, utime 14.
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks.put(task.getFileName().toString(), Long.parseLong(f[11]) + Long.parseLong(f[12]));
            }
        }
        return ticks;
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
    void nativeMemoryBeyondJavaCppsHeapMultipleIsNotRefused(@TempDir Path cache) throws Exception {
        // 768 MiB of LibTorch memory with a 96 MiB heap: JavaCPP's default limit (4x the heap) refused this.
        List<String> out = runChild(cache, List.of("-Xmx96m"), null, LargeNativeMemoryMain.class, "768");
        assertEquals(List.of("MAX_PHYSICAL_BYTES 0", "OK"), out.subList(out.size() - 2, out.size()), String.valueOf(out));
        // A limit the user chose is kept.
        out = runChild(cache, List.of("-Xmx96m", "-Dorg.bytedeco.javacpp.maxphysicalbytes=3G"), null,
                LargeNativeMemoryMain.class, "16");
        assertEquals(List.of("MAX_PHYSICAL_BYTES 3221225472", "OK"), out.subList(out.size() - 2, out.size()),
                String.valueOf(out));
    }

    @Test
    void anInterruptedFirstLoadDoesNotBreakLaterLoads(@TempDir Path dir) throws Exception {
        // JavaCPP takes a file lock on its cache: on an interrupted thread that threw, and the failure was kept
        // for the life of the JVM, so one cancelled first request made LibTorch unloadable until a restart. The
        // natives are already extracted in this JVM's cache, so the child does not extract them again.
        String cache = Loader.getCacheDir().toString();
        List<String> out = runChild(dir, List.of("-Dorg.bytedeco.javacpp.cachedir=" + cache), null,
                InterruptedFirstLoadMain.class);
        assertTrue(out.contains("SECOND OK"), String.valueOf(out));
        assertTrue(out.contains("INTERRUPT KEPT true"), String.valueOf(out));
    }

    @Test
    void aSecondClassLoaderIsToldWhyItCannotLoadTheNatives(@TempDir Path dir) throws Exception {
        // The JVM lets one class loader load a native library: a redeployed web app was told "cannot load
        // .../libgomp.so.1: no libgomp.so.1 in java.library.path", the real reason only in the cause chain.
        org.junit.jupiter.api.Assumptions.assumeTrue(Loader.getPlatform().startsWith("linux"),
                "the hint is given where clip4j loads LibTorch's libraries one by one (Linux)");
        String cache = Loader.getCacheDir().toString();
        List<String> out = runChild(dir, List.of("-Dorg.bytedeco.javacpp.cachedir=" + cache), null,
                SecondClassLoaderMain.class);
        assertTrue(out.contains("LOADER 1 OK"), String.valueOf(out));
        String second = out.get(out.size() - 1);
        assertTrue(second.startsWith("LOADER 2 FAILED io.clip4j.ClipException: cannot load "), second);
        assertTrue(second.contains("(another class loader in this JVM already loaded clip4j's natives, e.g. an earlier"
                + " deployment of a web app or another plugin, and the JVM lets only one class loader load a native"
                + " library: load clip4j's jars once, from a class loader they share, or restart the JVM)"), second);
    }

    @Test
    void missingNativesGiveAClearClipException(@TempDir Path cache) throws Exception {
        List<String> out = runChild(cache, List.of("-Dorg.bytedeco.javacpp.platform=linux-nosuch"));
        String last = out.isEmpty() ? "" : out.get(out.size() - 1);
        assertTrue(last.startsWith("FAILED io.clip4j.ClipException: no LibTorch natives for platform linux-nosuch"),
                String.valueOf(out));
    }

    @Test
    void withoutTheClipCudaJarTheMessageNamesIt(@TempDir Path cache) throws Exception {
        // The README says clip-cuda's native library is loaded only for ImagePipeline.KERNELS; a project that excluded
        // the jar was told "cannot load the LibTorch natives ... (org.bytedeco:pytorch ... on the class path?)".
        String cp = java.util.Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains(File.separator + "clip-cuda" + File.separator))
                .collect(java.util.stream.Collectors.joining(File.pathSeparator));
        assertFalse(cp.equals(System.getProperty("java.class.path")), "clip-cuda is on the test class path");
        List<String> out = runChildWithClassPath(cache, List.of(), cp, ColdStartMain.class);
        assertEquals("FAILED io.clip4j.ClipException: the io.clip4j:clip-cuda jar is missing from the class path (class "
                + "io.clip4j.cuda.JavaCppLimits not found): clip-native needs it on every machine (only its native "
                + "library is optional, loaded for ImagePipeline.KERNELS); do not exclude it", out.get(out.size() - 1));
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

    /**
     * The loading sequence of the CUDA build, run for real with a stand-in: a {@code <platform>-gpu} folder
     * (first on the class path, as a directory) holding the CPU LibTorch. NativeLibraries must pick it, load
     * the CUDA runtime the way the preset lists it (found here only if a CUDA 13 toolkit is in JavaCPP's preload
     * path, e.g. /usr/local/cuda/lib64; else the "CUDA runtime cannot be loaded" error is expected; the other
     * CUDA libraries are absent and skipped), then the LibTorch libraries of that folder in dependency order
     * (with LD_LIBRARY_PATH at the system folder this crashed the JVM when JavaCPP chose the order), and report
     * CUDA natives; without a GPU a cuda:0 build must then give the "natives loaded, no GPU" message, and the
     * CPU must still compute the reference text_features.
     */
    @Test
    void gpuFolderIsPreferredAndItsLoadingSequenceRuns(@TempDir Path tmp) throws Exception {
        NativeLibraries.ensureLoaded();
        String platform = Loader.getPlatform();
        File cpu = Loader.cacheResource(Class.forName("org.bytedeco.pytorch.presets.torch", false,
                getClass().getClassLoader()).getResource("/org/bytedeco/pytorch/" + platform + "/"));
        Path gpu = Files.createDirectories(tmp.resolve("classes/org/bytedeco/pytorch/" + platform + "-gpu"));
        // Only LibTorch's own files: JavaCPP's cache folder may also hold links to system CUDA libraries.
        for (String name : new String[]{"libgomp.so.1", "libc10.so", "libtorch_cpu.so", "libtorch.so",
                "libjnitorch.so"}) {
            Files.createSymbolicLink(gpu.resolve(name), cpu.toPath().resolve(name).toRealPath());
        }
        List<String> out = runChild(Files.createDirectories(tmp.resolve("cache")), List.of(),
                tmp.resolve("classes").toString(),
                GpuFolderMain.class);
        // JavaCPP's preload path for the pytorch preset (CUDA 13.1 toolkit folders, then the system's).
        boolean systemCudart = false;
        for (String d : new String[]{"/usr/local/cuda-13.1/lib64", "/usr/local/cuda/lib64", "/lib64", "/lib",
                "/usr/lib64", "/usr/lib"}) {
            systemCudart |= Files.exists(Path.of(d, "libcudart.so.13"));
        }
        System.out.println("system CUDA runtime 13: " + systemCudart + "; child output: " + out);
        if (!systemCudart) {
            assertTrue(out.get(out.size() - 1).startsWith("FAILED io.clip4j.ClipException: the CUDA build of LibTorch"
                    + " is on the class path but the CUDA runtime (cudart@.13) cannot be loaded"), String.valueOf(out));
            return;
        }
        assertTrue(out.contains("GPU_NATIVES true"), String.valueOf(out));
        assertTrue(out.contains("CUDA CUDA requested (device cuda:0) but LibTorch sees no GPU: the CUDA natives are"
                + " loaded, but no usable NVIDIA GPU or driver was found (check nvidia-smi and CUDA_VISIBLE_DEVICES)"),
                String.valueOf(out));
        String last = out.get(out.size() - 1);
        assertTrue(last.startsWith("OK ") && Double.parseDouble(last.substring(3)) <= 1e-4, String.valueOf(out));
    }

    private static List<String> runChild(Path cache, List<String> extraArgs) throws IOException, InterruptedException {
        return runChild(cache, extraArgs, null, ColdStartMain.class);
    }

    private static List<String> runChild(Path cache, List<String> extraArgs, String classPathFirst, Class<?> main,
                                         String... mainArgs) throws IOException, InterruptedException {
        String cp = System.getProperty("java.class.path");
        String classPath = classPathFirst == null ? cp : classPathFirst + File.pathSeparator + cp;
        return runChildWithClassPath(cache, extraArgs, classPath, main, mainArgs);
    }

    private static List<String> runChildWithClassPath(Path cache, List<String> extraArgs, String classPath, Class<?> main,
                                                      String... mainArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx1g");
        cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
        cmd.add("-Dclip4j.testdata=" + System.getProperty("clip4j.testdata"));
        cmd.addAll(extraArgs);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(main.getName());
        cmd.addAll(List.of(mainArgs));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("LD_LIBRARY_PATH", SYSTEM_LIBS.toString());
        pb.directory(cache.toFile());
        Path log = Files.createTempFile("child", ".log");
        Process p = pb.redirectOutput(log.toFile()).start();
        boolean finished = p.waitFor(300, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly();
        }
        String text = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        assertTrue(finished, "child JVM did not finish in 300 s; output:\n" + text);
        assertEquals(0, p.exitValue(), "child JVM exit code; output:\n" + text);
        return List.of(text.strip().split("\n"));
    }
}
