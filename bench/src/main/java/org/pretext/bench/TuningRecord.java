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
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The PyTorch settings the suite chose by tuning, kept in {@code bench/tuning.json} so that a later
 * run on the same kind of CPU reuses them instead of tuning again (each PyTorch 1.13 choice costs 4
 * runs, each 2.6 choice 2). Choices are kept per CPU ({@link CpuKind#signature}: the model name and
 * the widest vector instructions, e.g. "AMD EPYC, AVX-512"), because the best OpenBLAS build and
 * kernel set differ between CPUs and a kernel set one CPU chose may not run on another (OpenBLAS's
 * SkylakeX kernels stop a CPU without AVX-512 with an illegal instruction). Under each CPU: one
 * entry per reference ({@code pytorch}: 1.13's OpenBLAS build and kernel set, e.g. "openblas-openmp
 * SkylakeX"; {@code pytorch26}: 2.6's OpenBLAS build), configuration and thread count, with the date
 * it was measured and the rates the tuning runs gave. {@link #get} and {@link #put} read and write
 * the choices of the CPU the record was opened for; the other CPUs' choices are kept as they were.
 * {@code --tune} measures every choice again; a choice not recorded for this CPU is measured. The
 * suite writes the file back after a full run that measured anything.
 */
final class TuningRecord {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .disableHtmlEscaping().create();
    private static final String[] REFERENCES = {"pytorch", "pytorch26"};
    /**
     * The CPU a file written before choices were kept per CPU is filed under: its choices are kept but
     * never reused, since nothing says which CPU measured them.
     */
    static final String UNRECORDED_CPU = "CPU not recorded";

    /**
     * One choice.
     *
     * @param setting what won
     * @param measured the date of the tuning runs
     * @param rates steps/s of each setting tried (empty when not known)
     */
    record Choice(String setting, String measured, Map<String, Double> rates) {}

    /** CPU → reference → configuration → threads → choice, sorted so that the file's diffs stay small. */
    private final Map<String, Map<String, Map<String, Map<String, Choice>>>> byCpu;
    /** The CPU whose choices {@link #get} and {@link #put} read and write. */
    private final String cpu;

    private TuningRecord(Map<String, Map<String, Map<String, Map<String, Choice>>>> byCpu, String cpu) {
        this.byCpu = byCpu;
        this.cpu = cpu;
    }

    /** No choices, for the given CPU. */
    static TuningRecord empty(String cpu) {
        return new TuningRecord(new TreeMap<>(), cpu);
    }

    /** The file's choices, opened for {@code cpu}; none if the file does not exist. */
    static TuningRecord load(Path file, String cpu) throws IOException {
        if (!Files.exists(file)) {
            return empty(cpu);
        }
        return parse(Files.readString(file, StandardCharsets.UTF_8), cpu);
    }

    /**
     * The choices of a file's text, opened for {@code cpu}. A file without {@code machines} (written
     * before choices were kept per CPU) has its choices filed under {@link #UNRECORDED_CPU}.
     */
    static TuningRecord parse(String json, String cpu) {
        Map<String, Object> raw = GSON.fromJson(json, new TypeToken<LinkedHashMap<String, Object>>() { }.getType());
        Map<String, Map<String, Map<String, Map<String, Choice>>>> out = new TreeMap<>();
        if (raw != null && raw.get("machines") instanceof Map<?, ?> machines) {
            for (Map.Entry<?, ?> m : machines.entrySet()) {
                out.put(m.getKey().toString(), references(m.getValue()));
            }
        } else if (raw != null) {
            Map<String, Map<String, Map<String, Choice>>> legacy = references(raw);
            if (!legacy.isEmpty()) {
                out.put(UNRECORDED_CPU, legacy);
            }
        }
        return new TuningRecord(out, cpu);
    }

    private static Map<String, Map<String, Map<String, Choice>>> references(Object node) {
        Map<String, Map<String, Map<String, Choice>>> out = new TreeMap<>();
        if (node instanceof Map<?, ?> m) {
            for (String reference : REFERENCES) {
                if (m.get(reference) != null) {
                    out.put(reference, GSON.fromJson(GSON.toJson(m.get(reference)),
                            new TypeToken<TreeMap<String, TreeMap<String, Choice>>>() { }.getType()));
                }
            }
        }
        return out;
    }

    /** The CPU this record reads and writes choices for. */
    String cpu() {
        return cpu;
    }

    /** The CPUs with recorded choices other than this record's, for a message when this one has none. */
    Set<String> otherCpus() {
        Set<String> s = new TreeSet<>(byCpu.keySet());
        s.remove(cpu);
        return s;
    }

    /** The choice recorded for this CPU, or null. */
    Choice get(String reference, String config, int threads) {
        return byCpu.getOrDefault(cpu, Map.of()).getOrDefault(reference, Map.of()).getOrDefault(config, Map.of())
                .get("" + threads);
    }

    /** Records a choice for this CPU. */
    void put(String reference, String config, int threads, Choice c) {
        byCpu.computeIfAbsent(cpu, k -> new TreeMap<>()).computeIfAbsent(reference, k -> new TreeMap<>())
                .computeIfAbsent(config, k -> new TreeMap<>()).put("" + threads, c);
    }

    String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("about", "PyTorch settings chosen by the benchmark suite's tuning runs (Suite, TuningRecord), per CPU"
                + " (model name and widest vector instructions): reused by later runs on the same kind of CPU;"
                + " --tune measures them again");
        m.put("machines", byCpu);
        return GSON.toJson(m) + "\n";
    }

    void save(Path file) throws IOException {
        Files.writeString(file, toJson(), StandardCharsets.UTF_8);
    }
}
