package io.clip4j.text;

import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link ClipTokenizer#create()} documents a {@link VocabularyException} when the bundled vocabulary is missing: seen
 * through a class loader that hides the resource, on the first call and on later ones (a static holder's failed
 * initialiser gave ExceptionInInitializerError, then NoClassDefFoundError).
 */
class BundledVocabularyMissingTest {
    /** Loads clip-api's classes itself (not from the parent), without the vocabulary resource. */
    private static final class WithoutVocabulary extends URLClassLoader {
        WithoutVocabulary() throws Exception {
            super(new URL[] {classesDir()}, ClassLoader.getPlatformClassLoader());
        }

        private static URL classesDir() throws Exception {
            return Path.of(ClipTokenizer.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toUri()
                    .toURL();
        }

        @Override
        public URL findResource(String name) {
            return name.endsWith("bpe_simple_vocab_16e6.txt.gz") ? null : super.findResource(name);
        }
    }

    @Test
    void aMissingBundledVocabularyIsAVocabularyExceptionEveryTime() throws Exception {
        try (WithoutVocabulary loader = new WithoutVocabulary()) {
            Method create = loader.loadClass(ClipTokenizer.class.getName()).getMethod("create");
            for (int call = 0; call < 2; call++) {
                Throwable t = assertThrows(InvocationTargetException.class, () -> create.invoke(null)).getCause();
                assertEquals(VocabularyException.class.getName(), t.getClass().getName(), "call " + call + ": " + t);
                assertEquals("missing resource io/clip4j/text/bpe_simple_vocab_16e6.txt.gz", t.getMessage());
            }
        }
    }
}
