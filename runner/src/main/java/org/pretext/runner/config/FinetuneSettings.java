package org.pretext.runner.config;

import java.util.List;
import java.util.Map;
import org.pretext.PretextException;
import org.pretext.finetune.FinetuneBudget;
import org.pretext.finetune.FinetuneNoise;
import org.pretext.finetune.FinetuneOptions;
import org.pretext.runtime.MixedPrecision;
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

    public static final Param<String> NOISE = Param.ofString("noise", "none",
            "noise on the pretrained encoder's parameters, one row of the table each: none (plain fine-tuning),"
            + " uniform (NoisyTune: U(-lambda/2, lambda/2) times each tensor's std, once before fine-tuning), pats"
            + " (Gaussian noise every step, smaller for parameters the task is more sensitive to); e.g. [none,"
            + " uniform, pats]");
    public static final Param<Double> UNIFORM_LAMBDA = Param.ofDouble("uniform-lambda", FinetuneNoise.UNIFORM_LAMBDA,
            "NoisyTune's noise width lambda, in standard deviations of each parameter tensor (the paper's 0.15)")
            .atLeast(0);
    public static final Param<Double> PATS_LAMBDA = Param.ofDouble("pats-lambda", FinetuneNoise.PATS_LAMBDA,
            "PATS's largest per-step noise, in standard deviations of each tensor, scaled by the learning-rate"
            + " schedule").atLeast(0);
    public static final Param<Double> PATS_BETA = Param.ofDouble("pats-beta", FinetuneNoise.PATS_BETA,
            "PATS's smoothing of sensitivities over steps (exponential moving average)").atLeast(0).below(1);

    public static final Param<String> PRECISION = Param.ofChoice("precision", MixedPrecision.FLOAT32,
            MixedPrecision.CHOICES, "precision of the training steps' encoder forward pass, as training.precision:"
            + " float32, or bf16 (mixed precision: products and convolutions in bfloat16; the head, loss, weights and"
            + " optimizer stay float32; accuracy is measured in float32)");

    /** Every key of the section. */
    public static final List<Param<?>> ALL = List.of(BUDGETS, DRAWS, HEAD, HIDDEN, EPOCHS, BATCH_SIZE, LEARNING_RATE,
            ENCODER_LEARNING_RATE, LAYER_DECAY, WEIGHT_DECAY, FREEZE_BLOCKS, AUGMENT, EARLY_STOPPING, PATIENCE,
            BASELINES, NOISE, UNIFORM_LAMBDA, PATS_LAMBDA, PATS_BETA, PRECISION);
    /** Known baselines. */
    public static final List<String> BASELINE_NAMES = List.of("random-init", "linear-probe");

    private FinetuneSettings() {}

    /** Validates the section's raw values; errors name the key ({@code finetune.KEY}). */
    public static ParamValues resolve(Map<String, ?> raw) {
        ParamValues v = ParamValues.resolve("config section 'finetune'", ALL, raw);
        budgets(v);
        baselines(v);
        noises(v);
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

    /** The noise variants asked for, each with its settings, in the order given (no repeats). */
    public static List<FinetuneNoise> noises(ParamValues v) {
        List<FinetuneNoise> out = new java.util.ArrayList<>();
        for (String s : ProbeSettings.split(v.get(NOISE))) {
            FinetuneNoise n = FinetuneNoise.parse(s, "finetune.noise");
            n = switch (n.kind()) {
                case UNIFORM -> n.withLambda(v.get(UNIFORM_LAMBDA));
                case PATS -> n.withLambda(v.get(PATS_LAMBDA)).withBeta(v.get(PATS_BETA));
                case NONE -> n;
            };
            FinetuneNoise added = n;
            if (out.stream().anyMatch(x -> x.kind() == added.kind())) {
                throw new PretextException("finetune.noise names '" + s + "' twice: expected each of none, uniform,"
                        + " pats at most once");
            }
            out.add(n);
        }
        if (out.isEmpty()) {
            throw new PretextException("finetune.noise is empty: expected none, uniform, pats or a list of them");
        }
        return out;
    }

    /** The fine-tuning loop's options. */
    public static FinetuneOptions options(ParamValues v, Augmentation augmentation, int evalBatchSize) {
        return new FinetuneOptions(v.get(HEAD).equals("mlp") ? v.get(HIDDEN) : 0, v.get(EPOCHS), v.get(BATCH_SIZE),
                v.get(LEARNING_RATE), v.get(ENCODER_LEARNING_RATE), v.get(LAYER_DECAY), v.get(WEIGHT_DECAY),
                v.get(FREEZE_BLOCKS), v.get(EARLY_STOPPING), v.get(PATIENCE), augmentation, evalBatchSize,
                FinetuneNoise.none(), v.get(PRECISION));
    }
}
