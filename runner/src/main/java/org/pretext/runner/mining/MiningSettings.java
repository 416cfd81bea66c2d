package org.pretext.runner.mining;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.pretext.PretextException;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;

/**
 * The {@code mining:} section of a run config: mine labelled training sentences from the dataset's
 * own training text (its labels unused) or another corpus, probe on the mined labels, evaluate on
 * the dataset's real test split, and add the prompting baseline to the report.
 */
public final class MiningSettings {
    /** The config section's name. */
    public static final String SECTION = "mining";
    /** The pattern file. */
    public static final Param<String> PATTERNS = Param.ofString("patterns", "",
            "the classes' patterns (YAML), e.g. examples/mining/sentiment-patterns.yaml (required)");
    /** Examples kept per class. */
    public static final Param<Integer> PER_CLASS = Param.ofInt("per-class", 0,
            "examples kept per class (0: as many as the smallest class has)").atLeast(0);
    /** The corpus mined. */
    public static final Param<String> CORPUS = Param.ofString("corpus", "",
            "the corpus mined (empty: the dataset's training file, whose labels are not used)");
    /** Text column of a table corpus. */
    public static final Param<String> COLUMN = Param.ofString("column", "",
            "the text column of a TSV/CSV corpus (empty: the dataset's text-column, else 'sentence')");
    /** Gold labels, for the precision only. */
    public static final Param<String> GOLD_COLUMN = Param.ofString("gold-column", "",
            "a gold-label column of a TSV/CSV corpus, only to measure the mined labels' precision (empty: the"
                    + " dataset's label-column when the corpus is its training file; 'none': no precision)");
    /** The prompting baseline's prompt. */
    public static final Param<String> PROMPT = Param.ofString("prompt", " it was",
            "text appended to each test sentence before the language model scores the classes' verbalizers");
    /** Whether to run the prompting baseline. */
    public static final Param<Boolean> PROMPT_BASELINE = Param.ofBoolean("prompt-baseline", true,
            "also classify the test sentences zero-shot by the likelihood of each class's verbalizers after the"
                    + " prompt");
    /** Filtering of the mined training sentences by the pretrained model's own zero-shot prediction. */
    public static final Param<String> FILTER = Param.ofChoice("filter", "none", List.of("none", "zero-shot"),
            "after pretraining, keep only the mined training sentences that the language model's calibrated"
                    + " prompting classifier (the prompt and the verbalizers, no labels) assigns to the class their"
                    + " pattern gave (van de Kar et al. 2022's optional filtering); none: keep all");
    /** All parameters. */
    public static final List<Param<?>> ALL = List.of(PATTERNS, PER_CLASS, CORPUS, COLUMN, GOLD_COLUMN, PROMPT,
            PROMPT_BASELINE, FILTER);

    private MiningSettings() {}

    /** The validated section of a config tree, or empty without one. */
    public static Optional<ParamValues> of(Map<String, Object> tree) {
        Object raw = tree.get(SECTION);
        if (raw == null) {
            return Optional.empty();
        }
        if (!(raw instanceof Map<?, ?> m)) {
            throw new PretextException("Config section 'mining' is '" + raw + "': expected a mapping with at least"
                    + " 'patterns: FILE.yaml'");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) m;
        ParamValues v = ParamValues.resolve("config section 'mining'", ALL, map);
        if (v.get(PATTERNS).isBlank()) {
            throw new PretextException("Config section 'mining' needs 'patterns': the classes' pattern file, e.g."
                    + " examples/mining/sentiment-patterns.yaml");
        }
        return Optional.of(v);
    }
}
