package org.pretext.runner.mining;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a mining run writes: {@code train.tsv} ({@code sentence<TAB>label} with a header, the
 * format of SST-2 that the {@code sentences} dataset reads) and {@code mining.json} (the counts
 * per class and, with gold labels, the precision of the mined labels).
 */
public final class MiningOutput {
    /** The mined dataset's file name. */
    public static final String TRAIN_FILE = "train.tsv";
    /** The summary's file name. */
    public static final String SUMMARY_FILE = "mining.json";

    private MiningOutput() {}

    /** The mined examples as a TSV table with the header {@code sentence<TAB>label}. */
    public static String tsv(Miner.Result r) {
        StringBuilder sb = new StringBuilder("sentence\tlabel\n");
        for (Miner.Example e : r.kept()) {
            sb.append(e.text()).append('\t').append(r.classes().get(e.label())).append('\n');
        }
        return sb.toString();
    }

    /** The summary of a mining run as plain data. */
    public static Map<String, Object> summary(Miner.Result r, PatternFile patterns, Corpus corpus, int perClass,
            long seed) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("corpus", corpus.source().toAbsolutePath().normalize().toString());
        m.put("patterns", patterns.file().toAbsolutePath().normalize().toString());
        m.put("rows", r.rows());
        m.put("classes", r.classes());
        m.put("matchedPerClass", perClass(r.classes(), r.matched()));
        m.put("ambiguous", r.ambiguous());
        m.put("duplicates", r.duplicates());
        m.put("emptyOnceMasked", r.emptied());
        m.put("perClassAsked", perClass);
        m.put("seed", seed);
        m.put("keptPerClass", perClass(r.classes(), r.keptPerClass()));
        if (corpus.gold() != null) {
            m.put("precisionMined", Miner.precision(r.mined(), r.classes(), corpus.gold()).toMap(r.classes()));
            m.put("precisionKept", Miner.precision(r.kept(), r.classes(), corpus.gold()).toMap(r.classes()));
        }
        return m;
    }

    private static Map<String, Integer> perClass(List<String> classes, int[] n) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int c = 0; c < classes.size(); c++) {
            m.put(classes.get(c), n[c]);
        }
        return m;
    }

    /** Writes {@code mining.json}. */
    public static void writeSummary(Path file, Map<String, Object> summary) throws IOException {
        Files.writeString(file, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create()
                .toJson(summary) + "\n", StandardCharsets.UTF_8);
    }

    /** One line per class for the console: matched, kept, precision. */
    public static String describe(Miner.Result r, Corpus corpus) {
        StringBuilder sb = new StringBuilder();
        Miner.Precision mined = corpus.gold() == null ? null : Miner.precision(r.mined(), r.classes(), corpus.gold());
        Miner.Precision kept = corpus.gold() == null ? null : Miner.precision(r.kept(), r.classes(), corpus.gold());
        sb.append(String.format(java.util.Locale.ROOT, "mined %d rows: %d ambiguous, %d duplicates, %d empty once masked%n",
                r.rows(), r.ambiguous(), r.duplicates(), r.emptied()));
        int[] k = r.keptPerClass();
        for (int c = 0; c < r.classes().size(); c++) {
            sb.append(String.format(java.util.Locale.ROOT, "  class %s: %d matched, %d kept%s%n", r.classes().get(c),
                    r.matched()[c], k[c], mined == null ? "" : String.format(java.util.Locale.ROOT,
                            ", precision %.1f %% (kept %.1f %%)", 100 * mined.perClass()[c], 100 * kept.perClass()[c])));
        }
        if (kept != null) {
            sb.append(String.format(java.util.Locale.ROOT, "  precision of the kept labels: %.2f %% (%d of %d)%n",
                    100 * kept.overall(), kept.correct(), kept.examples()));
        }
        return sb.toString();
    }
}
