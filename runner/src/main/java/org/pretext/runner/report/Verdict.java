package org.pretext.runner.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.pretext.probe.ProbeResult;

/**
 * Did pretraining help? Each probe of the pretrained features against the same probe of the same
 * encoder untrained ({@code random-encoder}) at the same budget: the two were fitted on the same
 * labelled rows in every draw (the draws' seeds are shared), so the margin is tested paired.
 */
public final class Verdict {
    /** |t| at or above this on the paired draws counts as a clear difference (p < 0.05 for 4+ draws, two-sided). */
    static final double CLEAR_T = 3.0;

    private Verdict() {}

    /**
     * One comparison.
     *
     * @param features the pretrained feature set ("pretrained", or "pretrained/mean" for text)
     * @param probe the probe
     * @param labelsPerClass the budget, null for all labels
     * @param margin mean per-draw accuracy difference, in percentage points
     * @param sd sample standard deviation of the per-draw differences (NaN for one draw)
     * @param draws paired draws
     * @param pairedT margin / (sd / √draws), or NaN for one draw or identical differences
     */
    public record Comparison(String features, String probe, Integer labelsPerClass, double margin, double sd,
            int draws, double pairedT) {
        /** "+24.9 points (paired t = 18.2 over 5 draws)". */
        public String describe() {
            String m = String.format(Locale.ROOT, "%+.1f points", margin);
            return draws > 1 && Double.isFinite(pairedT)
                    ? m + String.format(Locale.ROOT, " (paired t = %.1f over %d draws)", pairedT, draws)
                    : m + (draws > 1 ? " (the same in every draw)" : " (one draw, no paired test)");
        }

        /** The budget in words. */
        public String budget() {
            return labelsPerClass == null ? "all labels" : labelsPerClass + " labels per class";
        }
    }

    /** Every pretrained-against-untrained pair of the results whose draws match. */
    public static List<Comparison> comparisons(List<ProbeResult> results) {
        List<Comparison> out = new ArrayList<>();
        if (results == null) {
            return out;
        }
        for (ProbeResult p : results) {
            if (!p.features().startsWith("pretrained")) {
                continue;
            }
            String baseline = "random-encoder" + p.features().substring("pretrained".length());
            for (ProbeResult b : results) {
                if (b.features().equals(baseline) && b.probe().equals(p.probe())
                        && java.util.Objects.equals(b.labelsPerClass(), p.labelsPerClass())
                        && Arrays.equals(b.drawSeeds(), p.drawSeeds())) {
                    out.add(compare(p, b));
                }
            }
        }
        return out;
    }

    private static Comparison compare(ProbeResult p, ProbeResult b) {
        int n = p.drawAccuracies().length;
        double[] d = new double[n];
        double mean = 0;
        for (int i = 0; i < n; i++) {
            d[i] = 100 * (p.drawAccuracies()[i] - b.drawAccuracies()[i]);
            mean += d[i] / n;
        }
        double ss = 0;
        for (double x : d) {
            ss += (x - mean) * (x - mean);
        }
        double sd = n > 1 ? Math.sqrt(ss / (n - 1)) : Double.NaN;
        double t = n > 1 && sd > 0 ? mean / (sd / Math.sqrt(n)) : Double.NaN;
        return new Comparison(p.features(), p.probe(), p.labelsPerClass(), mean, sd, n, t);
    }

    /**
     * The one-line answer, from the comparison that says most: the logistic probe if there is one,
     * at the smallest budget with several draws (the label-scarce regime SSL is judged in).
     */
    public static Optional<String> line(List<ProbeResult> results) {
        List<Comparison> all = comparisons(results);
        Optional<Comparison> best = all.stream().sorted((a, b) -> {
            int logistic = Boolean.compare(!a.probe().equals("logistic"), !b.probe().equals("logistic"));
            if (logistic != 0) {
                return logistic;
            }
            int paired = Boolean.compare(a.draws() < 2, b.draws() < 2);
            if (paired != 0) {
                return paired;
            }
            int text = Boolean.compare(a.features().contains("/"), b.features().contains("/"));
            if (text != 0) {
                return text;
            }
            return Integer.compare(a.labelsPerClass() == null ? Integer.MAX_VALUE : a.labelsPerClass(),
                    b.labelsPerClass() == null ? Integer.MAX_VALUE : b.labelsPerClass());
        }).findFirst();
        return best.map(c -> {
            boolean paired = c.draws() > 1 && Double.isFinite(c.pairedT());
            String answer = !paired ? (c.margin() > 0 ? "Pretraining looks helpful" : c.margin() < 0
                    ? "Pretraining looks harmful" : "Pretraining made no difference")
                    : c.pairedT() >= CLEAR_T ? "Pretraining helped"
                    : c.pairedT() <= -CLEAR_T ? "Pretraining hurt" : "No clear difference from pretraining";
            return answer + ": " + c.features() + " features against the same encoder untrained, " + c.probe()
                    + " probe at " + c.budget() + ": " + c.describe() + ".";
        });
    }
}
