package io.clip4j.torch;

import io.clip4j.ClipException;
import org.bytedeco.javacpp.Loader;

import java.io.File;
import java.io.IOException;
import java.net.URL;
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
 * <p>Call {@link #ensureLoaded()} before touching any {@code org.bytedeco.pytorch} class; every clip4j
 * entry point into LibTorch does so. {@code -Dorg.bytedeco.javacpp.pathsFirst=true} defeats this (JavaCPP then
 * loads {@code libc10.so} etc. by name from {@code java.library.path}), so it is refused with a
 * {@link ClipException} when another LibTorch is found there.
 */
public final class NativeLibraries {
    /** Dependency order of the libraries in the pytorch jar's native folder (Linux names). */
    private static final String[] LINUX_ORDER = {"libgomp.so.1", "libc10.so", "libtorch_cpu.so", "libtorch.so"};

    private static final Object LOCK = new Object();
    private static volatile boolean loaded;
    private static volatile ClipException failure;

    private NativeLibraries() {
    }

    /**
     * Extracts and loads the bundled LibTorch (and OpenBLAS) natives once per JVM; later calls return at once.
     * Thread-safe.
     *
     * @throws ClipException if the natives cannot be extracted or loaded (no jar for this platform, unwritable
     *                       cache directory, incompatible system); the same exception is rethrown on every
     *                       later call
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
            try {
                load();
                loaded = true;
            } catch (ClipException e) {
                failure = e;
                throw e;
            } catch (IOException | RuntimeException | LinkageError e) {
                failure = new ClipException("cannot load the LibTorch natives for platform " + Loader.getPlatform()
                        + " (org.bytedeco:pytorch with classifier " + Loader.getPlatform() + " on the class path?): "
                        + e, e);
                throw failure;
            }
        }
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
        // A platform extension such as -gpu has its own folder; prefer it when configured.
        String extension = System.getProperty("org.bytedeco.javacpp.platform.extension", "");
        URL folderUrl = extension.isEmpty() ? null
                : preset.getResource("/org/bytedeco/pytorch/" + platform + extension + "/");
        if (folderUrl == null) {
            folderUrl = preset.getResource(folder);
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
        File dir = Loader.cacheResource(folderUrl);
        if (platform.startsWith("linux")) {
            for (String name : LINUX_ORDER) {
                File lib = new File(dir, name);
                if (!lib.isFile()) {
                    continue; // e.g. builds without a bundled libgomp
                }
                // Through JavaCPP so that its own bookkeeping sees the same paths later (and the same class loader).
                String path = Loader.loadLibrary(preset, new URL[]{lib.toURI().toURL()}, name);
                if (path == null) {
                    throw new ClipException("cannot load " + lib);
                }
            }
        }
        // Now the JNI bridge; every dependency it names is already in the process.
        Loader.load(org.bytedeco.pytorch.global.torch.class);
    }
}
