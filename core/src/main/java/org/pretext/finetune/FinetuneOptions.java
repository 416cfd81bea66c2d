package org.pretext.finetune;

import java.util.ArrayList;
import java.util.List;
import org.pretext.PretextException;
import org.pretext.runtime.MixedPrecision;
import org.pretext.transform.Augmentation;

/**
 * How one fine-tuning draw trains. The runner fills it from the config's {@code finetune:}
 * section, where every value is a documented parameter.
 *
 * @param hidden 0 for a linear head, else the hidden width of an MLP head (one ReLU layer)
 * @param epochs passes over the draw's training rows (at most; early stopping may end sooner)
 * @param batchSize examples per step (a draw with fewer rows trains on all of them each step)
 * @param headLearningRate AdamW's peak rate for the head; the schedule decays it by a cosine to 0
 * @param encoderLearningRate the peak rate of the encoder's last block
 * @param layerDecay multiplies the encoder's rate once per block below the last (1: one rate for all)
 * @param weightDecay AdamW's decoupled weight decay
 * @param freezeBlocks the encoder's first N blocks ({@link EncoderLayers}) are not trained; N at
 *     least the encoder's block count trains the head alone
 * @param earlyStoppingFraction the fraction of each class's budget labels held out to stop on (0: off)
 * @param patience epochs without a better held-out accuracy before stopping
 * @param augmentation applied to each training example before the encoder sees it, or null
 * @param evalBatchSize examples per forward pass when measuring accuracy
 * @param noise noise on the encoder's parameters ({@link FinetuneNoise}: none, NoisyTune, PATS)
 * @param precision the precision of the training steps' encoder forward pass, as pretraining's
 *     ({@link MixedPrecision}): {@code float32}, or {@code bf16} (accuracy is measured in float32)
 */
public record FinetuneOptions(int hidden, int epochs, int batchSize, double headLearningRate,
        double encoderLearningRate, double layerDecay, double weightDecay, int freezeBlocks,
        double earlyStoppingFraction, int patience, Augmentation augmentation, int evalBatchSize,
        FinetuneNoise noise, String precision) {
    /** The config key of {@link #precision()}, named in its errors and notes. */
    public static final String PRECISION_KEY = "finetune.precision";

    /** @throws PretextException naming every value out of its range, and the range */
    public FinetuneOptions {
        List<String> bad = new ArrayList<>();
        check(bad, hidden >= 0, "hidden " + hidden + " (expected >= 0)");
        check(bad, epochs >= 1, "epochs " + epochs + " (expected >= 1)");
        check(bad, batchSize >= 1, "batch size " + batchSize + " (expected >= 1)");
        check(bad, headLearningRate > 0, "head learning rate " + headLearningRate + " (expected > 0)");
        check(bad, encoderLearningRate >= 0, "encoder learning rate " + encoderLearningRate + " (expected >= 0)");
        check(bad, layerDecay > 0 && layerDecay <= 1, "layer decay " + layerDecay + " (expected in (0, 1])");
        check(bad, weightDecay >= 0, "weight decay " + weightDecay + " (expected >= 0)");
        check(bad, freezeBlocks >= 0, "frozen blocks " + freezeBlocks + " (expected >= 0)");
        check(bad, earlyStoppingFraction >= 0 && earlyStoppingFraction < 1, "early-stopping fraction "
                + earlyStoppingFraction + " (expected in [0, 1))");
        check(bad, patience >= 1, "patience " + patience + " (expected >= 1)");
        check(bad, evalBatchSize >= 1, "evaluation batch size " + evalBatchSize + " (expected >= 1)");
        check(bad, noise != null, "no noise setting (expected FinetuneNoise.none() for none)");
        check(bad, MixedPrecision.CHOICES.contains(precision), "precision '" + precision + "' (expected one of "
                + MixedPrecision.CHOICES + ")");
        if (!bad.isEmpty()) {
            throw new PretextException("Invalid fine-tuning options: " + String.join(", ", bad));
        }
    }

    private static void check(List<String> bad, boolean ok, String what) {
        if (!ok) {
            bad.add(what);
        }
    }

    /** Linear head, 30 epochs of 16, rates 1e-2 (head) and 1e-4 (encoder), no decay, nothing frozen, float32. */
    public static FinetuneOptions defaults() {
        return new FinetuneOptions(0, 30, 16, 1e-2, 1e-4, 1.0, 0.0, 0, 0.0, 5, null, 1024, FinetuneNoise.none(),
                MixedPrecision.FLOAT32);
    }

    public FinetuneOptions withEpochs(int e) {
        return new FinetuneOptions(hidden, e, batchSize, headLearningRate, encoderLearningRate, layerDecay,
                weightDecay, freezeBlocks, earlyStoppingFraction, patience, augmentation, evalBatchSize, noise, precision);
    }

    public FinetuneOptions withFreezeBlocks(int n) {
        return new FinetuneOptions(hidden, epochs, batchSize, headLearningRate, encoderLearningRate, layerDecay,
                weightDecay, n, earlyStoppingFraction, patience, augmentation, evalBatchSize, noise, precision);
    }

    public FinetuneOptions withRates(double head, double encoder, double decay) {
        return new FinetuneOptions(hidden, epochs, batchSize, head, encoder, decay, weightDecay, freezeBlocks,
                earlyStoppingFraction, patience, augmentation, evalBatchSize, noise, precision);
    }

    public FinetuneOptions withEarlyStopping(double fraction, int p) {
        return new FinetuneOptions(hidden, epochs, batchSize, headLearningRate, encoderLearningRate, layerDecay,
                weightDecay, freezeBlocks, fraction, p, augmentation, evalBatchSize, noise, precision);
    }

    public FinetuneOptions withBatchSize(int b) {
        return new FinetuneOptions(hidden, epochs, b, headLearningRate, encoderLearningRate, layerDecay,
                weightDecay, freezeBlocks, earlyStoppingFraction, patience, augmentation, evalBatchSize, noise, precision);
    }

    public FinetuneOptions withAugmentation(Augmentation a) {
        return new FinetuneOptions(hidden, epochs, batchSize, headLearningRate, encoderLearningRate, layerDecay,
                weightDecay, freezeBlocks, earlyStoppingFraction, patience, a, evalBatchSize, noise, precision);
    }

    public FinetuneOptions withPrecision(String p) {
        return new FinetuneOptions(hidden, epochs, batchSize, headLearningRate, encoderLearningRate, layerDecay,
                weightDecay, freezeBlocks, earlyStoppingFraction, patience, augmentation, evalBatchSize, noise, p);
    }

    public FinetuneOptions withNoise(FinetuneNoise n) {
        return new FinetuneOptions(hidden, epochs, batchSize, headLearningRate, encoderLearningRate, layerDecay,
                weightDecay, freezeBlocks, earlyStoppingFraction, patience, augmentation, evalBatchSize, n, precision);
    }
}
