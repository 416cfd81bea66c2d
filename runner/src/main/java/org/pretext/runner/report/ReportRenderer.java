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
        List<String> keys = new ArrayList<>(List.of("meanLoss"));
        keys.addAll(DIAGNOSTICS.keySet());
        Map<String, List<double[]>> logged = series(dir.resolve("metrics.jsonl"), keys);
        List<double[]> losses = logged.get("meanLoss");
        if (!losses.isEmpty()) {
            Charts.lossCurve(losses, report.objective(), plots.resolve("loss.png"));
            images.put("plots/loss.png", "Pretraining loss against the step");
        }
        for (Map.Entry<String, String> d : DIAGNOSTICS.entrySet()) {
            List<double[]> points = logged.get(d.getKey());
            if (!points.isEmpty()) {
                String name = "plots/" + d.getKey() + ".png";
                Charts.metricCurve(points, "Label-free diagnostic: " + d.getKey(), d.getKey(), d.getKey(), dir.resolve(name));
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

    /** (step, value) of each key, from every metrics line that has it as a finite number; one read of the file. */
    static Map<String, List<double[]>> series(Path metrics, List<String> keys) throws IOException {
        Map<String, List<double[]>> out = new LinkedHashMap<>();
        keys.forEach(k -> out.put(k, new ArrayList<>()));
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
                    for (String key : keys) {
                        if (m.get(key) instanceof Number v && Double.isFinite(v.doubleValue())) {
                            out.get(key).add(new double[] {step.doubleValue(), v.doubleValue()});
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
