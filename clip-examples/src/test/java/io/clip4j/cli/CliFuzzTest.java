package io.clip4j.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random command lines for every subcommand, each a working one (tiny-vit, fixture images) with one to three
 * mutations: an option's value replaced by a hostile one (0, -1, 2147483648, 1e309, NaN, blanks, '=', devices, a
 * FIFO, folders, missing files, odd-case enum values), an option added, repeated, left without its value or dropped.
 * Whatever the line, the README's contract must hold: exit 0, 1 or 2, never "internal error" or a stack trace without
 * --verbose, a usage error (2) on one line, a value that does not parse as the option's type a 2, no "null" for a
 * missing message, nothing written into the working directory, and no run longer than {@link #LIMIT_S} s (a command
 * waiting for a FIFO's other end is woken, not counted). {@code -Dclip4j.clifuzz.cases=N},
 * {@code -Dclip4j.clifuzz.seed=S}, {@code -Dclip4j.clifuzz.seconds=T}, {@code -Dclip4j.clifuzz.only=train,index},
 * {@code -Dclip4j.clifuzz.sweep=true} (every path option of every command with every hostile path) and
 * {@code -Dclip4j.clifuzz.log=true} run a longer search; the sweep found {@code tokenize --vocab /dev/null}'s
 * "...: null", {@code --model /dev/null}'s "no such checkpoint file" and {@code train --out ""} training into the
 * working directory with exit 0.
 */
class CliFuzzTest {
    private static final Path DATA = Path.of(System.getProperty("clip4j.testdata"));
    private static final Path IMAGES = DATA.resolve("preprocess/images");
    private static final long LIMIT_S = 20;

    private static final String[] INT = {"0", "-1", "1", "2", "3", "2147483647", "2147483648", "-2147483649", "1e309",
        "NaN", "Infinity", "", " ", "=", "abc", "1.5", "0x10", "+2", "-0", "\u0663"};
    private static final String[] SMALL = {"0", "-1", "1", "2", "3", "100", "2147483647", "-2147483648"};
    private static final String[] DOUBLE = {"0", "-1", "1", "0.5", "1e309", "-1e309", "NaN", "Infinity", "-Infinity",
        "1e-400", "4.9e-324", "", " ", "=", "abc", "1d", "0x1p-2", "1,5"};
    private static final String[] TEXT = {"a cat", "", " ", "\t", "=", "--", "-", "\u00e9t\u00e9", "\u4e2d",
        "{}", "{0}", "%s", "a photo of a {}.", "{} {}", "\u0000", "cat ".repeat(100), "-x", "\u202E"};
    private static final String[] CASE = {"lower", "UPPER", "Mixed", "bogus", "", " "};

    private enum Kind { INT, LONG, DOUBLE, TEXT, FLAG, IN, OUT, DIR, ENUM, SPEC, MODEL }

    private record Opt(String name, Kind kind, String... choices) { }

    private final List<String> findings = new ArrayList<>();
    private final int[] codes = new int[4];
    private String[] workingDirectory = Path.of("").toAbsolutePath().toFile().list();
    private Path tmp;
    private Path model;
    private Path imageDir;
    private Path classes;
    private Path captions;
    private Path labels;
    private Path index;
    private Path fifo;
    private int fresh;

    @Test
    void commandLinesKeepTheContract(@TempDir Path dir) throws Exception {
        tmp = dir;
        fixtures();
        int cases = Integer.getInteger("clip4j.clifuzz.cases", 60);
        Random rnd = new Random(Long.getLong("clip4j.clifuzz.seed", 20261208L));
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "cli-fuzz");
            t.setDaemon(true);
            return t;
        });
        List<String> commands = new ArrayList<>(GRAMMAR.keySet());
        commands.sort(null);
        String only = System.getProperty("clip4j.clifuzz.only");
        if (only != null) {
            commands.retainAll(List.of(only.split(",")));
        }
        if (Boolean.getBoolean("clip4j.clifuzz.sweep")) { // every path option of every command with every hostile path
            for (String cmd : commands) {
                for (Opt o : GRAMMAR.get(cmd)) {
                    if (o.kind == Kind.IN || o.kind == Kind.MODEL || o.kind == Kind.DIR || o.kind == Kind.OUT
                            || o.kind == Kind.SPEC) {
                        String[] values = o.kind == Kind.SPEC ? specs() : o.kind == Kind.OUT ? outs() : paths();
                        for (String value : values) {
                            List<String> args = new ArrayList<>(Arrays.asList(cmd.split(" ")));
                            for (Opt b : GRAMMAR.get(cmd)) {
                                if (BASE.get(cmd).contains(b.name) && !b.name.equals(o.name)) {
                                    args.add(b.name);
                                    if (b.kind != Kind.FLAG) {
                                        args.add(good(b));
                                    }
                                }
                            }
                            if (cmd.equals("tokenize")) {
                                args.add("a cat");
                            }
                            args.add(o.name);
                            args.add(value);
                            check(pool, args);
                        }
                    }
                }
            }
        }
        // Bounded in time as well as in cases (about 0.3 s a case on a loaded 2-core machine): the same seeded
        // sequence, cut where the budget ends.
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.getLong("clip4j.clifuzz.seconds", 12));
        for (int c = 0; c < cases && System.nanoTime() < end; c++) {
            String cmd = commands.get(rnd.nextInt(commands.size()));
            List<String> args = mutate(cmd, rnd);
            check(pool, args);
        }
        pool.shutdownNow();
        findings.forEach(System.out::println);
        // The lines must get past parsing and run, or the sample tests nothing but picocli.
        assertTrue(codes[0] > 5 && codes[1] > 5 && codes[2] > 5, Arrays.toString(codes) + " runs by exit code");
        assertTrue(findings.isEmpty(), findings.size() + " findings, first: " + (findings.isEmpty() ? "" : findings.get(0)));
    }

    private void check(ExecutorService pool, List<String> args) throws Exception {
        String line = String.join(" | ", args);
        Future<CliRunner> f = pool.submit(() -> CliRunner.run(args.toArray(String[]::new)));
        CliRunner r;
        try {
            r = f.get(LIMIT_S, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            // Opened for reading and writing, a FIFO wakes a command blocked on opening it (it then reads EOF or
            // writes into a closed pipe); a command that opens it again is woken again.
            r = null;
            for (int k = 0; k < 10 && r == null; k++) {
                new java.io.RandomAccessFile(fifo.toFile(), "rw").close();
                try {
                    r = f.get(1, TimeUnit.SECONDS);
                } catch (TimeoutException again) {
                    // not yet
                }
            }
            if (r == null) {
                findings.add("HANG " + line);
                f.cancel(true);
                return;
            }
            // Waiting for a pipe's other end is what a pipe is for (--out FIFO and --out=FIFO alike).
            if (args.stream().noneMatch(a -> a.contains(fifo.toString()))) {
                findings.add("HANG " + line);
            }
        }
        String[] err = r.err.isEmpty() ? new String[0] : r.err.split("\n");
        codes[Math.min(r.code, 3)]++;
        String why = null;
        String[] here = Path.of("").toAbsolutePath().toFile().list();
        if (here != null && here.length != workingDirectory.length) {
            why = "wrote into the working directory: " + Arrays.toString(here);
            workingDirectory = here;
        } else if (r.code != 0 && r.code != 1 && r.code != 2) {
            why = "exit " + r.code;
        } else if (r.err.contains("internal error") || r.err.contains("\tat ") || r.err.contains("Exception in")) {
            why = "trace";
        } else if (r.code == 2 && err.length != 1) {
            why = "usage error on " + err.length + " lines";
        } else if (r.err.replace("/dev/null", "").matches("(?s).*\\bnull\\b.*")) { // a missing message
            why = "null in the message";
        } else if (r.code != 0 && (err.length == 0 || !err[err.length - 1].startsWith("clip: "))) {
            why = "no 'clip: ' message";
        } else if (r.code != 2 && unparsable(args) != null) {
            why = "unparsable " + unparsable(args) + " gave exit " + r.code;
        }
        if (why != null) {
            findings.add(why + ": " + line + " -> " + r.code + " " + r.err.strip().replace("\n", " // ")
                    .substring(0, Math.min(400, r.err.strip().length())));
        }
        if (Boolean.getBoolean("clip4j.clifuzz.log")) {
            System.out.println(r.code + " " + line + " -> " + (r.code == 0 ? r.out.strip().replace("\n", " // ")
                    .substring(0, Math.min(200, r.out.strip().length())) : r.err.strip().replace("\n", " // ")));
        }
    }

    /** The first "option value" pair whose value is no number of the option's type. */
    private static String unparsable(List<String> args) {
        Map<String, Kind> kinds = new java.util.HashMap<>();
        GRAMMAR.values().forEach(os -> os.forEach(o -> kinds.putIfAbsent(o.name, o.kind)));
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            Kind k = kinds.get(name);
            if (k != Kind.INT && k != Kind.LONG && k != Kind.DOUBLE || name.equals("--k")) {
                continue;
            }
            String v = a.contains("=") ? a.substring(a.indexOf('=') + 1) : i + 1 < args.size() ? args.get(i + 1) : null;
            if (v == null || v.startsWith("--")) {
                return name + " without value";
            }
            try {
                if (k == Kind.INT) {
                    Integer.parseInt(v);
                } else if (k == Kind.LONG) {
                    Long.parseLong(v);
                } else {
                    Double.parseDouble(v);
                }
            } catch (NumberFormatException e) {
                return name + " " + v;
            }
        }
        return null;
    }

    private List<String> mutate(String cmd, Random rnd) throws IOException {
        List<Opt> opts = GRAMMAR.get(cmd);
        List<List<String>> parts = new ArrayList<>();
        for (Opt o : opts) {
            if (BASE.get(cmd).contains(o.name)) {
                parts.add(new ArrayList<>(o.kind == Kind.FLAG ? List.of(o.name) : List.of(o.name, good(o))));
            }
        }
        if (cmd.equals("tokenize")) {
            parts.add(new ArrayList<>(List.of(rnd.nextBoolean() ? "a cat" : pick(TEXT, rnd))));
        }
        for (int m = 1 + rnd.nextInt(3); m > 0; m--) {
            Opt o = opts.get(rnd.nextInt(opts.size()));
            int what = rnd.nextInt(12);
            List<String> p = new ArrayList<>();
            p.add(o.name);
            if (o.kind != Kind.FLAG && (what != 0 || rnd.nextBoolean())) {
                p.add(rnd.nextInt(4) == 0 ? good(o) : hostile(o, rnd));
            }
            if (what == 1 && p.size() == 2) {
                p = new ArrayList<>(List.of(o.name + "=" + p.get(1)));
            }
            if (what == 2) {
                parts.removeIf(x -> x.get(0).equals(o.name)); // drop it
                continue;
            }
            if (what <= 5) {
                parts.removeIf(x -> x.get(0).equals(o.name)); // replace it, else repeat it
            }
            parts.add(rnd.nextInt(parts.size() + 1), p);
        }
        List<String> args = new ArrayList<>(Arrays.asList(cmd.split(" ")));
        parts.forEach(args::addAll);
        return args;
    }

    private String good(Opt o) throws IOException {
        return switch (o.kind) {
            case MODEL -> model.toString();
            case IN -> o.name.equals("--index") ? index.toString() : o.name.equals("--labels-file")
                    ? labels.toString() : o.name.equals("--captions") ? captions.toString()
                    : imageDir.resolve("chelsea.png").toString();
            case DIR -> o.name.equals("--model-cache") ? tmp.toString() : imageDir.toString();
            case OUT -> tmp.resolve("out" + fresh++ + (o.name.equals("--out") ? ".npz" : ".npy")).toString();
            case SPEC -> o.name.equals("--data") ? captions.toString() : classes.toString();
            case TEXT -> "a cat";
            case ENUM -> o.choices[0];
            default -> o.choices.length > 0 ? o.choices[0] : "1";
        };
    }

    private String hostile(Opt o, Random rnd) throws IOException {
        return switch (o.kind) {
            case INT, LONG -> {
                String v = o.kind == Kind.LONG && rnd.nextInt(4) == 0 ? "9223372036854775808"
                        : rnd.nextBoolean() ? pick(SMALL, rnd) : pick(INT, rnd);
                // a valid huge count of rounds, seeds or steps is a long run, not an error
                yield v.equals("2147483647") && LONG_RUN.contains(o.name) ? "-1" : v;
            }
            case DOUBLE -> pick(DOUBLE, rnd);
            case TEXT -> pick(TEXT, rnd);
            case ENUM -> {
                String v = o.choices[rnd.nextInt(o.choices.length)];
                String form = pick(CASE, rnd);
                yield switch (form) {
                    case "lower" -> v.toLowerCase();
                    case "UPPER" -> v.toUpperCase();
                    case "Mixed" -> v.substring(0, 1).toUpperCase() + v.substring(1).toLowerCase();
                    case "bogus" -> v + "x";
                    default -> form;
                };
            }
            case SPEC -> pick(specs(), rnd);
            case OUT -> pick(outs(), rnd);
            default -> pick(paths(), rnd);
        };
    }

    private String[] specs() {
        return new String[]{"folder:" + classes, "idx:" + labels + "," + labels + ",mnist",
                "folder:", "idx:", captions.toString(), "/dev/zero", fifo.toString(), tmp.resolve("nope").toString(),
                "", " ", imageDir.toString(), "paths:" + labels, "captions:" + captions};
    }

    /** Hostile outputs: none is a fixture that later runs read, none is relative (the test's folder). */
    private String[] outs() {
        return new String[]{"", "/dev/null", "/dev/zero", fifo.toString(), tmp.resolve("full").toString(),
            tmp.resolve("new").toString(), tmp.resolve("no/dir/x.npy").toString(), tmp.resolve("victim.png").toString(),
            tmp.resolve("\u00e9 \u4e2d.npy").toString()};
    }

    private String[] paths() {
        return new String[]{"", " ", "=", "/dev/null", "/dev/zero", fifo.toString(), tmp.toString(),
                tmp.resolve("nope").toString(), tmp.resolve("no/dir/x.npy").toString(), labels.toString(),
                imageDir.resolve("chelsea.png").toString(), tmp.resolve("empty.png").toString(),
                tmp.resolve("\u00e9 \u4e2d.png").toString(), "-", model.toString(), index.toString()};
    }

    private static String pick(String[] from, Random rnd) {
        return from[rnd.nextInt(from.length)];
    }

    private void fixtures() throws Exception {
        model = Files.copy(DATA.resolve("models/tiny-vit/model.pt"), tmp.resolve("model.pt"));
        imageDir = Files.createDirectories(tmp.resolve("images"));
        for (String f : new String[]{"chelsea.png", "tiny_1x1.png", "tiny_7x5.png"}) {
            Files.copy(IMAGES.resolve(f), imageDir.resolve(f));
        }
        Files.write(tmp.resolve("empty.png"), new byte[0]);
        Files.copy(IMAGES.resolve("tiny_1x1.png"), tmp.resolve("victim.png"));
        Files.writeString(Files.createDirectories(tmp.resolve("full")).resolve("notes.txt"), "keep\n");
        classes = tmp.resolve("classes");
        for (String[] cf : new String[][]{{"cat", "chelsea.png"}, {"cat", "gray_L.png"}, {"dog", "tiny_7x5.png"},
            {"dog", "coffee.png"}}) {
            Files.createDirectories(classes.resolve(cf[0]));
            Files.copy(IMAGES.resolve(cf[1]), classes.resolve(cf[0]).resolve(cf[1]));
        }
        captions = Files.writeString(tmp.resolve("captions.csv"), "path,caption\n"
                + "images/chelsea.png,a cat\nimages/tiny_7x5.png,a dot\nimages/tiny_1x1.png,a pixel\n",
                StandardCharsets.UTF_8);
        labels = Files.writeString(tmp.resolve("labels.txt"), "cat\ndog\n");
        index = tmp.resolve("index.npz");
        CliRunner r = CliRunner.run("index", "--model", model.toString(), "--images", imageDir.toString(), "--out",
                index.toString(), "--no-progress");
        assertTrue(Files.exists(index), r.err);
        fifo = tmp.resolve("fifo");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertTrue(p.waitFor() == 0);
    }

    private static final List<String> LONG_RUN = List.of("--rounds", "--seeds", "--steps", "--max-iter");

    private static List<Opt> modelOpts(boolean images) {
        List<Opt> l = new ArrayList<>(List.of(new Opt("--model", Kind.MODEL), new Opt("--model-cache", Kind.DIR),
                new Opt("--offline", Kind.FLAG), new Opt("--device", Kind.ENUM, "cpu", "cuda", "cuda:-1",
                        "cuda:99999999999", "gpu", "cuda:"),
                new Opt("--precision", Kind.ENUM, "FLOAT32", "FLOAT16", "BFLOAT16"),
                new Opt("--threads", Kind.INT), new Opt("--activation", Kind.ENUM, "QUICK_GELU", "GELU")));
        if (images) {
            l.add(new Opt("--image-pipeline", Kind.ENUM, "AUTO", "JAVA", "KERNELS"));
            l.add(new Opt("--apply-exif", Kind.FLAG));
        }
        return l;
    }

    private static List<Opt> with(List<Opt> base, Opt... more) {
        List<Opt> l = new ArrayList<>(base);
        l.addAll(List.of(more));
        return l;
    }

    private static final Map<String, List<Opt>> GRAMMAR = Map.ofEntries(
            Map.entry("tokenize", List.of(new Opt("--context-length", Kind.INT), new Opt("--strict", Kind.FLAG),
                    new Opt("--vocab", Kind.IN))),
            Map.entry("preprocess", List.of(new Opt("--image", Kind.IN), new Opt("--size", Kind.INT),
                    new Opt("--out", Kind.OUT), new Opt("--uint8-out", Kind.OUT), new Opt("--apply-exif", Kind.FLAG))),
            Map.entry("zero-shot", with(modelOpts(true), new Opt("--image", Kind.DIR), new Opt("--label", Kind.TEXT),
                    new Opt("--labels-file", Kind.IN), new Opt("--template", Kind.TEXT),
                    new Opt("--templates", Kind.ENUM, "imagenet80"), new Opt("--top-k", Kind.INT),
                    new Opt("--json", Kind.FLAG))),
            Map.entry("embed", with(modelOpts(true), new Opt("--image", Kind.IN), new Opt("--text", Kind.TEXT),
                    new Opt("--normalize", Kind.FLAG), new Opt("--json", Kind.FLAG))),
            Map.entry("index", with(modelOpts(true), new Opt("--images", Kind.DIR), new Opt("--out", Kind.OUT),
                    new Opt("--update", Kind.FLAG), new Opt("--batch", Kind.INT), new Opt("--no-progress", Kind.FLAG))),
            Map.entry("search", with(modelOpts(true), new Opt("--index", Kind.IN), new Opt("--text", Kind.TEXT),
                    new Opt("--image", Kind.IN), new Opt("--top-k", Kind.INT), new Opt("--json", Kind.FLAG))),
            Map.entry("info", with(modelOpts(false), new Opt("--json", Kind.FLAG))),
            Map.entry("bench", with(modelOpts(true), new Opt("--images", Kind.DIR), new Opt("--batch", Kind.INT),
                    new Opt("--rounds", Kind.INT))),
            Map.entry("eval zero-shot", with(modelOpts(true), new Opt("--test", Kind.SPEC), new Opt("--batch", Kind.INT),
                    new Opt("--json", Kind.FLAG), new Opt("--template", Kind.TEXT),
                    new Opt("--templates", Kind.ENUM, "imagenet80"))),
            Map.entry("eval linear-probe", with(modelOpts(true), new Opt("--train", Kind.SPEC),
                    new Opt("--test", Kind.SPEC), new Opt("--val", Kind.SPEC), new Opt("--batch", Kind.INT),
                    new Opt("--max-iter", Kind.INT, "5"), new Opt("--train-limit", Kind.INT),
                    new Opt("--val-fraction", Kind.DOUBLE, "0.5"), new Opt("--seed", Kind.LONG),
                    new Opt("--C", Kind.DOUBLE), new Opt("--tol", Kind.DOUBLE),
                    new Opt("--stopping", Kind.ENUM, "SKLEARN_BEFORE_1_4", "SKLEARN_1_4"),
                    new Opt("--normalize", Kind.FLAG), new Opt("--json", Kind.FLAG))),
            Map.entry("eval few-shot", with(modelOpts(true), new Opt("--train", Kind.SPEC), new Opt("--test", Kind.SPEC),
                    new Opt("--batch", Kind.INT), new Opt("--max-iter", Kind.INT, "5"), new Opt("--k", Kind.INT),
                    new Opt("--seeds", Kind.INT), new Opt("--C", Kind.DOUBLE), new Opt("--train-limit", Kind.INT),
                    new Opt("--no-zero-shot", Kind.FLAG), new Opt("--json", Kind.FLAG))),
            Map.entry("eval retrieval", with(modelOpts(true), new Opt("--captions", Kind.IN),
                    new Opt("--batch", Kind.INT), new Opt("--json", Kind.FLAG))),
            Map.entry("train", List.of(new Opt("--data", Kind.SPEC), new Opt("--steps", Kind.LONG, "1"),
                    new Opt("--batch", Kind.INT, "2"), new Opt("--out", Kind.OUT), new Opt("--no-progress", Kind.FLAG),
                    new Opt("--lr", Kind.DOUBLE), new Opt("--wd", Kind.DOUBLE), new Opt("--warmup", Kind.LONG),
                    new Opt("--grad-clip", Kind.DOUBLE), new Opt("--seed", Kind.LONG),
                    new Opt("--augment", Kind.DOUBLE), new Opt("--precision", Kind.ENUM, "fp32", "fp16"),
                    new Opt("--eval", Kind.SPEC), new Opt("--eval-limit", Kind.INT),
                    new Opt("--checkpoint-every", Kind.LONG), new Opt("--template", Kind.TEXT),
                    new Opt("--freeze-image", Kind.FLAG), new Opt("--freeze-text", Kind.FLAG),
                    new Opt("--init", Kind.MODEL), new Opt("--threads", Kind.INT, "1"))));

    private static final Map<String, List<String>> BASE = Map.ofEntries(
            Map.entry("tokenize", List.of()),
            Map.entry("preprocess", List.of("--image", "--out")),
            Map.entry("zero-shot", List.of("--model", "--image", "--label", "--threads")),
            Map.entry("embed", List.of("--model", "--image", "--text", "--threads")),
            Map.entry("index", List.of("--model", "--images", "--out", "--no-progress", "--threads")),
            Map.entry("search", List.of("--model", "--index", "--text", "--threads")),
            Map.entry("info", List.of("--model")),
            Map.entry("bench", List.of("--model", "--images", "--batch", "--rounds", "--threads")),
            Map.entry("eval zero-shot", List.of("--model", "--test", "--threads")),
            Map.entry("eval linear-probe", List.of("--model", "--train", "--test", "--max-iter", "--val-fraction",
                    "--threads")),
            Map.entry("eval few-shot", List.of("--model", "--train", "--test", "--max-iter", "--k", "--seeds", "--threads")),
            Map.entry("eval retrieval", List.of("--model", "--captions", "--threads")),
            Map.entry("train", List.of("--data", "--steps", "--batch", "--out", "--no-progress", "--threads")));
}
