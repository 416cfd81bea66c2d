package org.pretext.testkit;

/** The checks of the objective contract, each a test of {@link ObjectiveContract}. */
public enum Check {
    /** The loss is finite at every step and lower at the end of a short run than at its start. */
    LOSS_FALLS("loss finite and falling"),
    /** Autograd's gradients agree with central finite differences of the loss. */
    GRADIENTS("gradients against finite differences"),
    /** Two runs from one seed give bit-identical losses. */
    SAME_SEED("same seed, same losses"),
    /** A run resumed from a checkpoint continues with exactly the losses of a run that never stopped. */
    EXACT_RESUME("exact resume from saved state"),
    /** A training step leaves no arrays behind, and closing the model frees everything the objective made. */
    NO_ARRAYS_LEFT("no arrays left after a step"),
    /** Unknown keys, wrongly typed and out-of-range values are refused with a message naming the key. */
    PARAMETERS("parameters validated by name"),
    /**
     * An objective that declares it can be trained on several devices gives, on 2 and 3 CPU
     * replicas, the loss and gradients of one replica (skipped for {@code SINGLE_DEVICE}).
     */
    DATA_PARALLEL("the same step on several replicas as on one");

    private final String title;

    Check(String title) {
        this.title = title;
    }

    /** A few words saying what the check proves. */
    public String title() {
        return title;
    }
}
