package org.pretext.training;

import java.nio.file.Path;
import org.pretext.training.PretrainResult;

/** Observes pretraining: progress, metrics, checkpoints. Every method does nothing by default. */
public interface TrainingListener {
    /** Before the first step; {@code startStep} > 0 when resuming. */
    default void onStart(long startStep, long totalSteps) {}

    /** Every logged step. */
    default void onStep(StepMetrics metrics) {}

    /** After a checkpoint was written. */
    default void onCheckpoint(Path file, long step) {}

    /** After the last step. */
    default void onEnd(PretrainResult result) {}
}
