package org.pretext.runner.report;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The fine-tuning stage's results in {@code report.json}: one entry per method and label budget,
 * every method judged on the same seeded, stratified draws of labels.
 *
 * @param source what was fine-tuned (a run folder and step, or an exported encoder's file)
 * @param settings the resolved {@code finetune:} section
 * @param entries one per method and budget
 * @param seconds wall time of the stage
 * @param sensitivities the distribution of the fine-tuned encoders' parameter sensitivities, per
 *     method and budget (absent from reports written before it existed)
 */
public record FinetuneReport(String source, Map<String, Object> settings, List<Entry> entries, double seconds,
        List<SensitivityEntry> sensitivities) {
    /** The pretrained encoder and a new head, trained end to end. */
    public static final String PRETRAINED = "fine-tuned (pretrained)";
    /** The same architecture from its random initialisation, trained the same way on the same labels. */
    public static final String RANDOM = "fine-tuned (random init)";
    /** The pretrained encoder fine-tuned with NoisyTune's uniform noise. */
    public static final String PRETRAINED_UNIFORM = "fine-tuned (pretrained, NoisyTune)";
    /** The pretrained encoder fine-tuned with PATS's sensitivity-aware noise. */
    public static final String PRETRAINED_PATS = "fine-tuned (pretrained, PATS)";

    /** The method name of the pretrained encoder fine-tuned with a noise: {@code none}, {@code uniform} or {@code pats}. */
    public static String pretrained(String noise) {
        return switch (noise) {
            case "uniform" -> PRETRAINED_UNIFORM;
            case "pats" -> PRETRAINED_PATS;
            default -> PRETRAINED;
        };
    }

    /**
     * The sensitivities |θ·∂L/∂θ| of the encoders one method fine-tuned at one budget (PATS's second
     * finding: better models have more concentrated distributions).
     *
     * @param method the method
     * @param label the budget for people
     * @param cv each draw's coefficient of variation std/mean of the sensitivities
     * @param median each draw's median sensitivity
     * @param log10Edges histogram bin edges, log10 of the sensitivity
     * @param fractions share of the parameters (non-zero sensitivities, all draws together) per bin
     * @param zeroFraction share of the parameters with sensitivity 0
     */
    public record SensitivityEntry(String method, String label, double[] cv, double[] median, double[] log10Edges,
            double[] fractions, double zeroFraction) {
        /** Pooled over draws. */
        public static SensitivityEntry of(String method, String label, List<org.pretext.finetune.Sensitivities> draws) {
            double[] cv = new double[draws.size()];
            double[] median = new double[draws.size()];
            double[] counts = new double[draws.get(0).counts().length];
            double total = 0;
            double zeros = 0;
            for (int d = 0; d < draws.size(); d++) {
                var s = draws.get(d);
                cv[d] = s.cv();
                median[d] = s.median();
                for (int i = 0; i < counts.length; i++) {
                    counts[i] += s.counts()[i];
                }
                total += s.count();
                zeros += s.zeros();
            }
            for (int i = 0; i < counts.length; i++) {
                counts[i] /= total;
            }
            return new SensitivityEntry(method, label, cv, median, draws.get(0).log10Edges(), counts, zeros / total);
        }
    }

    /** The logistic probe of the frozen pretrained features on the same labels. */
    public static final String LINEAR_PROBE = "linear probe (frozen pretrained)";

    /**
     * One method at one budget.
     *
     * @param method {@link #PRETRAINED}, {@link #RANDOM} or {@link #LINEAR_PROBE}
     * @param budget the budget as the config gives it ({@code 0.01}, {@code 10}, {@code all})
     * @param label the budget for people ({@code 1%}, {@code 10 per class}, {@code all labels})
     * @param labelled labelled training rows of a draw (held-out rows for early stopping included)
     * @param accuracy mean test accuracy over draws
     * @param accuracyStd sample standard deviation over draws (NaN for one draw)
     * @param accuracies each draw's test accuracy
     * @param seeds each draw's seed
     * @param epochs epochs each draw trained (empty for the probe)
     * @param bestEpochs the epoch whose weights each draw kept (empty for the probe)
     */
    public record Entry(String method, String budget, String label, int labelled, double accuracy, double accuracyStd,
            double[] accuracies, long[] seeds, int[] epochs, int[] bestEpochs) {}

    /** The entries as a table: one row per method, one column per budget. */
    public void print(PrintStream out) {
        List<String> budgets = new ArrayList<>();
        Map<String, Map<String, Entry>> rows = new LinkedHashMap<>();
        for (Entry e : entries) {
            if (!budgets.contains(e.label())) {
                budgets.add(e.label());
            }
            rows.computeIfAbsent(e.method(), k -> new LinkedHashMap<>()).put(e.label(), e);
        }
        String first = "%-34s";
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, first, "fine-tuning, test accuracy (%)"));
        for (String b : budgets) {
            head.append(String.format(Locale.ROOT, "%18s", b));
        }
        out.println(head);
        for (Map.Entry<String, Map<String, Entry>> row : rows.entrySet()) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, first, row.getKey()));
            for (String b : budgets) {
                line.append(String.format(Locale.ROOT, "%18s", cell(row.getValue().get(b))));
            }
            out.println(line);
        }
        if (!precisionNote().isEmpty()) {
            out.println(precisionNote());
        }
        if (sensitivities != null && !sensitivities.isEmpty()) {
            out.println("sensitivities |theta * dL/dtheta| of the fine-tuned encoders (std/mean over parameters,"
                    + " lower: more concentrated; median):");
            for (SensitivityEntry e : sensitivities) {
                out.println(String.format(Locale.ROOT, "  %-34s %-14s cv %s, median %s", e.method(), e.label(),
                        meanSd(e.cv(), "%.2f"), meanSd(e.median(), "%.2e")));
            }
        }
    }

    /**
     * A sentence saying the training steps ran in mixed precision ({@code finetune.precision}), or
     * empty for float32 (and for reports written before the setting existed).
     */
    public String precisionNote() {
        Object p = settings == null ? null : settings.get("precision");
        return p == null || p.toString().equals("float32") ? ""
                : "Fine-tuning steps ran the encoder in " + p + " mixed precision (finetune.precision).";
    }

    /** Mean ± sd of several values, or the one value. */
    public static String meanSd(double[] v, String format) {
        double m = java.util.Arrays.stream(v).average().orElse(Double.NaN);
        if (v.length < 2) {
            return String.format(Locale.ROOT, format, m);
        }
        double ss = 0;
        for (double x : v) {
            ss += (x - m) * (x - m);
        }
        return String.format(Locale.ROOT, format + " ± " + format, m, Math.sqrt(ss / (v.length - 1)));
    }

    /** {@code 91.20 ± 0.85} over several draws, {@code 91.20} for one, {@code -} when missing. */
    static String cell(Entry e) {
        if (e == null) {
            return "-";
        }
        return e.accuracies().length > 1 ? String.format(Locale.ROOT, "%.2f ± %.2f", 100 * e.accuracy(),
                100 * e.accuracyStd()) : String.format(Locale.ROOT, "%.2f", 100 * e.accuracy());
    }
}
