package io.clip4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

import java.util.ArrayList;
import java.util.List;

/** What picocli's one-line usage errors leave out: the commands to choose from, the near miss of a typo. */
final class UsageHints {
    private UsageHints() {
    }

    /**
     * @param ex  a usage error
     * @param msg its message, as it will be printed
     * @return the message with the subcommands to choose from, or with "did you mean" for a near miss
     */
    static String message(ParameterException ex, String msg) {
        CommandLine cmd = ex.getCommandLine();
        if (msg.startsWith("Missing required subcommand") && !cmd.getSubcommands().isEmpty()) {
            return missingSubcommand(cmd);
        }
        if (ex instanceof UnmatchedArgumentException u) {
            List<String> unmatched = u.getUnmatched();
            // picocli lists every subcommand it finds similar, best first; one is a hint, three a riddle.
            String hint = u.getSuggestions().isEmpty() ? "" : "; did you mean " + u.getSuggestions().get(0) + "?";
            if (!cmd.getSubcommands().isEmpty() && !unmatched.isEmpty() && !unmatched.get(0).startsWith("-")) {
                return "unknown command '" + unmatched.get(0) + "'" + hint;
            }
            return msg + hint;
        }
        return msg;
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
