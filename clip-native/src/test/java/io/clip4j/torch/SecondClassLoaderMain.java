package io.clip4j.torch;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;

/**
 * Entry point of a fresh JVM started by {@link NativeLibrariesTest}: loads the natives through two class loaders
 * over the same class path, as a redeployed web app does, and prints {@code LOADER n OK} or
 * {@code LOADER n FAILED <exception>} for each.
 */
public final class SecondClassLoaderMain {
    private SecondClassLoaderMain() {
    }

    public static void main(String[] args) throws Exception {
        String[] entries = System.getProperty("java.class.path").split(File.pathSeparator);
        URL[] urls = new URL[entries.length];
        for (int i = 0; i < entries.length; i++) {
            urls[i] = Path.of(entries[i]).toUri().toURL();
        }
        for (int n = 1; n <= 2; n++) {
            try (URLClassLoader loader = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader())) {
                loader.loadClass(NativeLibraries.class.getName()).getMethod("ensureLoaded").invoke(null);
                System.out.println("LOADER " + n + " OK");
            } catch (InvocationTargetException e) {
                System.out.println("LOADER " + n + " FAILED " + e.getCause());
            }
        }
    }
}
