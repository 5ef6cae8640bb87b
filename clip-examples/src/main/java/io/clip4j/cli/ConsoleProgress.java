package io.clip4j.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** The CLI's one progress-bar look: ASCII on stderr, redrawn twice a second (stdout stays for results). */
final class ConsoleProgress {
    private ConsoleProgress() {
    }

    /**
     * Whether to draw a bar: not when asked not to, nor when the console is not interactive (a bar's redrawn frames
     * would fill a log file or a pipe).
     *
     * @param noProgress the command's --no-progress
     * @return true to draw one
     */
    static boolean shown(boolean noProgress) {
        return !noProgress && System.console() != null;
    }

    /**
     * The CLI's bar builder.
     *
     * @param task the bar's label
     * @return a builder with the CLI's style; the caller sets the maximum or unit and builds it
     */
    static ProgressBarBuilder builder(String task) {
        return new ProgressBarBuilder().setTaskName(task).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500)
                .setConsumer(new ConsoleProgressBarConsumer(System.err));
    }
}
