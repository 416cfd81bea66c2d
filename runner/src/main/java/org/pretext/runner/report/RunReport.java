package org.pretext.runner.report;

import org.pretext.probe.ProbeResult;
import org.pretext.probe.RobustAccuracy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
 * @param metricCaptions captions of the metrics the objective records, by name ({@code
 *     Objective.metricCaptions}), for the report's plots; null or empty when it gave none
 * @param invocation when, how and how long: date, command line, phase timings (null in reports
 *     written before it existed)
 * @param finetune the fine-tuning stage's table, or null when the run did not fine-tune
 */
public record RunReport(String objective, String dataset, String encoder, long seed, String device,
        PretrainSummary pretrain, List<ProbeResult> probe, RobustAccuracy.Result robust, Provenance provenance,
        Map<String, String> metricCaptions, Invocation invocation, FinetuneReport finetune) {

    /** A report without fine-tuning results. */
    public RunReport(String objective, String dataset, String encoder, long seed, String device,
            PretrainSummary pretrain, List<ProbeResult> probe, RobustAccuracy.Result robust, Provenance provenance,
            Map<String, String> metricCaptions, Invocation invocation) {
        this(objective, dataset, encoder, seed, device, pretrain, probe, robust, provenance, metricCaptions, invocation,
                null);
    }

    /** This report with the fine-tuning stage's results. */
    public RunReport withFinetune(FinetuneReport f) {
        return new RunReport(objective, dataset, encoder, seed, device, pretrain, probe, robust, provenance,
                metricCaptions, invocation, f);
    }

    /**
     * When and how a report was made.
     *
     * @param created ISO-8601 instant the report was written
     * @param commandLine the command as typed ({@code pretext run --objective byol ...})
     * @param phaseSeconds wall time of each phase, in order (pretraining, probing of each feature set,
     *     attack, report)
     */
    public record Invocation(String created, String commandLine, Map<String, Double> phaseSeconds) {
        private static volatile String current = "";

        /** Remembers the command line of this process's command (called by {@code Main}). */
        public static void record(String[] args) {
            current = "pretext " + String.join(" ", java.util.Arrays.stream(args)
                    .map(a -> a.isEmpty() || a.matches(".*[\\s\"'$].*") ? "'" + a.replace("'", "'\\''") + "'" : a)
                    .toList());
        }

        /** Now, the recorded command line, and the given timings. */
        public static Invocation now(Map<String, Double> phaseSeconds) {
            return new Invocation(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(),
                    current, phaseSeconds);
        }
    }

    /** A report without an invocation record. */
    public RunReport(String objective, String dataset, String encoder, long seed, String device,
            PretrainSummary pretrain, List<ProbeResult> probe, RobustAccuracy.Result robust, Provenance provenance,
            Map<String, String> metricCaptions) {
        this(objective, dataset, encoder, seed, device, pretrain, probe, robust, provenance, metricCaptions, null);
    }

    /** A report without metric captions. */
    public RunReport(String objective, String dataset, String encoder, long seed, String device,
            PretrainSummary pretrain, List<ProbeResult> probe, RobustAccuracy.Result robust, Provenance provenance) {
        this(objective, dataset, encoder, seed, device, pretrain, probe, robust, provenance, null, null);
    }

    /** A report without a robust-accuracy measurement. */
    public RunReport(String objective, String dataset, String encoder, long seed, String device,
            PretrainSummary pretrain, List<ProbeResult> probe, Provenance provenance) {
        this(objective, dataset, encoder, seed, device, pretrain, probe, null, provenance, null, null);
    }

    /** Reads a JSON null where a primitive double is wanted as NaN (what {@link #write} writes NaN as). */
    private static final TypeAdapter<Double> NULL_AS_NAN = new TypeAdapter<>() {
        @Override
        public void write(JsonWriter out, Double value) throws IOException {
            if (value == null) {
                out.nullValue();
            } else {
                out.value(value.doubleValue());
            }
        }

        @Override
        public Double read(JsonReader in) throws IOException {
            if (in.peek() == JsonToken.NULL) {
                in.nextNull();
                return Double.NaN;
            }
            return in.nextDouble();
        }
    };
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls()
            .serializeSpecialFloatingPointValues().registerTypeAdapter(double.class, NULL_AS_NAN).create();

    /**
     * Writes the report as JSON (to a temporary file, then renamed). JSON has no NaN or infinity: a
     * value that is not finite (a loss never measured, a deviation of one draw) is written as null.
     */
    public void write(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, GSON.toJson(finite(GSON.toJsonTree(this))), StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The same tree with every number that is not finite replaced by null. */
    static JsonElement finite(JsonElement e) {
        if (e.isJsonObject()) {
            JsonObject o = new JsonObject();
            for (Map.Entry<String, JsonElement> m : e.getAsJsonObject().entrySet()) {
                o.add(m.getKey(), finite(m.getValue()));
            }
            return o;
        }
        if (e.isJsonArray()) {
            JsonArray a = new JsonArray();
            for (JsonElement x : e.getAsJsonArray()) {
                a.add(finite(x));
            }
            return a;
        }
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            double d = e.getAsDouble();
            return Double.isFinite(d) ? e : JsonNull.INSTANCE;
        }
        return e;
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
