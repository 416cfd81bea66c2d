package org.pretext.training;

import java.nio.file.Path;
import org.pretext.PretextException;

/**
 * How to pretrain: batch, length, AdamW, schedule, clipping, seed, logging and checkpoints.
 * Build with {@link #builder()}; every field is documented where it is declared, and starts from
 * the default of its key in {@link TrainingSettings}, the one source of defaults.
 */
public final class PretrainConfig {
    /** Examples per batch (before the objective makes views of them). */
    private int batchSize = TrainingSettings.BATCH_SIZE.defaultValue();
    /** Number of passes over the pretraining split; used when {@link #steps} is 0. */
    private int epochs = TrainingSettings.EPOCHS.defaultValue();
    /** Exact number of optimizer updates; 0 means {@code epochs × ⌊size / batchSize⌋}. */
    private long steps = TrainingSettings.STEPS.defaultValue();
    /** Stop after this many seconds even if steps remain (0: no time limit). Not reproducible. */
    private double maxSeconds = TrainingSettings.MAX_SECONDS.defaultValue();
    /** The optimizer: {@code adamw} or {@code sgd} ({@link org.pretext.training.optimizer.Optimizer#NAMES}). */
    private String optimizer = TrainingSettings.OPTIMIZER.defaultValue();
    /**
     * Stop after the update that reaches this step, with a checkpoint, as if the run were cut there
     * (0: run to the end). The schedule is still that of the whole run: a run resumed from that
     * checkpoint continues exactly.
     */
    private long stopAt;
    /** Peak learning rate of AdamW. */
    private double learningRate = TrainingSettings.LEARNING_RATE.defaultValue();
    /** Decoupled weight decay λ of AdamW. */
    private double weightDecay = TrainingSettings.WEIGHT_DECAY.defaultValue();
    /**
     * Weight decay at the end of the run, reached by a half cosine from {@link #weightDecay} over all
     * steps; {@link TrainingSettings#CONSTANT_WEIGHT_DECAY} (-1, the default): λ stays constant.
     */
    private double weightDecayEnd = TrainingSettings.WEIGHT_DECAY_END.defaultValue();
    /** Decay 1-D parameters (biases, norm gains) too; false decays matrices only, as GPT-2/nanoGPT, BERT and ViT do. */
    private boolean weightDecayVectors = TrainingSettings.WEIGHT_DECAY_VECTORS.defaultValue();
    /** AdamW β₁. */
    private double beta1 = TrainingSettings.BETA1.defaultValue();
    /** AdamW β₂. */
    private double beta2 = TrainingSettings.BETA2.defaultValue();
    /** AdamW ε. */
    private double epsilon = TrainingSettings.EPSILON.defaultValue();
    /** Linear warm-up length as a fraction of all steps. */
    private double warmupFraction = TrainingSettings.WARMUP.defaultValue();
    /** Learning rate at the end of the cosine decay, as a fraction of the peak (1 = constant). */
    private double finalLearningRateFraction = TrainingSettings.FINAL_LR.defaultValue();
    /** Clip the global gradient L2 norm to this value (0: no clipping). */
    private double clipNorm = TrainingSettings.CLIP_NORM.defaultValue();
    /** Seed of everything random: initial weights, batch order, augmentations, masks. */
    private long seed = 42;
    /** Log metrics every this many steps. */
    private int logEvery = TrainingSettings.LOG_EVERY.defaultValue();
    /** Also run the epoch monitors every this many steps (0: at epoch ends only), e.g. a validation loss every 250 steps. */
    private long monitorEvery = TrainingSettings.MONITOR_EVERY.defaultValue();
    /** Threads preparing batches (augmentation, masking) ahead of the training step. */
    private int prepareThreads = TrainingSettings.PREPARE_THREADS.defaultValue();
    /** Whether the preparation threads run at background priority ({@link TrainingSettings#PREPARE_PRIORITY}). */
    private boolean backgroundPreparation = TrainingSettings.PREPARE_PRIORITY.defaultValue().equals("background");
    /**
     * The precision of the step's encoder forward pass ({@link TrainingSettings#PRECISION}):
     * {@code float32}, or {@code bf16} (mixed precision: {@link org.pretext.runtime.MixedPrecision}).
     */
    private String precision = TrainingSettings.PRECISION.defaultValue();
    /** Batches prepared ahead of the step. */
    private int prefetch = TrainingSettings.PREFETCH.defaultValue();
    /** Folder for checkpoints; null for none. */
    private Path checkpointDir;
    /** Write a checkpoint every this many steps (0: only at the end). */
    private long checkpointEvery = TrainingSettings.CHECKPOINT_EVERY.defaultValue();
    /** Checkpoints kept on disk; older ones are deleted. At least 2, so a damaged latest one has a fallback. */
    private int keepCheckpoints = TrainingSettings.KEEP_CHECKPOINTS.defaultValue();
    /** Continue from the newest valid checkpoint in {@link #checkpointDir} if there is one. */
    private boolean resume;
    /** Devices of the replicas, the model's first; empty: the model's device alone. */
    private java.util.List<ai.djl.Device> devices = java.util.List.of();

    private PretrainConfig() {}

    public static Builder builder() {
        return new Builder();
    }

    public int batchSize() { return batchSize; }
    public int epochs() { return epochs; }
    public long steps() { return steps; }
    public double maxSeconds() { return maxSeconds; }
    public String optimizer() { return optimizer; }
    public long stopAt() { return stopAt; }
    public double learningRate() { return learningRate; }
    public double weightDecay() { return weightDecay; }
    public double weightDecayEnd() { return weightDecayEnd; }
    /** Whether the weight decay follows a schedule ({@link #weightDecayEnd} is set) rather than staying constant. */
    public boolean weightDecayScheduled() { return weightDecayEnd != TrainingSettings.CONSTANT_WEIGHT_DECAY; }
    public boolean weightDecayVectors() { return weightDecayVectors; }
    public double beta1() { return beta1; }
    public double beta2() { return beta2; }
    public double epsilon() { return epsilon; }
    public double warmupFraction() { return warmupFraction; }
    public double finalLearningRateFraction() { return finalLearningRateFraction; }
    public double clipNorm() { return clipNorm; }
    public long seed() { return seed; }
    public int logEvery() { return logEvery; }
    public long monitorEvery() { return monitorEvery; }
    public int prepareThreads() { return prepareThreads; }
    public int prefetch() { return prefetch; }
    public boolean backgroundPreparation() { return backgroundPreparation; }
    public String precision() { return precision; }
    /** Devices of the encoder's replicas, the model's first; empty (the default): the model's device alone. */
    public java.util.List<ai.djl.Device> devices() { return devices; }
    public Path checkpointDir() { return checkpointDir; }
    public long checkpointEvery() { return checkpointEvery; }
    public int keepCheckpoints() { return keepCheckpoints; }
    public boolean resume() { return resume; }

    /** A builder with the documented defaults. */
    public static final class Builder {
        private final PretrainConfig c = new PretrainConfig();

        public Builder batchSize(int v) { c.batchSize = check("batchSize", v, v > 0, "> 0"); return this; }
        public Builder epochs(int v) { c.epochs = check("epochs", v, v > 0, "> 0"); return this; }
        public Builder steps(long v) { c.steps = check("steps", v, v >= 0, ">= 0"); return this; }
        public Builder maxSeconds(double v) { c.maxSeconds = check("maxSeconds", v, v >= 0, ">= 0"); return this; }
        public Builder optimizer(String v) {
            c.optimizer = check("optimizer", v, org.pretext.training.optimizer.Optimizer.NAMES.contains(v),
                    "one of " + org.pretext.training.optimizer.Optimizer.NAMES);
            return this;
        }
        public Builder stopAt(long v) { c.stopAt = check("stopAt", v, v >= 0, ">= 0"); return this; }
        public Builder learningRate(double v) { c.learningRate = check("learningRate", v, v > 0, "> 0"); return this; }
        public Builder weightDecay(double v) { c.weightDecay = check("weightDecay", v, v >= 0, ">= 0"); return this; }
        public Builder weightDecayEnd(double v) {
            c.weightDecayEnd = check("weightDecayEnd", v, v == TrainingSettings.CONSTANT_WEIGHT_DECAY
                    || (v >= 0 && !Double.isInfinite(v)), "a number >= 0, or -1 for a constant weight decay");
            return this;
        }
        public Builder weightDecayVectors(boolean v) { c.weightDecayVectors = v; return this; }
        public Builder beta1(double v) { c.beta1 = check("beta1", v, v >= 0 && v < 1, "in [0, 1)"); return this; }
        public Builder beta2(double v) { c.beta2 = check("beta2", v, v >= 0 && v < 1, "in [0, 1)"); return this; }
        public Builder epsilon(double v) { c.epsilon = check("epsilon", v, v > 0, "> 0"); return this; }
        public Builder warmupFraction(double v) {
            c.warmupFraction = check("warmupFraction", v, v >= 0 && v < 1, "in [0, 1)");
            return this;
        }
        public Builder finalLearningRateFraction(double v) {
            c.finalLearningRateFraction = check("finalLearningRateFraction", v, v >= 0 && v <= 1, "in [0, 1]");
            return this;
        }
        public Builder clipNorm(double v) { c.clipNorm = check("clipNorm", v, v >= 0, ">= 0"); return this; }
        public Builder seed(long v) { c.seed = v; return this; }
        /**
         * Data-parallel pretraining: one replica of the encoder per device, the first of which must
         * be the model's; the same device may be given several times (e.g. N CPU replicas).
         */
        public Builder devices(java.util.List<ai.djl.Device> v) {
            c.devices = java.util.List.copyOf(v);
            return this;
        }
        public Builder logEvery(int v) { c.logEvery = check("logEvery", v, v > 0, "> 0"); return this; }
        public Builder monitorEvery(long v) {
            c.monitorEvery = check("monitorEvery", v, v >= 0, ">= 0");
            return this;
        }
        public Builder prepareThreads(int v) {
            c.prepareThreads = check("prepareThreads", v, v > 0 && v <= org.pretext.engine.ThreadLimit.available(),
                    "> 0 and <= " + org.pretext.engine.ThreadLimit.available() + " (the processors available to Java)");
            return this;
        }
        public Builder backgroundPreparation(boolean v) { c.backgroundPreparation = v; return this; }
        public Builder precision(String v) {
            c.precision = check("precision", v, org.pretext.runtime.MixedPrecision.CHOICES.contains(v),
                    "one of " + org.pretext.runtime.MixedPrecision.CHOICES);
            return this;
        }
        public Builder prefetch(int v) { c.prefetch = check("prefetch", v, v > 0 && v <= 1024, "1 to 1024"); return this; }
        public Builder checkpointDir(Path v) { c.checkpointDir = v; return this; }
        public Builder checkpointEvery(long v) {
            c.checkpointEvery = check("checkpointEvery", v, v >= 0, ">= 0");
            return this;
        }
        public Builder keepCheckpoints(int v) {
            c.keepCheckpoints = check("keepCheckpoints", v, v >= 2, ">= 2");
            return this;
        }
        public Builder resume(boolean v) { c.resume = v; return this; }

        public PretrainConfig build() {
            PretrainConfig out = new PretrainConfig();
            out.batchSize = c.batchSize;
            out.epochs = c.epochs;
            out.steps = c.steps;
            out.maxSeconds = c.maxSeconds;
            out.optimizer = c.optimizer;
            out.stopAt = c.stopAt;
            out.learningRate = c.learningRate;
            out.weightDecay = c.weightDecay;
            out.weightDecayEnd = c.weightDecayEnd;
            out.weightDecayVectors = c.weightDecayVectors;
            out.beta1 = c.beta1;
            out.beta2 = c.beta2;
            out.epsilon = c.epsilon;
            out.warmupFraction = c.warmupFraction;
            out.finalLearningRateFraction = c.finalLearningRateFraction;
            out.clipNorm = c.clipNorm;
            out.seed = c.seed;
            out.logEvery = c.logEvery;
            out.monitorEvery = c.monitorEvery;
            out.prepareThreads = c.prepareThreads;
            out.prefetch = c.prefetch;
            out.backgroundPreparation = c.backgroundPreparation;
            out.precision = c.precision;
            out.checkpointDir = c.checkpointDir;
            out.checkpointEvery = c.checkpointEvery;
            out.keepCheckpoints = c.keepCheckpoints;
            out.resume = c.resume;
            out.devices = c.devices;
            return out;
        }

        private static <T> T check(String key, T value, boolean ok, String expected) {
            if (!ok) {
                throw new PretextException("Invalid value " + value + " for training." + key.replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT) + ": expected " + expected);
            }
            return value;
        }
    }
}
