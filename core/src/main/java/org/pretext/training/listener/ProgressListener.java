package org.pretext.training.listener;

import org.pretext.training.StepMetrics;
import org.pretext.training.TrainingListener;
import java.io.PrintStream;
import java.util.Locale;
import org.pretext.training.PretrainResult;

/**
 * Shows progress: a single redrawn bar with loss, throughput and ETA on a terminal, plain log
 * lines at a steady pace when output is redirected.
 */
public final class ProgressListener implements TrainingListener {
    private final PrintStream out;
    private final boolean terminal;
    private final double plainEverySeconds;
    private double lastPrinted = -1e9;

    /** Progress on standard error: a bar on a terminal, else a line every 10 seconds. */
    public ProgressListener() {
        this(System.err, System.console() != null, 10);
    }

    public ProgressListener(PrintStream out, boolean terminal, double plainEverySeconds) {
        this.out = out;
        this.terminal = terminal;
        this.plainEverySeconds = plainEverySeconds;
    }

    @Override
    public void onStart(long startStep, long totalSteps) {
        out.printf(Locale.ROOT, "pretraining: %d steps%s%n", totalSteps,
                startStep > 0 ? " (resuming at step " + startStep + ")" : "");
    }

    @Override
    public void onStep(StepMetrics m) {
        boolean last = m.step() == m.totalSteps();
        if (terminal) {
            int width = 30;
            int filled = (int) (width * m.step() / Math.max(1, m.totalSteps()));
            out.printf(Locale.ROOT, "\r[%s%s] %d/%d loss %.4f  %.0f samples/s  eta %s   ",
                    "=".repeat(filled), " ".repeat(width - filled), m.step(), m.totalSteps(), m.meanLoss(),
                    m.samplesPerSecond(), duration(m.etaSeconds()));
            if (last) {
                out.println();
            }
            out.flush();
        } else if (last || m.elapsedSeconds() - lastPrinted >= plainEverySeconds) {
            lastPrinted = m.elapsedSeconds();
            out.printf(Locale.ROOT, "step %d/%d  epoch %d  loss %.4f  lr %.2e  %.0f samples/s  elapsed %s  eta %s%n",
                    m.step(), m.totalSteps(), m.epoch(), m.meanLoss(), m.learningRate(), m.samplesPerSecond(),
                    duration(m.elapsedSeconds()), duration(m.etaSeconds()));
        }
    }

    @Override
    public void onEnd(PretrainResult r) {
        out.printf(Locale.ROOT, "pretraining done: %d steps in %.1f s, final loss %.4f%n", r.steps(), r.seconds(),
                r.finalLoss());
        if (r.phaseSeconds() != null && !r.phaseSeconds().isEmpty()) {
            out.println("step time: " + org.pretext.training.StepPhases.describe(r.phaseSeconds()));
        }
    }

    static String duration(double seconds) {
        if (!Double.isFinite(seconds)) {
            return "?";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s / 60) % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
