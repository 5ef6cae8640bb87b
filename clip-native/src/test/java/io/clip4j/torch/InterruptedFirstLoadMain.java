package io.clip4j.torch;

import io.clip4j.ClipException;
import io.clip4j.ClipModel;

import java.nio.file.Path;

/**
 * Entry point of a fresh JVM started by {@link NativeLibrariesTest}: the process's first model load runs on an
 * interrupted thread (a cancelled request), then a second load on a thread that is not. Prints the first outcome
 * ({@code FIRST LOADED} or {@code FIRST ClipException <message>}), whether the interrupt status was kept, and
 * {@code SECOND OK} or {@code SECOND FAILED <error>}.
 */
public final class InterruptedFirstLoadMain {
    private InterruptedFirstLoadMain() {
    }

    public static void main(String[] args) {
        Path vit = Path.of(System.getProperty("clip4j.testdata"), "models", "tiny-vit");
        Thread.currentThread().interrupt();
        try (ClipModel m = ClipModel.load(vit)) {
            System.out.println("FIRST LOADED");
        } catch (ClipException e) {
            System.out.println("FIRST ClipException " + e.getMessage());
        }
        System.out.println("INTERRUPT KEPT " + Thread.interrupted());
        try (ClipModel m = ClipModel.load(vit)) {
            m.encodeText("a cat");
            System.out.println("SECOND OK");
        } catch (RuntimeException e) {
            System.out.println("SECOND FAILED " + e);
        }
    }
}
