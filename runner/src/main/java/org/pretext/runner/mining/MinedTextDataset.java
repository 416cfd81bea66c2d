package org.pretext.runner.mining;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.pretext.PretextException;
import org.pretext.data.IndexedSplit;
import org.pretext.data.Split;
import org.pretext.datasets.text.TokenizedTextDataset;
import org.pretext.param.ParamValues;
import org.pretext.text.TextDataset;
import org.pretext.text.TokenWindowSplit;
import org.pretext.text.Tokenizer;

/**
 * A text dataset whose labelled training split is replaced by sentences mined from a corpus: the
 * pretraining text, tokenizer and test split stay the dataset's own, so a run pretrains on the
 * unlabelled text, probes on the mined labels and is judged on the real test labels, never seen.
 */
public final class MinedTextDataset implements TextDataset {
    private final TextDataset base;
    private final Split train;
    private final PatternFile patterns;
    private final Miner.Result result;
    private final Map<String, Object> summary;
    private final int[] classIndex;
    private final Map<String, String> provenance;
    private final List<String> gold;

    private MinedTextDataset(TextDataset base, Split train, PatternFile patterns, Miner.Result result,
            Map<String, Object> summary, int[] classIndex, List<String> gold) {
        this.base = base;
        this.gold = gold;
        this.train = train;
        this.patterns = patterns;
        this.result = result;
        this.summary = summary;
        this.classIndex = classIndex;
        Map<String, String> p = new LinkedHashMap<>(base.provenance());
        p.put("mining.patterns", String.valueOf(summary.get("patterns")));
        p.put("mining.corpus", String.valueOf(summary.get("corpus")));
        p.put("mining.keptPerClass", String.valueOf(summary.get("keptPerClass")));
        this.provenance = Map.copyOf(p);
    }

    /**
     * Mines as the {@code mining} section says and replaces the dataset's labelled training split.
     *
     * @param datasetParams the dataset's resolved parameters (its training file is the default corpus)
     * @param seed the run seed (the balancing draw's seed)
     */
    public static MinedTextDataset mine(TextDataset dataset, Map<String, Object> datasetParams, ParamValues mining,
            long seed) {
        Split test = dataset.test().orElseThrow(() -> new PretextException("Config section 'mining' needs a dataset"
                + " with a labelled test split to evaluate on, but '" + dataset.name() + "' has none"));
        PatternFile patterns = PatternFile.read(Path.of(mining.get(MiningSettings.PATTERNS)));
        String corpusPath = mining.get(MiningSettings.CORPUS);
        String column = mining.get(MiningSettings.COLUMN);
        String gold = mining.get(MiningSettings.GOLD_COLUMN);
        if (corpusPath.isBlank()) {
            Object dir = datasetParams.get("path");
            Object file = datasetParams.get("train");
            if (dir == null || file == null) {
                throw new PretextException("Config section 'mining' needs 'corpus': dataset '" + dataset.name()
                        + "' names no training file (parameters 'path' and 'train') to mine");
            }
            corpusPath = Path.of(String.valueOf(dir)).resolve(String.valueOf(file)).toString();
            if (column.isBlank() && datasetParams.get("text-column") != null) {
                column = String.valueOf(datasetParams.get("text-column"));
            }
            if (gold.isBlank() && datasetParams.get("label-column") != null) {
                gold = String.valueOf(datasetParams.get("label-column"));
            }
        }
        if (column.isBlank()) {
            column = "sentence";
        }
        if (gold.isBlank() || gold.equals("none")) {
            gold = null;
        }
        List<String> testClasses = test.classNames();
        int[] index = new int[patterns.classes().size()];
        for (int c = 0; c < index.length; c++) {
            index[c] = testClasses.indexOf(patterns.labels().get(c));
            if (index[c] < 0) {
                throw new PretextException(patterns.file() + ": class '" + patterns.classes().get(c).name()
                        + "' has the label '" + patterns.labels().get(c) + "', which the test split of dataset '"
                        + dataset.name() + "' does not have: expected one of " + testClasses);
            }
        }
        Corpus corpus = Corpus.read(Path.of(corpusPath), column, gold);
        int perClass = mining.get(MiningSettings.PER_CLASS);
        Miner.Result r = Miner.mine(corpus.texts(), patterns, perClass, seed);
        if (r.kept().isEmpty()) {
            throw new PretextException("The patterns of " + patterns.file() + " kept no examples from " + corpusPath
                    + " (matched per class " + java.util.Arrays.toString(r.matched()) + " for classes " + r.classes()
                    + "): every class needs at least one match");
        }
        List<String> sentences = new ArrayList<>();
        int[] labels = new int[r.kept().size()];
        for (int i = 0; i < labels.length; i++) {
            sentences.add(r.kept().get(i).text());
            labels[i] = index[r.kept().get(i).label()];
        }
        Split train = TokenizedTextDataset.sentenceRows(dataset.tokenizer(), sentences, labels, testClasses);
        System.err.print(MiningOutput.describe(r, corpus));
        return new MinedTextDataset(dataset, train, patterns, r, MiningOutput.summary(r, patterns, corpus, perClass,
                seed), index, corpus.gold());
    }

    /**
     * This dataset with only the given rows of its mined training split (e.g. those the model's
     * zero-shot classifier agrees with); {@code mining.json} records how many were kept and, with gold
     * labels, their precision.
     *
     * @param how what chose the rows, for mining.json
     */
    public MinedTextDataset filtered(int[] rows, String how) {
        List<Miner.Example> kept = new ArrayList<>(rows.length);
        for (int i : rows) {
            kept.add(result.kept().get(i));
        }
        if (kept.isEmpty()) {
            throw new PretextException("The " + how + " kept none of the " + result.kept().size() + " mined training"
                    + " sentences: nothing is left to train the probes on");
        }
        Miner.Result r = new Miner.Result(result.classes(), result.rows(), result.matched(), result.ambiguous(),
                result.duplicates(), result.emptied(), result.mined(), kept);
        Map<String, Object> filter = new LinkedHashMap<>();
        filter.put("by", how);
        filter.put("before", result.kept().size());
        filter.put("kept", kept.size());
        filter.put("keptPerClass", r.keptPerClass());
        if (gold != null) {
            filter.put("precisionBefore", Miner.precision(result.kept(), result.classes(), gold).toMap(result.classes()));
            filter.put("precisionKept", Miner.precision(kept, result.classes(), gold).toMap(result.classes()));
        }
        Map<String, Object> s = new LinkedHashMap<>(summary);
        s.put("filter", filter);
        return new MinedTextDataset(base, ((IndexedSplit) train).subset(rows), patterns, r, s, classIndex, gold);
    }

    /** The precision of the kept labels against the gold labels, when the corpus has them. */
    public Optional<Miner.Precision> precision() {
        return gold == null ? Optional.empty() : Optional.of(Miner.precision(result.kept(), result.classes(), gold));
    }

    /** The patterns mined with (their verbalizers serve the prompting baseline). */
    public PatternFile patterns() {
        return patterns;
    }

    /** What the miner found. */
    public Miner.Result result() {
        return result;
    }

    /** The test-split class index of each pattern class. */
    public int[] classIndex() {
        return classIndex.clone();
    }

    /** Writes {@code mining.json} and the mined {@code mined.tsv} into a run folder. */
    public void write(Path folder) throws IOException {
        MiningOutput.writeSummary(folder.resolve(MiningOutput.SUMMARY_FILE), summary);
        java.nio.file.Files.writeString(folder.resolve("mined.tsv"), MiningOutput.tsv(result),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public String name() {
        return base.name();
    }

    @Override
    public Tokenizer tokenizer() {
        return base.tokenizer();
    }

    @Override
    public TokenWindowSplit pretrainWindows(int context) {
        return base.pretrainWindows(context);
    }

    @Override
    public Optional<TokenWindowSplit> validationWindows(int context) {
        return base.validationWindows(context);
    }

    @Override
    public Optional<Split> train() {
        return Optional.of(train);
    }

    @Override
    public Optional<Split> test() {
        return base.test();
    }

    @Override
    public Map<String, String> provenance() {
        return provenance;
    }
}
