package org.pretext.objective;

import org.apiguardian.api.API;
import ai.djl.ndarray.NDManager;

/**
 * What an objective's loss sees of the step it runs in: the model (encoder and heads), the step's
 * own memory scope, the step number, and a place to report extra metrics.
 */
@API(status = API.Status.STABLE, since = "0.1")
public interface StepContext {
    /** The encoder and heads, in training mode. */
    Model model();

    /** The step's manager: arrays created here are freed when the step ends. */
    NDManager manager();

    /** Zero-based step number. */
    long step();

    /** Number of steps the run plans (for schedules such as BYOL's momentum). */
    long totalSteps();

    /** Records a named scalar for this step's metrics line (e.g. a loss term). */
    void metric(String name, double value);
}
