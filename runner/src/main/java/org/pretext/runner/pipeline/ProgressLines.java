package org.pretext.runner.pipeline;

import java.io.PrintStream;
import java.util.function.Consumer;

/**
 * Shows a long phase's progress lines as the training bar does: redrawn in place on a terminal,
 * else at most one line every few seconds (so a log of a short phase stays quiet).
 */
final class ProgressLines implements Consumer<String> {
    private final PrintStream out;
    private final boolean terminal;
    private final double everySeconds;
    private final String prefix;
    private long lastPrinted = System.nanoTime();
    private int width;

    private ProgressLines(PrintStream out, boolean terminal, double everySeconds, String prefix) {
        this.out = out;
        this.terminal = terminal;
        this.everySeconds = everySeconds;
        this.prefix = prefix;
    }

    /** Progress on standard error: redrawn on a terminal, else a line at most every 10 s. */
    static ProgressLines stderr(String prefix) {
        return new ProgressLines(System.err, System.console() != null, 10, prefix);
    }

    @Override
    public synchronized void accept(String line) {
        String text = prefix + line;
        if (terminal) {
            out.print("\r" + text + " ".repeat(Math.max(0, width - text.length())));
            width = text.length();
            out.flush();
        } else if ((System.nanoTime() - lastPrinted) / 1e9 >= everySeconds) {
            lastPrinted = System.nanoTime();
            out.println(text);
        }
    }

    /**
     * Progress of a feature extraction, e.g. "extracting pretrained features (train): 1024 of 60000
     * examples, 2.1 s, about 120 s left".
     */
    static org.pretext.encoder.Features.Progress extraction(String what) {
        return examples("extracting " + what + ": ");
    }

    /**
     * Progress counted in examples after {@code prefix}: done of total, seconds so far and the time
     * left; the line ends when the work is done.
     */
    static org.pretext.encoder.Features.Progress examples(String prefix) {
        ProgressLines lines = stderr(prefix);
        long t0 = System.nanoTime();
        return (done, total) -> {
            double s = (System.nanoTime() - t0) / 1e9;
            lines.accept(String.format(java.util.Locale.ROOT, "%d of %d examples, %.1f s%s", done, total, s,
                    done < total && done > 0 ? String.format(java.util.Locale.ROOT, ", about %.0f s left",
                            s / done * (total - done)) : ""));
            if (done >= total) {
                lines.finish();
            }
        };
    }

    /** Ends a redrawn line so the next output starts on its own line. */
    synchronized void finish() {
        if (terminal && width > 0) {
            out.println();
            width = 0;
        }
    }
}
