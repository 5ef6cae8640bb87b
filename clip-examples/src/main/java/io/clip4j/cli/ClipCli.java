package io.clip4j.cli;

import io.clip4j.ClipException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/**
 * The {@code ./clip} command-line tool. User errors (bad arguments, unreadable files, bad models) print
 * one line on stderr and exit non-zero; {@code --verbose} adds the stack trace.
 */
@Command(name = "clip", mixinStandardHelpOptions = true, versionProvider = ClipCli.Version.class,
        description = "clip4j: CLIP (Contrastive Language-Image Pre-training) from the command line.",
        subcommands = {TokenizeCommand.class, PreprocessCommand.class, ZeroShotCommand.class, EmbedCommand.class,
                IndexCommand.class, SearchCommand.class, InfoCommand.class, BenchCommand.class, EvalCommand.class, TrainCommand.class})
public final class ClipCli {
    /** Exit code for a failure caused by the input (file, model, value). */
    static final int EXIT_INPUT = 1;
    /** Exit code for a usage error (unknown option, missing argument). */
    static final int EXIT_USAGE = 2;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean verbose;

    /**
     * Entry point.
     *
     * @param args command line
     */
    public static void main(String[] args) {
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /**
     * Runs one command line with the given streams (tests call this).
     *
     * @param out  standard output
     * @param err  standard error
     * @param args command line
     * @return the exit code
     */
    static int execute(PrintWriter out, PrintWriter err, String... args) {
        String garbled = garbledArgument(args);
        if (garbled != null) {
            err.println("clip: " + garbled);
            err.flush();
            return EXIT_USAGE;
        }
        ClipCli root = new ClipCli();
        CommandLine cl = new CommandLine(root);
        cl.setCaseInsensitiveEnumValuesAllowed(true); // --activation gelu, as Hugging Face configs spell it
        // "--label cat --frobnicate" must be an error, not a label called "--frobnicate".
        cl.setUnmatchedOptionsAllowedAsOptionParameters(false);
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            // qualifiedName() names nested subcommands in full, e.g. "clip eval few-shot".
            String msg = ex.getMessage().startsWith("Error: ") ? ex.getMessage().substring(7) : ex.getMessage();
            if (msg.startsWith("Unknown option") && msg.contains("; Expected parameter")) {
                // picocli adds that a multi-value option before it "expected a parameter": wrong once it has one
                msg = msg.substring(0, msg.indexOf("; Expected parameter"));
            }
            msg = UsageHints.message(ex, msg);
            err.println("clip: " + msg + " (see '" + ex.getCommandLine().getCommandSpec().qualifiedName()
                    + " --help')");
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, line, parse) -> {
            Throwable t = ex instanceof UncheckedIOException ? ex.getCause() : ex;
            boolean user = t instanceof ClipException || t instanceof IOException
                    || t instanceof IllegalArgumentException;
            err.println("clip: " + (user ? "" : "internal error: ") + oneLine(t));
            if (root.verbose || !user) {
                t.printStackTrace(err);
            }
            err.flush();
            return user ? EXIT_INPUT : 3;
        });
        int code;
        try {
            code = cl.execute(args);
        } catch (OutOfMemoryError e) {
            // picocli passes a command's Errors through its handlers. By now the command's large buffers are
            // garbage, so a one-line message (and the trace, with --verbose) can be printed.
            err.println("clip: not enough Java heap (" + e.getMessage() + "; max heap "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB): raise it, e.g. CLIP4J_JAVA_OPTS=-Xmx8g ./clip ..."
                    + ", or give smaller inputs");
            if (root.verbose) {
                e.printStackTrace(err);
            }
            code = EXIT_INPUT;
        }
        out.flush();
        err.flush();
        return code;
    }

    /**
     * Finds an argument the JVM could not decode. Java decodes the command line with the locale's character set
     * ({@code sun.jnu.encoding}); under a POSIX locale (LANG unset or C, as in many containers and cron jobs) that
     * is ASCII, and each byte of a non-ASCII character becomes U+FFFD: the label "é" was classified as two
     * replacement characters and a file "café.png" was "not found". The {@code ./clip} launcher switches such a
     * locale to UTF-8; this catches what is left (a bare {@code java -cp} run, bytes that are not UTF-8).
     *
     * @param args the command line
     * @return a one-line message naming the first argument with U+FFFD, or null if there is none
     */
    static String garbledArgument(String... args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].indexOf('\uFFFD') >= 0) {
                return "argument " + (i + 1) + " ('" + args[i] + "') holds bytes that the locale's character set ("
                        + System.getProperty("sun.jnu.encoding") + ") cannot decode; run with a UTF-8 locale, e.g."
                        + " LC_ALL=C.UTF-8";
            }
        }
        return null;
    }

    private static String oneLine(Throwable t) {
        if (t instanceof java.nio.file.NoSuchFileException) {
            String file = ((java.nio.file.NoSuchFileException) t).getFile();
            // An output into a folder that does not exist is a missing folder, not a missing file.
            java.nio.file.Path parent = file == null ? null : java.nio.file.Path.of(file).toAbsolutePath().getParent();
            if (parent != null && !java.nio.file.Files.isDirectory(parent)) {
                return "directory not found: " + parent + " (for " + file + ")";
            }
            return "file not found: " + file;
        }
        if (t instanceof java.nio.file.AccessDeniedException) {
            return "permission denied: " + ((java.nio.file.AccessDeniedException) t).getFile();
        }
        if (t instanceof java.nio.file.FileSystemException fs && fs.getFile() != null
                && java.nio.file.Files.isDirectory(java.nio.file.Path.of(fs.getFile()))) {
            return "a directory, not a file: " + fs.getFile();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        if (t instanceof IOException && !(t instanceof java.io.FileNotFoundException)) {
            m = t.getClass().getSimpleName() + ": " + m;
        }
        return m.replace('\n', ' ');
    }

    /** Reports the version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ClipCli.class.getPackage().getImplementationVersion();
            return new String[]{"clip4j " + (v == null ? "(development build)" : v)};
        }
    }
}
