package org.pretext.training;

import java.util.List;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;
import org.pretext.runtime.MixedPrecision;

/**
 * The one source of pretraining settings and their defaults: every key of a config's
 * {@code training:} section is declared and documented here, {@code list} prints them, and
 * {@link PretrainConfig}'s builder starts from the same defaults, so the command line, the Java API
 * and the docs agree. Older camelCase spellings ({@code learningRate}) are still read, with a
 * deprecation warning.
 */
public final class TrainingSettings {
    /** The value of {@link #WEIGHT_DECAY_END} that means "no schedule": the weight decay stays constant. */
    public static final double CONSTANT_WEIGHT_DECAY = -1;
    public static final Param<Integer> BATCH_SIZE = Param.ofInt("batch-size", 256,
            "examples per batch (before the objective makes views of them)").atLeast(1).formerly("batchSize");
    public static final Param<Integer> EPOCHS = Param.ofInt("epochs", 90,
            "passes over the pretraining data (used when steps is 0)").atLeast(1);
    public static final Param<Long> STEPS = Param.ofLong("steps", 0,
            "exact number of optimizer steps (0: epochs x batches per epoch)").atLeast(0);
    public static final Param<Double> MAX_SECONDS = Param.ofDouble("max-seconds", 0,
            "stop pretraining after this many seconds (0: no limit; runs stopped by time are not reproducible)")
            .atLeast(0).formerly("maxSeconds");
    public static final Param<String> OPTIMIZER = Param.ofChoice("optimizer", "adamw",
            org.pretext.training.optimizer.Optimizer.NAMES,
            "adamw (Adam with decoupled weight decay) or sgd (plain SGD with decoupled weight decay, no momentum:"
                    + " beta1, beta2 and epsilon are not used)");
    public static final Param<Double> LEARNING_RATE = Param.ofDouble("learning-rate", 4e-3, "peak learning rate")
            .above(0).formerly("learningRate");
    public static final Param<Double> WEIGHT_DECAY = Param.ofDouble("weight-decay", 1e-5,
            "decoupled weight decay").atLeast(0).formerly("weightDecay");
    /**
     * The weight decay at the end of the run: λ follows a half cosine from {@link #WEIGHT_DECAY} at
     * the first step to this at the last, over all steps (the learning-rate schedule's step index,
     * without its warm-up), as I-JEPA, DINO and iBOT schedule it (0.04 to 0.4). The default, -1,
     * keeps {@code weight-decay} constant; any other value must be a number >= 0 (a value below the
     * start makes λ fall). λ is a function of the step, so a resumed run continues the schedule exactly.
     */
    public static final Param<Double> WEIGHT_DECAY_END = Param.ofDouble("weight-decay-end", CONSTANT_WEIGHT_DECAY,
            "weight decay at the last step, reached by a cosine from weight-decay over the run (e.g. 0.04 -> 0.4,"
                    + " as I-JEPA and DINO); -1: weight-decay stays constant").atLeast(CONSTANT_WEIGHT_DECAY);
    public static final Param<Boolean> WEIGHT_DECAY_VECTORS = Param.ofBoolean("weight-decay-vectors", true,
            "also decay vectors (biases, norm scales); false decays weight matrices only, as GPT-style recipes do")
            .formerly("weightDecayVectors");
    public static final Param<Double> BETA1 = Param.ofDouble("beta1", 0.9, "AdamW beta1").atLeast(0).below(1);
    public static final Param<Double> BETA2 = Param.ofDouble("beta2", 0.999, "AdamW beta2").atLeast(0).below(1);
    public static final Param<Double> EPSILON = Param.ofDouble("epsilon", 1e-8, "AdamW epsilon").above(0);
    public static final Param<Double> WARMUP = Param.ofDouble("warmup-fraction", 0.02,
            "linear warm-up length as a fraction of all steps").atLeast(0).below(1).formerly("warmupFraction");
    public static final Param<Double> FINAL_LR = Param.ofDouble("final-learning-rate-fraction", 1.0,
            "learning rate at the end of the cosine decay, as a fraction of the peak (1: constant after the warm-up)").atLeast(0)
            .atMost(1).formerly("finalLearningRateFraction");
    public static final Param<Double> CLIP_NORM = Param.ofDouble("clip-norm", 0,
            "clip the global gradient norm to this (0: no clipping)").atLeast(0).formerly("clipNorm");
    public static final Param<Integer> LOG_EVERY = Param.ofInt("log-every", 20, "log metrics every N steps")
            .atLeast(1).formerly("logEvery");
    public static final Param<Long> MONITOR_EVERY = Param.ofLong("monitor-every", 0,
            "also measure validation (e.g. a language model's validation loss) every N steps (0: at epoch ends)")
            .atLeast(0).formerly("monitorEvery");
    public static final Param<Integer> PREPARE_THREADS = Param.ofInt("prepare-threads", 1,
            "threads preparing batches (augmentation, masking) ahead of the step").atLeast(1).atMostProcessors()
            .formerly("prepareThreads");
    public static final Param<Integer> PREFETCH = Param.ofInt("prefetch", 4, "batches prepared ahead").atLeast(1)
            .atMost(1024);
    /**
     * The preparation threads' scheduling priority. {@code background} (the default): they run at the
     * lowest priority (nice 19 on Linux) on what the engine's threads leave idle, instead of taking
     * turns with them, and the step prepares a batch no thread has started; should other work on the
     * machine starve them while the step waits (they got less than half a core during its wait),
     * the rest of the run prepares at normal priority. {@code normal}: the same priority as the step.
     * The batches are the same either way.
     */
    public static final Param<String> PREPARE_PRIORITY = Param.ofChoice("prepare-priority", "background",
            java.util.List.of("background", "normal"), "priority of the preparation threads: background (the"
                    + " lowest: they use what the engine leaves idle; normal priority if other work starves them)"
                    + " or normal");
    /**
     * The precision of each step's encoder forward pass. {@code float32} (the default): everything in
     * float32. {@code bf16}: mixed precision as PyTorch's autocast does it, the encoder's matrix
     * products and convolutions in bfloat16 (norms and reductions in float32), its features brought
     * back to float32 for the objective's heads and loss; the weights, gradients, optimizer and
     * checkpoints stay float32. Fast on CPUs with AVX-512 BF16 or AMX and on GPUs that have bfloat16.
     */
    public static final Param<String> PRECISION = Param.ofChoice("precision", MixedPrecision.FLOAT32,
            MixedPrecision.CHOICES, "precision of the encoder's forward pass in each step: float32, or"
                    + " bf16 (mixed precision: the encoder's matrix products and convolutions in bfloat16, weights,"
                    + " gradients, optimizer, heads and loss in float32)");
    public static final Param<Long> CHECKPOINT_EVERY = Param.ofLong("checkpoint-every", 1000,
            "write a checkpoint every N steps (0: only at the end)").atLeast(0).formerly("checkpointEvery");
    public static final Param<Integer> KEEP_CHECKPOINTS = Param.ofInt("keep-checkpoints", 2,
            "checkpoints kept on disk (at least 2, so a damaged newest one has a fallback)").atLeast(2).formerly("keepCheckpoints");

    /** Every key of the section. */
    public static final List<Param<?>> ALL = List.of(BATCH_SIZE, EPOCHS, STEPS, MAX_SECONDS, OPTIMIZER, LEARNING_RATE,
            WEIGHT_DECAY, WEIGHT_DECAY_END, WEIGHT_DECAY_VECTORS, BETA1, BETA2, EPSILON, WARMUP, FINAL_LR, CLIP_NORM, LOG_EVERY,
            MONITOR_EVERY, PREPARE_THREADS, PREFETCH, PREPARE_PRIORITY, PRECISION,
            CHECKPOINT_EVERY, KEEP_CHECKPOINTS);

    private TrainingSettings() {}

    /**
     * Checks what no single key's range states: {@code weight-decay-end} is -1 or a number >= 0.
     *
     * @throws org.pretext.param.ParamException naming the key, its value and what was expected
     */
    public static void validate(ParamValues v) {
        double end = v.get(WEIGHT_DECAY_END);
        v.require(end == CONSTANT_WEIGHT_DECAY || end >= 0, WEIGHT_DECAY_END.name(),
                "a number >= 0 (the weight decay at the last step), or -1 for a constant weight decay");
    }

    /** A builder filled from validated values (seed, checkpoint folder and resume are set by the caller). */
    public static PretrainConfig.Builder toBuilder(ParamValues v) {
        validate(v);
        return PretrainConfig.builder()
                .batchSize(v.get(BATCH_SIZE))
                .epochs(v.get(EPOCHS))
                .steps(v.get(STEPS))
                .maxSeconds(v.get(MAX_SECONDS))
                .optimizer(v.get(OPTIMIZER))
                .learningRate(v.get(LEARNING_RATE))
                .weightDecay(v.get(WEIGHT_DECAY))
                .weightDecayEnd(v.get(WEIGHT_DECAY_END))
                .weightDecayVectors(v.get(WEIGHT_DECAY_VECTORS))
                .monitorEvery(v.get(MONITOR_EVERY))
                .beta1(v.get(BETA1))
                .beta2(v.get(BETA2))
                .epsilon(v.get(EPSILON))
                .warmupFraction(v.get(WARMUP))
                .finalLearningRateFraction(v.get(FINAL_LR))
                .clipNorm(v.get(CLIP_NORM))
                .logEvery(v.get(LOG_EVERY))
                .prepareThreads(v.get(PREPARE_THREADS))
                .prefetch(v.get(PREFETCH))
                .backgroundPreparation(v.get(PREPARE_PRIORITY).equals("background"))
                .precision(v.get(PRECISION))
                .checkpointEvery(v.get(CHECKPOINT_EVERY))
                .keepCheckpoints(v.get(KEEP_CHECKPOINTS));
    }
}
