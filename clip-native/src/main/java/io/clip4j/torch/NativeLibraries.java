package io.clip4j.torch;

import io.clip4j.ClipException;
import io.clip4j.cuda.JavaCppLimits;
import org.bytedeco.javacpp.ClassProperties;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Loads the LibTorch natives bundled in the {@code org.bytedeco:pytorch} jar so that no other LibTorch on
 * the machine can be mixed in.
 *
 * <p>Why this exists: the bundled libraries ({@code libc10.so}, {@code libtorch_cpu.so}, {@code libtorch.so})
 * have unversioned sonames and a {@code RUNPATH} of {@code $ORIGIN}. JavaCPP's default loader extracts and
 * loads them one by one in the order c10, torch, torch_cpu. On a cold cache {@code libtorch.so} is loaded
 * while {@code libtorch_cpu.so} is not yet extracted next to it, so the dynamic linker resolves that
 * dependency from the system (Debian's {@code libtorch-dev} puts a 1.13 {@code libtorch_cpu.so} in
 * {@code /usr/lib/x86_64-linux-gnu}); with {@code LD_LIBRARY_PATH} pointing there it does so even on a warm
 * cache, because {@code LD_LIBRARY_PATH} is searched before {@code RUNPATH}. Two LibTorch versions in one
 * process crash the JVM inside static initialisers. Here the whole native folder is extracted first and the
 * libraries are then loaded by absolute path in dependency order (gomp, c10, torch_cpu, torch), so every
 * {@code DT_NEEDED} entry is already satisfied by soname and the linker never searches.
 *
 * <p>The CUDA build ({@code mvn -Pcuda}: {@code org.bytedeco:pytorch} with classifier {@code <platform>-gpu}, its
 * natives in the folder {@code <platform>-gpu}) is preferred when present, as JavaCPP itself does when
 * {@code org.bytedeco.javacpp.platform.extension} is unset. Its folder adds {@code libc10_cuda.so},
 * {@code libtorch_cuda.so} and {@code libtorch_cuda_linalg.so}, which need the CUDA libraries ({@code libcudart},
 * cuBLAS, cuDNN, ...) of the {@code org.bytedeco:cuda} redist jar (another folder, so {@code $ORIGIN} cannot
 * find them). Those are loaded first, with the names, versions and order that the pytorch preset gives JavaCPP
 * ({@code org.bytedeco.pytorch.presets.torch#init} adds them to {@code platform.preload} for {@code -gpu}), each
 * through {@link Loader#findLibrary} so that the redist jar wins over a system CUDA; then gomp, c10, c10_cuda,
 * torch_cpu, torch_cuda, torch_cuda_linalg, torch by absolute path. Every library is thus loaded after all of
 * its dependencies. This path could not be run where it was written (no GPU, no -gpu jars there).
 *
 * <p>Unless the user sets {@code org.bytedeco.javacpp.maxPhysicalBytes}, JavaCPP's limit on resident memory is
 * lifted ({@link JavaCppLimits}): it counts the LibTorch memory holding a model's weights against a multiple of the
 * Java heap.
 *
 * <p>Call {@link #ensureLoaded()} before touching any {@code org.bytedeco.pytorch} class; every clip4j
 * entry point into LibTorch does so. {@code -Dorg.bytedeco.javacpp.pathsFirst=true} defeats this (JavaCPP then
 * loads {@code libc10.so} etc. by name from {@code java.library.path}), so it is refused with a
 * {@link ClipException} when another LibTorch is found there.
 */
public final class NativeLibraries {
    /** Dependency order of the libraries in the pytorch jar's native folder (Linux names). */
    private static final String[] LINUX_ORDER = {"libgomp.so.1", "libc10.so", "libtorch_cpu.so", "libtorch.so"};
    /** The same for the {@code -gpu} folder: the CUDA parts come after what they link to. */
    private static final String[] LINUX_GPU_ORDER = {"libgomp.so.1", "libc10.so", "libc10_cuda.so",
            "libtorch_cpu.so", "libtorch_cuda.so", "libtorch_cuda_linalg.so", "libtorch.so"};
    /** Platform extension of the CUDA build of the pytorch preset. */
    private static final String GPU_EXTENSION = "-gpu";
    /**
     * Library families of the preset's {@code platform.preload} list that come from the CUDA toolkit (TensorRT's
     * myelin/nvinfer are left out: LibTorch does not link them).
     */
    private static final List<String> CUDA_FAMILIES = List.of("cudart", "cublas", "cufft", "cupti", "curand",
            "nvJitLink", "cusparse", "cusolver", "cudnn", "cufile", "nccl", "nvrtc", "nvToolsExt");

    private static final Object LOCK = new Object();
    private static volatile boolean loaded;
    private static volatile ClipException failure;
    private static volatile boolean cudaNatives;

    private NativeLibraries() {
    }

    /**
     * Extracts and loads the bundled LibTorch (and OpenBLAS) natives once per JVM; later calls return at once.
     * Thread-safe. Unless {@code org.bytedeco.javacpp.maxPhysicalBytes} is set, sets it to 0 (no limit) first:
     * JavaCPP's default, a multiple of {@code -Xmx}, would refuse allocations once a large model's weights
     * (native memory) outgrow it. This only takes effect if JavaCPP has not been used yet in the JVM.
     *
     * @throws ClipException if the natives cannot be extracted or loaded (no jar for this platform, unwritable
     *                       cache directory, incompatible system); the same exception is rethrown on every
     *                       later call, unless the thread was interrupted during the load (an interrupt pending
     *                       before it does not stop it, and stays set)
     */
    public static void ensureLoaded() {
        if (loaded) {
            return;
        }
        synchronized (LOCK) {
            if (loaded) {
                return;
            }
            if (failure != null) {
                throw failure;
            }
            // JavaCPP locks its cache with an interruptible FileChannel: a pending interrupt (a cancelled request)
            // would make this one-time load fail, and that failure would be kept for the life of the JVM. The load
            // runs with the status cleared, and it is set again afterwards.
            boolean interrupted = Thread.interrupted();
            try {
                JavaCppLimits.liftPhysicalMemoryLimit(); // first: JavaCPP reads it once
                hintOpenMpWaitPolicy();
                load();
                disableNnpack();
                loaded = true;
            } catch (ClipException e) {
                throw keep(e);
            } catch (IOException | RuntimeException | LinkageError e) {
                throw keep(new ClipException(loadFailure(e), e));
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * The message of a failed load. clip-native's Java code uses clip-cuda's classes on every machine (the first one
     * in {@link #ensureLoaded}); only clip-cuda's native library is optional. A project that left out the
     * {@code io.clip4j:clip-cuda} jar (the README says its library is loaded only for the kernels pipeline) was told
     * to check the LibTorch natives instead.
     *
     * @param e what the load threw
     * @return the message naming the missing jar, or the LibTorch natives and the exception
     */
    static String loadFailure(Throwable e) {
        if (e instanceof NoClassDefFoundError && String.valueOf(e.getMessage()).startsWith("io/clip4j/cuda/")) {
            return "the io.clip4j:clip-cuda jar is missing from the class path (class "
                    + e.getMessage().replace('/', '.') + " not found): clip-native needs it on every machine (only its "
                    + "native library is optional, loaded for ImagePipeline.KERNELS); do not exclude it";
        }
        return "cannot load the LibTorch natives for platform " + Loader.getPlatform()
                + " (org.bytedeco:pytorch with classifier " + Loader.getPlatform() + " on the class path?): " + e;
    }

    /**
     * The JVM lets one class loader load a given native library. When another one in the process already did (an
     * earlier deployment of a web app, a second plugin), JavaCPP's message ("no libgomp.so.1 in java.library.path")
     * hides that in its cause.
     *
     * @param e the load failure
     * @return advice when a cause says the library is loaded by another class loader, else ""
     */
    static String otherClassLoaderHint(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (String.valueOf(t.getMessage()).contains("already loaded in another classloader")) {
                return " (another class loader in this JVM already loaded clip4j's natives, e.g. an earlier deployment"
                        + " of a web app or another plugin, and the JVM lets only one class loader load a native"
                        + " library: load clip4j's jars once, from a class loader they share, or restart the JVM)";
            }
        }
        return "";
    }

    /** Keeps a failure for every later call, unless an interrupt during the load caused it (then retries). */
    private static ClipException keep(ClipException e) {
        if (Thread.currentThread().isInterrupted()) {
            return new ClipException("loading the LibTorch natives was interrupted (a later call tries again): "
                    + e.getMessage(), e);
        }
        failure = e;
        return e;
    }

    /**
     * LibTorch's OpenMP threads spin while waiting by default (OMP_WAIT_POLICY=ACTIVE). On a machine with few
     * cores, where the JVM's own threads compete for them, that makes two intra-op threads 10-18x slower than
     * one (measured on 2 vCPUs); PASSIVE waiting removes the loss. The policy is read from the environment
     * when libgomp loads and Java cannot set it for its own process, so this can only advise.
     */
    private static void hintOpenMpWaitPolicy() {
        if (System.getenv("OMP_WAIT_POLICY") == null && Runtime.getRuntime().availableProcessors() <= 4) {
            org.slf4j.LoggerFactory.getLogger(NativeLibraries.class).info(
                    "OMP_WAIT_POLICY is not set on this {}-core machine: set OMP_WAIT_POLICY=PASSIVE in the "
                            + "environment, or use threads(1), to avoid OpenMP spin-waiting slowdowns",
                    Runtime.getRuntime().availableProcessors());
        }
    }

    /**
     * Sets the CPU threads of LibTorch's intra-op pool ({@code torch.set_num_threads}) and of OpenBLAS, which runs
     * LibTorch's float32 matrix products (Linear layers, attention, convolution backward) on a thread pool of its own
     * that {@code torch.set_num_threads} does not size: with one LibTorch thread, every matrix product still ran on
     * one OpenBLAS thread per core. On a busy 2-core machine that made a {@code clip train --threads 1} run of the
     * tiny ViT about twice as slow (258 to 332 images/s against 599; and use three times the CPU time) as one
     * OpenBLAS thread, a zero-shot evaluation 1.7 times (12.3 s against 7.4). Both settings are process-wide, and OpenBLAS's takes effect at once, for every thread:
     * the OpenBLAS thread count changes the last bits of the products (their summation order), so a model encoding
     * on another thread meanwhile may see its results change in the last bits. {@code ClipModel.Builder.threads}
     * and {@link io.clip4j.train.Trainer#setThreads} leave OpenBLAS as it is; {@code clip train} calls this.
     * Loads the natives first.
     *
     * @param threads threads, &ge; 1
     * @throws IllegalArgumentException if {@code threads < 1}
     * @throws ClipException if the natives cannot be loaded
     */
    public static void setCpuThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        ensureLoaded();
        torch.set_num_threads(threads);
        // The preset's helper finds openblas_set_num_threads in the loaded library (it prints a note on stdout
        // when there is none, hence the check).
        if (Loader.addressof("openblas_set_num_threads") != null) {
            org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(threads);
        }
    }

    /**
     * Turns LibTorch's NNPACK convolution backend off. LibTorch asks whether NNPACK is available for every
     * CPU convolution that oneDNN does not take (e.g. a ResNet on one thread), before it checks the batch size
     * NNPACK needs (16 or more, where oneDNN is chosen first anyway); on CPUs NNPACK rejects, each ask prints
     * "Could not initialize NNPACK! Reason: Unsupported hardware." So the backend gives nothing here, but
     * floods stderr. A process-wide LibTorch setting.
     */
    private static void disableNnpack() {
        torch.globalContext().setUserEnabledNNPACK(false);
    }

    /**
     * @return true when the loaded LibTorch is the CUDA build ({@code -gpu} natives); false before
     *         {@link #ensureLoaded()} has succeeded
     */
    static boolean cudaNatives() {
        return loaded && cudaNatives;
    }

    /** The same reading of the property as JavaCPP's {@code Loader}: "true", "t" or empty mean on. */
    private static boolean javacppPathsFirst() {
        String v = System.getProperty("org.bytedeco.javacpp.pathsFirst",
                System.getProperty("org.bytedeco.javacpp.pathsfirst", "false")).toLowerCase(Locale.ROOT);
        return v.equals("true") || v.equals("t") || v.isEmpty();
    }

    private static File findOnLibraryPath(String name) {
        for (String dir : System.getProperty("java.library.path", "").split(File.pathSeparator)) {
            File f = new File(dir, name);
            if (!dir.isEmpty() && f.exists()) {
                return f;
            }
        }
        return null;
    }

    /**
     * On the class path {@code Class.getResource} finds a folder in any jar. On the module path it searches only
     * the class's own module, and the natives are in another one (the platform jar); their folder names
     * ({@code linux-x86_64}) are no package, so the class loader finds them there.
     */
    private static URL resource(Class<?> preset, String absolutePath) {
        URL url = preset.getResource(absolutePath);
        ClassLoader loader = preset.getClassLoader();
        return url != null || loader == null ? url : loader.getResource(absolutePath.substring(1));
    }

    private static void load() throws IOException {
        String platform = Loader.getPlatform();
        // Resolve the preset class without initialising it: initialising runs JavaCPP's own loader.
        Class<?> preset;
        try {
            preset = Class.forName("org.bytedeco.pytorch.presets.torch", false, NativeLibraries.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ClipException("org.bytedeco:pytorch is not on the class path", e);
        }
        String folder = "/org/bytedeco/pytorch/" + platform + "/";
        // A platform extension such as -gpu has its own folder. JavaCPP tries the presets' extensions (-gpu)
        // when the property is unset, and only the configured one when set ("" = none); so do we.
        String extension = System.getProperty("org.bytedeco.javacpp.platform.extension");
        String wanted = extension == null ? GPU_EXTENSION : extension;
        URL folderUrl = wanted.isEmpty() ? null : resource(preset, "/org/bytedeco/pytorch/" + platform + wanted + "/");
        boolean gpu = folderUrl != null && wanted.endsWith(GPU_EXTENSION);
        if (folderUrl == null) {
            folderUrl = resource(preset, folder);
        }
        if (folderUrl == null) {
            throw new ClipException("no LibTorch natives for platform " + platform + " on the class path (resource "
                    + folder + " missing; add org.bytedeco:pytorch with classifier " + platform + ")");
        }
        if (platform.startsWith("linux") && javacppPathsFirst()) {
            File system = findOnLibraryPath("libc10.so");
            if (system != null) {
                // JavaCPP would load this one by name next to the bundled one: two LibTorch versions abort the JVM.
                throw new ClipException("-Dorg.bytedeco.javacpp.pathsFirst is set and another LibTorch (" + system
                        + ") is on java.library.path; JavaCPP would load it instead of the bundled LibTorch and"
                        + " crash. Remove the pathsFirst property (clip4j loads the bundled natives safely) or"
                        + " remove that folder from java.library.path/LD_LIBRARY_PATH");
            }
        }
        // OpenBLAS first: libtorch_cpu needs libopenblas.so.0, which must come from the bundled jar too.
        Loader.load(org.bytedeco.openblas.global.openblas.class);
        // A folder on disk (an exploded class path) is used in place: JavaCPP's cacheResource does not copy
        // directory file: URLs into its cache, so the libraries would not be found there.
        File dir = folderUrl.getProtocol().equals("file") ? toFile(folderUrl) : Loader.cacheResource(folderUrl);
        if (platform.startsWith("linux")) {
            if (!new File(dir, "libc10.so").isFile()) {
                // Without it JavaCPP would load the libraries itself, in the unsafe order described above.
                throw new ClipException("no libc10.so in " + dir + " (the LibTorch natives of " + folderUrl + ")");
            }
            List<String> missingCuda = gpu ? loadCudaLibraries(preset) : List.of();
            for (String name : gpu ? LINUX_GPU_ORDER : LINUX_ORDER) {
                File lib = new File(dir, name);
                if (!lib.isFile()) {
                    continue; // e.g. builds without a bundled libgomp
                }
                // Through JavaCPP so that its own bookkeeping sees the same paths later (and the same class loader).
                String path;
                try {
                    path = Loader.loadLibrary(preset, new URL[]{lib.toURI().toURL()}, name);
                } catch (UnsatisfiedLinkError e) {
                    throw new ClipException("cannot load " + lib + ": " + e.getMessage() + otherClassLoaderHint(e)
                            + (gpu ? cudaHint(platform, missingCuda) : ""), e);
                }
                if (path == null) {
                    throw new ClipException("cannot load " + lib);
                }
            }
        }
        // Now the JNI bridge; every dependency it names is already in the process.
        Loader.load(org.bytedeco.pytorch.global.torch.class);
        cudaNatives = gpu;
    }

    /**
     * Loads the CUDA libraries that the {@code -gpu} LibTorch links to, in the preset's order (cublasLt before
     * cublas, nvJitLink before cusparse, ... as JavaCPP's own preloading does), skipping optional ones that are
     * not found, like JavaCPP.
     *
     * @return the libraries not found or not loadable (for the message if LibTorch then fails to load)
     * @throws ClipException if the CUDA runtime itself ({@code cudart}) cannot be loaded
     */
    private static List<String> loadCudaLibraries(Class<?> preset) {
        ClassProperties props = Loader.loadProperties(preset, Loader.loadProperties(), true);
        List<String> missing = new ArrayList<>();
        for (String lib : props.get("platform.preload")) {
            String family = lib.split("[#@]", 2)[0];
            if (CUDA_FAMILIES.stream().noneMatch(family::startsWith)) {
                continue;
            }
            URL[] urls = Loader.findLibrary(preset, props, lib, false);
            try {
                if (urls.length == 0 || Loader.loadLibrary(preset, urls, lib) == null) {
                    missing.add(lib);
                }
            } catch (UnsatisfiedLinkError e) {
                missing.add(lib);
            }
            if (family.equals("cudart") && missing.contains(lib)) {
                throw new ClipException("the CUDA build of LibTorch is on the class path but the CUDA runtime (" + lib
                        + ") cannot be loaded" + cudaHint(Loader.getPlatform(), missing));
            }
        }
        return missing;
    }

    private static File toFile(URL url) throws IOException {
        try {
            return new File(url.toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IOException("bad native folder URL " + url, e);
        }
    }

    private static String cudaHint(String platform, List<String> missing) {
        return "; the -gpu LibTorch needs the CUDA libraries of org.bytedeco:cuda with classifier " + platform
                + "-redist (mvn -Pcuda adds it) or a matching CUDA toolkit in /usr/local/cuda"
                + (missing.isEmpty() ? "" : "; not found or not loadable: " + missing);
    }
}
