package org.pretext.finetune;

import org.pretext.PretextException;
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
 */
public record FinetuneOptions(int hidden, int epochs, int batchSize, double headLearningRate,
        double encoderLearningRate, double layerDecay, double weightDecay, int freezeBlocks,
        double earlyStoppingFraction, int patience, Augmentation augmentation, int evalBatchSize,
        FinetuneNoise noise) {
    public FinetuneOptions {
        if (hidden < 0 || epochs < 1 || batchSize < 1 || !(headLearningRate > 0) || !(encoderLearningRate >= 0)
                || !(layerDecay > 0 && layerDecay <= 1) || !(weightDecay >= 0) || freezeBlocks < 0
                || !(earlyStoppingFraction >= 0 && earlyStoppingFraction < 1) || patience < 1 || evalBatchSize < 1
                || noise == null) {
            throw new PretextException("Invalid fine-tuning options " + this);
        }
    }

    /** Linear head, 30 epochs of 16, rates 1e-2 (head) and 1e-4 (encoder), no decay, nothing frozen. */
    public static FinetuneOptions defaults() {
        return new FinetuneOptions(0, 30, 16, 1e-2, 1e-4, 1.0, 0.0, 0, 0.0, 5, null, 1024, FinetuneNoise.none());
    }

    public FinetuneOptions withEpochs(int e) {
        return new FinetuneOptions(hidden, e, batchSize, headLearningRate, encoderLearningRate, layerDecay,
                weightDecay, freezeBlocks, earlyStoppingFraction, patience, augmentation, evalBatchSize, noise);
    }

    public FinetuneOptions withFreezeBlocks(int n) {
        return new FinetuneOptions(hidden, epochs, batchSize, headLearningRate, encoderLearningRate, layerDecay,
                weightDecay, n, earlyStoppingFraction, patience, augmentation, evalBatchSize, noise);
    }

    public FinetuneOptions withRates(double head, double encoder, double decay) {
        return new FinetuneOptions(hidden, epochs, batchSize, head, encoder, decay, weightDecay, freezeBlocks,
                earlyStoppingFraction, patience, augmentation, evalBatchSize, noise);
    }

    public FinetuneOptions withEarlyStopping(double fraction, int p) {
        return new FinetuneOptions(hidden, epochs, batchSize, headLearningRate, encoderLearningRate, layerDecay,
                weightDecay, freezeBlocks, fraction, p, augmentation, evalBatchSize, noise);
    }

    public FinetuneOptions withBatchSize(int b) {
        return new FinetuneOptions(hidden, epochs, b, headLearningRate, encoderLearningRate, layerDecay,
                weightDecay, freezeBlocks, earlyStoppingFraction, patience, augmentation, evalBatchSize, noise);
    }

    public FinetuneOptions withAugmentation(Augmentation a) {
        return new FinetuneOptions(hidden, epochs, batchSize, headLearningRate, encoderLearningRate, layerDecay,
                weightDecay, freezeBlocks, earlyStoppingFraction, patience, a, evalBatchSize, noise);
    }

    public FinetuneOptions withNoise(FinetuneNoise n) {
        return new FinetuneOptions(hidden, epochs, batchSize, headLearningRate, encoderLearningRate, layerDecay,
                weightDecay, freezeBlocks, earlyStoppingFraction, patience, augmentation, evalBatchSize, n);
    }
}
