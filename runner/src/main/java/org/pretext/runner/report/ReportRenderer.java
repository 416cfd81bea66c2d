package org.pretext.runner.report;

import org.pretext.probe.ProbeResult;
import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pretext.PretextException;

/**
 * Renders {@code report.html} and its plots from what a run folder holds ({@code report.json},
 * {@code metrics.jsonl}, {@code projection.json}); the {@code report} command calls it to rebuild
 * a report.
 */
public final class ReportRenderer {
    private static final Gson GSON = new Gson();

    private ReportRenderer() {}

    /** Writes the plots into {@code dir/plots} and the page {@code dir/report.html}. */
    public static Path render(Path dir) throws IOException {
        Path json = dir.resolve("report.json");
        if (!Files.exists(json)) {
            throw new PretextException("No report.json in " + dir + ": is it a Pretext run folder of a finished run?");
        }
        RunReport report = RunReport.read(json);
        Path plots = dir.resolve("plots");
        Files.createDirectories(plots);
        Map<String, String> images = new LinkedHashMap<>();
        Map<String, List<double[]>> logged = series(dir.resolve("metrics.jsonl"));
        List<double[]> losses = logged.getOrDefault("meanLoss", List.of());
        if (!losses.isEmpty()) {
            Charts.lossCurve(losses, report.objective(), plots.resolve("loss.png"));
            images.put("plots/loss.png", "Pretraining loss against the step");
        }
        Map<String, String> captions = new LinkedHashMap<>(DIAGNOSTICS);
        if (report.metricCaptions() != null) {
            report.metricCaptions().forEach((k, v) -> captions.putIfAbsent(k, v + " (recorded by objective "
                    + report.objective() + ")"));
        }
        captions.putAll(TRAINING_HEALTH);
        for (String key : logged.keySet()) {
            captions.putIfAbsent(key, "Metric '" + key + "' recorded during pretraining");
        }
        for (Map.Entry<String, String> d : captions.entrySet()) {
            List<double[]> points = logged.getOrDefault(d.getKey(), List.of());
            if (points.size() >= 2 && !NOT_PLOTTED.contains(d.getKey())) {
                String name = "plots/" + fileName(d.getKey()) + ".png";
                String title = DIAGNOSTICS.containsKey(d.getKey()) ? "Label-free diagnostic: " + d.getKey() : d.getKey();
                Charts.metricCurve(points, title, d.getKey(), d.getKey(), dir.resolve(name));
                images.put(name, d.getValue());
            }
        }
        Path artifacts = dir.resolve("artifacts");
        if (Files.isDirectory(artifacts)) {
            try (var files = Files.list(artifacts)) {
                for (Path f : files.filter(f -> f.toString().endsWith(".png")).sorted().toList()) {
                    images.put("artifacts/" + f.getFileName(), "Written by objective " + report.objective() + ": "
                            + f.getFileName());
                }
            }
        }
        if (report.probe() != null) {
            for (String probe : report.probe().stream().map(ProbeResult::probe).distinct().toList()) {
                String name = "plots/label-efficiency-" + probe + ".png";
                Charts.labelEfficiency(report.probe(), probe, dir.resolve(name));
                images.put(name, "Test accuracy of the " + probe + " probe against labels per class, by feature set"
                        + " (bars: ± one standard deviation over draws)");
            }
        }
        if (report.finetune() != null && !report.finetune().entries().isEmpty()) {
            Charts.finetuneEfficiency(report.finetune(), plots.resolve("label-efficiency-finetune.png"));
            images.put("plots/label-efficiency-finetune.png", "Fine-tuning: test accuracy against the labelled examples"
                    + " of a draw, for the pretrained encoder, the same architecture from random initialisation and the"
                    + " linear probe of the frozen pretrained features, on the same draws (bars: ± one standard"
                    + " deviation over draws)");
            if (report.finetune().sensitivities() != null && !report.finetune().sensitivities().isEmpty()) {
                Charts.finetuneSensitivities(report.finetune(), plots.resolve("sensitivities-finetune.png"));
                images.put("plots/sensitivities-finetune.png", "Distribution of the sensitivities |θ·∂L/∂θ| of the"
                        + " fine-tuned encoders' parameters on their training labels, per method, pooled over draws"
                        + " (PATS's second finding: better models have more concentrated distributions)");
            }
        }
        Path projection = dir.resolve("projection.json");
        if (Files.exists(projection)) {
            SavedProjection p = readProjection(projection);
            Charts.projection(p.projection(), p.classNames(), "Test features of the pretrained encoder (PCA)",
                    plots.resolve("projection.png"));
            images.put("plots/projection.png", "2-D principal-component projection of the pretrained encoder's test"
                    + " features, coloured by class");
        }
        Path html = dir.resolve("report.html");
        HtmlReport.write(report, images, html);
        return html;
    }

    /** A projection with its class names, as stored in {@code projection.json}. */
    public record SavedProjection(Projection projection, List<String> classNames) {
        /** Writes it. */
        public void write(Path file) throws IOException {
            Files.writeString(file, GSON.toJson(this), StandardCharsets.UTF_8);
        }
    }

    static SavedProjection readProjection(Path file) {
        try {
            return GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), SavedProjection.class);
        } catch (IOException | JsonParseException e) {
            throw new PretextException("Projection file " + file + " could not be read: " + e.getMessage(), e);
        }
    }

    /** The label-free diagnostics plotted when metrics.jsonl has them, with captions. */
    static final Map<String, String> DIAGNOSTICS = diagnostics();

    private static Map<String, String> diagnostics() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("alignment", "Alignment (Wang and Isola 2020) of the encoder's normalised features of two views of a fixed batch:"
                + " lower is better aligned");
        m.put("uniformity", "Uniformity (Wang and Isola 2020) of the encoder's normalised features: about -2 when spread,"
                + " 0 when every feature is the same");
        m.put("effectiveRank", "Effective rank (RankMe) of the encoder's features of a fixed batch: a fall signals"
                + " dimensional collapse");
        m.put("embeddingRank", "Effective rank of the embedding head's output (the projector), where collapse shows first");
        return java.util.Collections.unmodifiableMap(m);
    }

    /** Logged keys that are bookkeeping, not curves: plotted elsewhere (meanLoss) or not at all. */
    private static final java.util.Set<String> NOT_PLOTTED = java.util.Set.of("step", "epoch", "loss", "meanLoss",
            "elapsedSeconds", "collapsed");

    /** How the optimisation went, plotted after the representation's own metrics. */
    static final Map<String, String> TRAINING_HEALTH = Map.of(
            "knnAccuracy", "kNN accuracy (k=20) of 1,000 labelled training examples on 1,000 test examples, the"
                    + " monitor during pretraining",
            "learningRate", "Learning rate of the schedule (warm-up, then cosine decay)",
            "gradientNorm", "Global L2 norm of the gradients before clipping",
            "samplesPerSecond", "Throughput: examples per second over the logging window");

    /** A metric name as a safe file name. */
    private static String fileName(String key) {
        return key.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /**
     * (step, value) of every numeric key, in first-seen order, from every metrics line that has it
     * as a finite number; one read of the file.
     */
    static Map<String, List<double[]>> series(Path metrics) throws IOException {
        Map<String, List<double[]>> out = new LinkedHashMap<>();
        if (!Files.exists(metrics)) {
            return out;
        }
        int line = 0;
        for (String s : Files.readAllLines(metrics, StandardCharsets.UTF_8)) {
            line++;
            if (s.isBlank()) {
                continue;
            }
            try {
                Map<?, ?> m = GSON.fromJson(s, Map.class);
                if (m.get("step") instanceof Number step) {
                    for (Map.Entry<?, ?> e : m.entrySet()) {
                        if (e.getValue() instanceof Number v && Double.isFinite(v.doubleValue())) {
                            out.computeIfAbsent(String.valueOf(e.getKey()), k -> new ArrayList<>())
                                    .add(new double[] {step.doubleValue(), v.doubleValue()});
                        }
                    }
                }
            } catch (JsonParseException e) {
                throw new PretextException("Metrics file " + metrics + " line " + line + " is not JSON: " + s, e);
            }
        }
        return out;
    }
}
