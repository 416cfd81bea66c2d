package org.pretext.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.reflect.TypeToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The PyTorch settings the suite chose by tuning, kept in {@code bench/tuning.json} so that a later
 * run reuses them instead of tuning again (each PyTorch 1.13 choice costs 4 runs, each 2.6 choice 2).
 * One entry per reference ({@code pytorch}: 1.13's OpenBLAS build and kernel set, e.g.
 * "openblas-openmp SkylakeX"; {@code pytorch26}: 2.6's OpenBLAS build), configuration and thread
 * count, with the date it was measured and the rates the tuning runs gave. {@code --tune} measures
 * every choice again; a choice not recorded is measured. The suite writes the file back after a
 * full run that measured anything.
 */
final class TuningRecord {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .disableHtmlEscaping().create();

    /**
     * One choice.
     *
     * @param setting what won
     * @param measured the date of the tuning runs
     * @param rates steps/s of each setting tried (empty when not known)
     */
    record Choice(String setting, String measured, Map<String, Double> rates) {}

    /** reference → configuration → threads → choice, sorted so that the file's diffs stay small. */
    private final Map<String, Map<String, Map<String, Choice>>> choices;

    private TuningRecord(Map<String, Map<String, Map<String, Choice>>> choices) {
        this.choices = choices;
    }

    static TuningRecord empty() {
        return new TuningRecord(new TreeMap<>());
    }

    /** The file's choices, or none if it does not exist. */
    static TuningRecord load(Path file) throws IOException {
        if (!Files.exists(file)) {
            return empty();
        }
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    static TuningRecord parse(String json) {
        Map<String, Object> raw = GSON.fromJson(json, new TypeToken<LinkedHashMap<String, Object>>() { }.getType());
        Map<String, Map<String, Map<String, Choice>>> out = new TreeMap<>();
        for (String reference : new String[] {"pytorch", "pytorch26"}) {
            if (raw != null && raw.get(reference) != null) {
                Map<String, Map<String, Choice>> byConfig = GSON.fromJson(GSON.toJson(raw.get(reference)),
                        new TypeToken<TreeMap<String, TreeMap<String, Choice>>>() { }.getType());
                out.put(reference, byConfig);
            }
        }
        return new TuningRecord(out);
    }

    /** The recorded choice, or null. */
    Choice get(String reference, String config, int threads) {
        return choices.getOrDefault(reference, Map.of()).getOrDefault(config, Map.of()).get("" + threads);
    }

    void put(String reference, String config, int threads, Choice c) {
        choices.computeIfAbsent(reference, k -> new TreeMap<>()).computeIfAbsent(config, k -> new TreeMap<>())
                .put("" + threads, c);
    }

    String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("about", "PyTorch settings chosen by the benchmark suite's tuning runs (Suite, TuningRecord): reused by"
                + " later runs; --tune measures them again");
        m.putAll(choices);
        return GSON.toJson(m) + "\n";
    }

    void save(Path file) throws IOException {
        Files.writeString(file, toJson(), StandardCharsets.UTF_8);
    }
}
