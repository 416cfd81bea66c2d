package org.pretext.runner.report;

import org.pretext.probe.ProbeResult;
import org.pretext.probe.RobustAccuracy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.pretext.PretextException;
import org.pretext.checkpoint.Provenance;

/**
 * The machine-readable result of a run, written as {@code report.json}.
 *
 * @param objective objective provider name
 * @param dataset dataset name
 * @param encoder encoder provider name
 * @param seed run seed
 * @param device device trained on
 * @param pretrain pretraining summary (null for probe-only reports)
 * @param probe probe results
 * @param robust the all-labels logistic probe of the pretrained features attacked end to end by PGD
 *     (clean and robust accuracy), or null when {@code probe.robust-epsilon} is 0
 * @param provenance config, seed, data checksums and versions
 */
public record RunReport(String objective, String dataset, String encoder, long seed, String device,
        PretrainSummary pretrain, List<ProbeResult> probe, RobustAccuracy.Result robust, Provenance provenance) {

    /** A report without a robust-accuracy measurement. */
    public RunReport(String objective, String dataset, String encoder, long seed, String device,
            PretrainSummary pretrain, List<ProbeResult> probe, Provenance provenance) {
        this(objective, dataset, encoder, seed, device, pretrain, probe, null, provenance);
    }

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls()
            .serializeSpecialFloatingPointValues().create();

    /** Writes the report as JSON (to a temporary file, then renamed). */
    public void write(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, GSON.toJson(this), StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads a report written by {@link #write}. */
    public static RunReport read(Path file) {
        try {
            RunReport r = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), RunReport.class);
            if (r == null) {
                throw new JsonParseException("empty");
            }
            return r;
        } catch (IOException | JsonParseException e) {
            throw new PretextException("Report " + file + " could not be read: " + e.getMessage(), e);
        }
    }
}
