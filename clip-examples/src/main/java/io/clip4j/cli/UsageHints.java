package io.clip4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What picocli's one-line usage errors leave out: the commands to choose from, the near miss of a typo. */
final class UsageHints {
    /** ClipCli's cut of picocli's message for an unknown option after a multi-value option. */
    private static final Pattern UNKNOWN_OPTION = Pattern.compile("Unknown option: '(-[^']*)'");

    /** picocli's message for an option of an exclusive group given twice: the group's synopsis, twice, then a value. */
    private static final Pattern GROUP_TWICE = Pattern.compile("expected only one match but got .*?\\{(--?[^={}]+)=");

    /** An option name in picocli's synopsis of a group: {@code --labels-file=FILE}. */
    private static final Pattern OPTION_NAME = Pattern.compile("(--[A-Za-z0-9][-A-Za-z0-9]*)=");

    private UsageHints() {
    }

    /**
     * @param ex  a usage error
     * @param msg its message, as it will be printed
     * @return the message with the subcommands to choose from, with "did you mean" for a near miss, or an option
     *         group's error (none of it given, one of it given twice) in the options' names rather than picocli's
     *         synopsis of the group
     */
    static String message(ParameterException ex, String msg) {
        CommandLine cmd = ex.getCommandLine();
        if (msg.startsWith("Missing required subcommand") && !cmd.getSubcommands().isEmpty()) {
            return missingSubcommand(cmd);
        }
        if (msg.startsWith("Missing required argument (specify one of these): ")) {
            // "(--label=TEXT... [--label=TEXT...]... | --labels-file=FILE)": the group's synopsis, names repeated
            java.util.Set<String> names = new java.util.LinkedHashSet<>();
            Matcher m = OPTION_NAME.matcher(msg);
            while (m.find()) {
                names.add(m.group(1));
            }
            if (names.size() > 1) {
                List<String> list = new ArrayList<>(names);
                String last = list.remove(list.size() - 1);
                return "Missing required option: give " + String.join(", ", list) + " or " + last;
            }
        }
        Matcher twice = GROUP_TWICE.matcher(msg);
        if (twice.lookingAt()) { // "--labels-file a --labels-file b" was "expected only one match but got (--label..."
            return "option '" + twice.group(1) + "' should be specified only once";
        }
        if (ex instanceof UnmatchedArgumentException u) {
            List<String> unmatched = u.getUnmatched();
            if (!cmd.getSubcommands().isEmpty() && !unmatched.isEmpty() && !unmatched.get(0).startsWith("-")) {
                String typo = unmatched.get(0);
                return "unknown command '" + typo + "'" + hint(typo, cmd.getSubcommands().keySet());
            }
            List<String> options = new ArrayList<>();
            for (String a : unmatched) {
                if (a.startsWith("-")) {
                    options.add(a);
                }
            }
            if (!options.isEmpty()) {
                if (msg.startsWith("Unknown option")) {
                    // picocli lists the values after an unknown option as unknown options too ("'--lable', 'cat'").
                    msg = (options.size() == 1 ? "Unknown option: '" : "Unknown options: '")
                            + String.join("', '", options) + "'";
                }
                return msg + optionHint(options.get(0), cmd);
            }
        }
        // An unknown option after a multi-value one ("--label cat --lable dog") comes without the unmatched list;
        // ClipCli has cut picocli's message to "Unknown option: '--lable'".
        Matcher m = UNKNOWN_OPTION.matcher(msg);
        if (m.matches()) {
            return msg + optionHint(m.group(1), cmd);
        }
        return msg;
    }

    private static String optionHint(String option, CommandLine cmd) {
        int eq = option.indexOf('=');
        return hint(eq > 0 ? option.substring(0, eq) : option, cmd.getCommandSpec().optionsMap().keySet());
    }

    /**
     * The near miss of a typo, by edit distance (insertions, deletions, substitutions and swaps of neighbours):
     * picocli's own suggestions are whatever shares letter pairs, so "frob" got "did you mean zero-shot?" and
     * "--imag" "--image-pipeline", while an option after a multi-value one got none at all.
     *
     * @param typo       what was typed
     * @param candidates the command or option names (short options such as {@code -h} are never suggested)
     * @return {@code "; did you mean X?"} for the closest name within 1 edit (2 for a typo of more than 4
     *         letters besides leading dashes), else {@code ""}
     */
    static String hint(String typo, Collection<String> candidates) {
        int letters = typo.replaceFirst("^-+", "").length();
        int best = letters > 4 ? 2 : 1;
        String near = null;
        for (String c : candidates) {
            if (c.startsWith("-") && !c.startsWith("--")) {
                continue;
            }
            int d = distance(typo, c);
            if (d <= best && (near == null || d < best)) {
                best = d;
                near = c;
            }
        }
        return near == null ? "" : "; did you mean " + near + "?";
    }

    /**
     * Optimal string alignment distance (Levenshtein plus swaps of two neighbouring characters). Not commons-text's
     * LevenshteinDistance: it counts a swap ("--lable") as two edits, and swaps are the commonest typo.
     */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /**
     * @param cmd a command that has subcommands
     * @return {@code "missing subcommand: a, b or c"}
     */
    static String missingSubcommand(CommandLine cmd) {
        List<String> names = new ArrayList<>(cmd.getSubcommands().keySet());
        String last = names.remove(names.size() - 1);
        return "missing subcommand: " + (names.isEmpty() ? last : String.join(", ", names) + " or " + last);
    }
}
