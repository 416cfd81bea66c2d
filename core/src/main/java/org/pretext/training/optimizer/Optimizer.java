package org.pretext.training.optimizer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * An optimizer of the pretraining loop ({@code training.optimizer}: {@link AdamW}, the default, or
 * {@link Sgd}): it updates the parameters it is attached to in place from their gradients, zeroes
 * the gradients, and writes and reads its state for checkpoints.
 */
public interface Optimizer extends AutoCloseable {
    /** Creates the state of each parameter (e.g. zero moments) in a sub-manager of {@code owner}. */
    void attach(Map<String, Parameter> parameters, NDManager owner);

    /**
     * Applies one update to every parameter and zeroes its gradient.
     *
     * @param learningRate η for this step
     * @param gradientScale s, e.g. min(1, maxNorm/‖g‖) for global-norm clipping
     */
    void step(double learningRate, double gradientScale);

    /**
     * Sets the decoupled weight decay λ of the updates that follow, e.g. each step from a schedule
     * ({@code training.weight-decay-end}). λ is not saved with the state: a resumed run sets it from
     * its step again.
     *
     * @throws UnsupportedOperationException if this optimizer has no weight decay
     * @throws IllegalArgumentException if λ is negative or not finite
     */
    default void setWeightDecay(double weightDecay) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no weight decay to set");
    }

    /** λ itself if it is a finite number >= 0; otherwise an IllegalArgumentException naming it. */
    static double checkWeightDecay(double weightDecay) {
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay " + weightDecay + ": expected a finite number >= 0");
        }
        return weightDecay;
    }

    /** Number of updates made so far. */
    long updates();

    /** Zeroes every gradient without updating (e.g. after a skipped step). */
    void zeroGradients();

    /**
     * The global L2 norm of all gradients, √Σ‖g‖².
     *
     * @param scratch a short-lived manager (the step's) that owns the temporary arrays
     */
    double gradientNorm(NDManager scratch);

    /**
     * The arrays of the optimizer's state that are averaged with the parameters when several
     * replicas of a model are merged (Adam's moments; none for plain SGD), in a fixed order. Updating
     * them in place changes the optimizer's state.
     */
    List<NDArray> stateArrays();

    /** The exact number of bytes {@link #write} gives for the parameters attached. */
    long stateBytes();

    /** Writes the state, parameter by parameter with its name. */
    void write(DataOutputStream out) throws IOException;

    /** Reads what {@link #write} wrote for the same parameters; refuses a mismatch by name. */
    void read(DataInputStream in) throws IOException;

    /** Names of the parameters in update order. */
    Map<String, Parameter> parameters();

    @Override
    void close();

    /** The names {@code training.optimizer} takes. */
    List<String> NAMES = List.of("adamw", "sgd");
}
