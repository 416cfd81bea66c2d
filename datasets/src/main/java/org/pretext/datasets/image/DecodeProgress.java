package org.pretext.datasets.image;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of decoding an image folder: a line at most every {@code everySeconds} (none for a part
 * decoded sooner), e.g. "decoding images (train): 4096 of 50000 files, 12.3 s, about 138 s left".
 */
final class DecodeProgress {
    private final PrintStream out;
    private final String role;
    private final int total;
    private final double everySeconds;
    private final LongSupplier nanoTime;
    private final long start;
    private long last;

    DecodeProgress(PrintStream out, String role, int total, double everySeconds, LongSupplier nanoTime) {
        this.out = out;
        this.role = role;
        this.total = total;
        this.everySeconds = everySeconds;
        this.nanoTime = nanoTime;
        this.start = nanoTime.getAsLong();
        this.last = start;
    }

    /** On standard error, every 10 s. */
    static DecodeProgress stderr(String role, int total) {
        return new DecodeProgress(System.err, role, total, 10, System::nanoTime);
    }

    /** Reports {@code done} files decoded (or skipped) so far. */
    void update(int done) {
        long now = nanoTime.getAsLong();
        if ((now - last) / 1e9 < everySeconds) {
            return;
        }
        last = now;
        double s = (now - start) / 1e9;
        out.println(String.format(Locale.ROOT, "decoding images (%s): %d of %d files, %.1f s%s", role, done, total, s,
                done > 0 && done < total ? String.format(Locale.ROOT, ", about %.0f s left", s / done * (total - done))
                        : ""));
    }
}
