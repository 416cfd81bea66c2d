package org.pretext.runner.report;

import org.pretext.probe.ProbeResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code report.html}: the run's results for people, with the plots beside it in {@code plots/}. */
public final class HtmlReport {
    private HtmlReport() {}

    /**
     * Writes the page.
     *
     * @param plots file names (relative to the page) of the PNGs to show, with captions
     */
    public static void write(RunReport r, Map<String, String> plots, Path file) throws IOException {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Pretext run: ")
                .append(esc(r.objective())).append(" on ").append(esc(r.dataset())).append("</title>\n<style>")
                .append("body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1000px;color:#222}")
                .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 10px;")
                .append("text-align:right}th{background:#f0f0f4}td.l,th.l{text-align:left}img{max-width:100%;")
                .append("border:1px solid #ddd;margin:0.5em 0}code{background:#f4f4f4;padding:1px 4px}</style>")
                .append("</head><body>\n<h1>Pretext run: <code>").append(esc(r.objective())).append("</code> on <code>")
                .append(esc(r.dataset())).append("</code></h1>\n<p>Encoder <code>").append(esc(r.encoder()))
                .append("</code>, seed ").append(r.seed()).append(", device ").append(esc(r.device())).append(".</p>\n");
        Verdict.line(r.probe()).ifPresent(v -> h.append("<p class=\"verdict\"><strong>").append(esc(v))
                .append("</strong></p>\n"));
        if (r.invocation() != null) {
            var inv = r.invocation();
            String commit = r.provenance() == null ? null : r.provenance().versions().get("commit");
            h.append("<p>Made ").append(esc(inv.created())).append(commit == null ? "" : " by Pretext commit <code>"
                    + esc(commit) + "</code>").append(inv.commandLine() == null || inv.commandLine().isEmpty() ? ""
                    : " with <code>" + esc(inv.commandLine()) + "</code>").append(".</p>\n");
        }
        if (r.pretrain() != null) {
            var p = r.pretrain();
            h.append(String.format(Locale.ROOT, "<h2>Pretraining</h2><p>%d steps%s in %.1f s (%.0f samples/s), final"
                    + " loss %.4f.</p>%n", p.steps(), p.resumedFromStep() > 0 ? " (" + (p.steps() - p.resumedFromStep())
                    + " of them in the last session, resumed at step " + p.resumedFromStep() + ")" : "", p.seconds(),
                    p.samplesPerSecond(), p.finalLoss()));
            if (p.validationLoss() != null || p.tokensPerSecond() != null) {
                h.append(String.format(Locale.ROOT, "<p>Validation loss %s; %s tokens/s.</p>%n",
                        p.validationLoss() == null ? "—" : String.format(Locale.ROOT, "%.4f nats per token (%.4f bits"
                                + " per token)", p.validationLoss(), p.validationLoss() / Math.log(2)),
                        p.tokensPerSecond() == null ? "—" : String.format(Locale.ROOT, "%.0f", p.tokensPerSecond())));
            }
            if (p.stepPhaseSeconds() != null && !p.stepPhaseSeconds().isEmpty()) {
                h.append("<p>Step time: ").append(esc(org.pretext.training.StepPhases.describe(p.stepPhaseSeconds())))
                        .append(org.pretext.training.StepPhases.waitedForData(p.stepPhaseSeconds()) ? ". <b>The step waited for data</b>: more preparation threads"
                                + " (<code>training.prepare-threads</code>) help where cores are free.</p>\n" : ".</p>\n");
            }
            if (p.extra() != null && !p.extra().isEmpty()) {
                h.append("<table>");
                p.extra().forEach((k, v) -> h.append("<tr><th class=\"l\">").append(esc(LABELS.getOrDefault(k, k))).append("</th><td>")
                        .append(esc(String.valueOf(v))).append("</td></tr>"));
                h.append("</table>\n");
            }
        }
        if (r.probe() != null && !r.probe().isEmpty()) {
            h.append("<h2>Frozen-feature evaluation</h2>\n<table><tr><th class=\"l\">features</th><th class=\"l\">probe"
                    + "</th><th>labels per class</th><th>accuracy (%)</th><th>± sd</th><th>draws</th><th>L2</th></tr>\n");
            for (ProbeResult e : r.probe()) {
                h.append(String.format(Locale.ROOT, "<tr><td class=\"l\">%s</td><td class=\"l\">%s</td><td>%s</td>"
                        + "<td>%.2f</td><td>%.2f</td><td>%d</td><td>%s</td></tr>%n", esc(e.features()), esc(e.probe()),
                        e.labelsPerClass() == null ? "all" : e.labelsPerClass(), 100 * e.accuracy(),
                        100 * e.accuracyStd(), e.draws(), e.l2() == null ? "" : String.format(Locale.ROOT, "%.3g", e.l2())));
            }
            h.append("</table>\n<p>L2: the regularisation strength λ = 1/C a probe chose on the training labels alone"
                    + " (the logistic probe: by cross-validation on small label sets, on a held-out 20% of large ones),"
                    + " the value chosen most often over the draws; λ chosen in each draw is in report.json"
                    + " (<code>drawL2</code>).</p>\n");
            List<Verdict.Comparison> cs = Verdict.comparisons(r.probe());
            if (!cs.isEmpty()) {
                h.append("<h3>Pretrained against the same encoder untrained</h3>\n<table><tr><th class=\"l\">features"
                        + "</th><th class=\"l\">probe</th><th>labels per class</th><th>margin (points)</th><th>sd of"
                        + " differences</th><th>paired t</th><th>draws</th></tr>\n");
                for (Verdict.Comparison c : cs) {
                    h.append(String.format(Locale.ROOT, "<tr><td class=\"l\">%s</td><td class=\"l\">%s</td><td>%s"
                            + "</td><td>%+.2f</td><td>%s</td><td>%s</td><td>%d</td></tr>%n", esc(c.features()),
                            esc(c.probe()), c.labelsPerClass() == null ? "all" : c.labelsPerClass(), c.margin(),
                            Double.isFinite(c.sd()) ? String.format(Locale.ROOT, "%.2f", c.sd()) : "—",
                            Double.isFinite(c.pairedT()) ? String.format(Locale.ROOT, "%.1f", c.pairedT()) : "—",
                            c.draws()));
                }
                h.append("</table>\n");
            }
        }
        if (r.finetune() != null && !r.finetune().entries().isEmpty()) {
            h.append("<h2>Fine-tuning</h2>\n<p>").append(esc(r.finetune().source())).append(": a new head and the"
                    + " encoder trained end to end on each budget's seeded, stratified draws of labels; every method"
                    + " sees the same draws. " + esc(r.finetune().precisionNote()) + "</p>\n<table><tr><th class=\"l\">method</th><th class=\"l\">budget</th>"
                    + "<th>labels</th><th>accuracy (%)</th><th>± sd</th><th>draws</th><th>epochs</th></tr>\n");
            for (FinetuneReport.Entry e : r.finetune().entries()) {
                h.append(String.format(Locale.ROOT, "<tr><td class=\"l\">%s</td><td class=\"l\">%s</td><td>%d</td>"
                        + "<td>%.2f</td><td>%.2f</td><td>%d</td><td>%s</td></tr>%n", esc(e.method()), esc(e.label()),
                        e.labelled(), 100 * e.accuracy(), 100 * e.accuracyStd(), e.accuracies().length,
                        esc(java.util.Arrays.stream(e.epochs()).mapToObj(Integer::toString)
                                .collect(java.util.stream.Collectors.joining(", ")))));
            }
            h.append("</table>\n");
            if (r.finetune().sensitivities() != null && !r.finetune().sensitivities().isEmpty()) {
                h.append("<p>Sensitivities |θ·∂L/∂θ| of the fine-tuned encoders' parameters on their training labels"
                        + " (coefficient of variation std/mean over the parameters, mean ± sd over draws; lower is more"
                        + " concentrated):</p>\n<table><tr><th class=\"l\">method</th><th class=\"l\">budget</th>"
                        + "<th>cv</th><th>median</th><th>zero (%)</th></tr>\n");
                for (FinetuneReport.SensitivityEntry e : r.finetune().sensitivities()) {
                    h.append(String.format(Locale.ROOT, "<tr><td class=\"l\">%s</td><td class=\"l\">%s</td><td>%s</td>"
                            + "<td>%s</td><td>%.2f</td></tr>%n", esc(e.method()), esc(e.label()),
                            FinetuneReport.meanSd(e.cv(), "%.2f"), FinetuneReport.meanSd(e.median(), "%.2e"),
                            100 * e.zeroFraction()));
                }
                h.append("</table>\n");
            }
        }
        if (r.invocation() != null && r.invocation().phaseSeconds() != null && !r.invocation().phaseSeconds().isEmpty()) {
            h.append("<h2>Where the time went</h2>\n<table>");
            r.invocation().phaseSeconds().forEach((k, v) -> h.append("<tr><th class=\"l\">").append(esc(k))
                    .append(String.format(Locale.ROOT, "</th><td>%.1f s</td></tr>", v)));
            h.append("</table>\n");
        }
        if (r.robust() != null) {
            var a = r.robust();
            h.append("<h2>Adversarial robustness</h2>\n<p>The logistic probe fitted on ").append(a.labelsPerClass()
                    == null ? "all labels" : a.labelsPerClass() + " labels per class").append(" of the <code>")
                    .append(esc(a.features())).append(String.format(Locale.ROOT, "</code> features, attacked end to end"
                    + " (encoder → standardiser → linear) on %d test inputs by L∞ PGD: ε = %.4g, %d steps of α = %.4g"
                    + "%s, inputs clamped to [%s, %s]; largest perturbation %.4g.</p>%n", a.examples(), a.epsilon(),
                    a.steps(), a.stepSize(), a.randomStart() ? " from a random start in the ball" : "",
                    plainNumber(a.min()), plainNumber(a.max()), a.maxPerturbation()));
            h.append(String.format(Locale.ROOT, "<table><tr><th>clean accuracy (%%)</th><th>robust accuracy (%%)</th>"
                    + "</tr><tr><td>%.2f</td><td>%.2f</td></tr></table>%n", 100 * a.clean(), 100 * a.robust()));
        }
        for (Map.Entry<String, String> plot : plots.entrySet()) {
            h.append("<figure><img src=\"").append(esc(plot.getKey())).append("\" alt=\"").append(esc(plot.getValue()))
                    .append("\"><figcaption>").append(esc(plot.getValue())).append("</figcaption></figure>\n");
        }
        if (r.provenance() != null) {
            h.append("<h2>Provenance</h2>\n<table>");
            row(h, "objective", r.provenance().objective() + " (version " + r.provenance().objectiveVersion() + ") "
                    + plain(r.provenance().objectiveParams()));
            row(h, "encoder", r.provenance().encoder() + " " + plain(r.provenance().encoderParams()));
            row(h, "dataset", r.provenance().dataset() + " " + r.provenance().datasetInfo());
            row(h, "seed", Long.toString(r.provenance().seed()));
            row(h, "training", plain(r.provenance().training()));
            row(h, "versions", String.valueOf(r.provenance().versions()));
            h.append("</table>\n");
        }
        h.append("<p>Machine-readable results: <a href=\"report.json\">report.json</a>; per-step metrics:"
                + " <a href=\"metrics.jsonl\">metrics.jsonl</a>; configuration: <a href=\"config.yaml\">config.yaml</a>."
                + "</p>\n</body></html>\n");
        Files.writeString(file, h, StandardCharsets.UTF_8);
    }

    /** Words for the pretraining results objectives report under a key. */
    private static final Map<String, String> LABELS = Map.of(
            "validationBitsPerCharacter", "validation loss, bits per character of the held-out text",
            "charactersPerToken", "characters per token of the held-out text");

    private static void row(StringBuilder h, String k, String v) {
        h.append("<tr><th class=\"l\">").append(esc(k)).append("</th><td class=\"l\">").append(esc(v))
                .append("</td></tr>\n");
    }

    /** A map with whole numbers written without a fraction (JSON gives every number back as a double). */
    static String plain(Map<String, Object> m) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15
                ? (Object) d.longValue() : v));
        return out.toString();
    }

    private static String plainNumber(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;");
    }

}
