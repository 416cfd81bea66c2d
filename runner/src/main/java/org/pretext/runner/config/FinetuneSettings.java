package org.pretext.runner.config;

import java.util.List;
import java.util.Map;
import org.pretext.PretextException;
import org.pretext.finetune.FinetuneBudget;
import org.pretext.finetune.FinetuneOptions;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;
import org.pretext.transform.Augmentation;

/**
 * The {@code finetune:} section of a config: every key documented here. A config with this section
 * makes {@code run} fine-tune after probing; the {@code finetune} command reads the same keys.
 */
public final class FinetuneSettings {
    /** The section's name in a config. */
    public static final String SECTION = "finetune";
    public static final Param<String> BUDGETS = Param.ofString("budgets", "0.01,0.1",
            "label budgets: fractions of every class's training labels (0.01 or 1%), labels per class (a whole"
            + " number such as 10), or all; e.g. [0.01, 0.1, all]");
    public static final Param<Integer> DRAWS = Param.ofInt("draws", 3,
            "seeded, stratified draws of the labels per budget (mean and standard deviation are reported)").atLeast(1);
    public static final Param<String> HEAD = Param.ofChoice("head", "linear", List.of("linear", "mlp"),
            "the new head on the encoder's features: linear, or mlp (one hidden ReLU layer of 'hidden' units)");
    public static final Param<Integer> HIDDEN = Param.ofInt("hidden", 256, "hidden units of the mlp head").atLeast(1);
    public static final Param<Integer> EPOCHS = Param.ofInt("epochs", 30,
            "passes over each draw's training labels (early stopping may end sooner)").atLeast(1);
    public static final Param<Integer> BATCH_SIZE = Param.ofInt("batch-size", 16,
            "examples per step (a draw with fewer labels trains on all of them each step)").atLeast(1);
    public static final Param<Double> LEARNING_RATE = Param.ofDouble("learning-rate", 1e-2,
            "AdamW's peak learning rate of the head (cosine decay to 0 over the planned steps)").above(0);
    public static final Param<Double> ENCODER_LEARNING_RATE = Param.ofDouble("encoder-learning-rate", 1e-4,
            "peak learning rate of the encoder's last block (discriminative rates: lower than the head's)").atLeast(0);
    public static final Param<Double> LAYER_DECAY = Param.ofDouble("layer-decay", 1.0,
            "layer-wise decay: each encoder block below the last learns at this times the rate of the one above"
            + " (1: one rate for the whole encoder)").above(0).atMost(1);
    public static final Param<Double> WEIGHT_DECAY = Param.ofDouble("weight-decay", 0.0,
            "AdamW's decoupled weight decay").atLeast(0);
    public static final Param<Integer> FREEZE_BLOCKS = Param.ofInt("freeze-blocks", 0,
            "the encoder's first N blocks (layers of an MLP or CNN, transformer blocks with the embedding before"
            + " them) are not trained; N at least the encoder's block count trains the head alone").atLeast(0);
    public static final Param<Boolean> AUGMENT = Param.ofBoolean("augment", false,
            "augment training images as pretraining does (the objective's recipe and parameters, e.g. the digit"
            + " recipe for grey images)");
    public static final Param<Double> EARLY_STOPPING = Param.ofDouble("early-stopping", 0.0,
            "fraction of each class's budget labels held out to stop on (the best epoch's weights are kept; the"
            + " test split is never used); 0: off").atLeast(0).below(1);
    public static final Param<Integer> PATIENCE = Param.ofInt("patience", 5,
            "early stopping: epochs without a better held-out accuracy before stopping").atLeast(1);
    public static final Param<String> BASELINES = Param.ofString("baselines", "random-init,linear-probe",
            "baselines on the same draws: random-init (the same architecture from its random initialisation,"
            + " fine-tuned the same way), linear-probe (the logistic probe of the frozen pretrained features); none");

    /** Every key of the section. */
    public static final List<Param<?>> ALL = List.of(BUDGETS, DRAWS, HEAD, HIDDEN, EPOCHS, BATCH_SIZE, LEARNING_RATE,
            ENCODER_LEARNING_RATE, LAYER_DECAY, WEIGHT_DECAY, FREEZE_BLOCKS, AUGMENT, EARLY_STOPPING, PATIENCE,
            BASELINES);
    /** Known baselines. */
    public static final List<String> BASELINE_NAMES = List.of("random-init", "linear-probe");

    private FinetuneSettings() {}

    /** Validates the section's raw values; errors name the key ({@code finetune.KEY}). */
    public static ParamValues resolve(Map<String, ?> raw) {
        ParamValues v = ParamValues.resolve("config section 'finetune'", ALL, raw);
        budgets(v);
        baselines(v);
        return v;
    }

    /** The budgets in the order given. */
    public static List<FinetuneBudget> budgets(ParamValues v) {
        return FinetuneBudget.parseList(v.get(BUDGETS), "finetune.budgets");
    }

    /** The baselines asked for. */
    public static List<String> baselines(ParamValues v) {
        List<String> out = ProbeSettings.split(v.get(BASELINES));
        if (out.equals(List.of("none"))) {
            return List.of();
        }
        for (String s : out) {
            if (!BASELINE_NAMES.contains(s)) {
                throw new PretextException("Invalid value '" + s + "' in finetune.baselines: expected any of "
                        + BASELINE_NAMES + ", or none");
            }
        }
        return out;
    }

    /** The fine-tuning loop's options. */
    public static FinetuneOptions options(ParamValues v, Augmentation augmentation, int evalBatchSize) {
        return new FinetuneOptions(v.get(HEAD).equals("mlp") ? v.get(HIDDEN) : 0, v.get(EPOCHS), v.get(BATCH_SIZE),
                v.get(LEARNING_RATE), v.get(ENCODER_LEARNING_RATE), v.get(LAYER_DECAY), v.get(WEIGHT_DECAY),
                v.get(FREEZE_BLOCKS), v.get(EARLY_STOPPING), v.get(PATIENCE), augmentation, evalBatchSize);
    }
}
