package org.pretext.engine;

import java.util.function.Supplier;
import org.apiguardian.api.API;

/**
 * Runs code with autograd recording switched off on the calling thread (PyTorch's
 * {@code torch.no_grad()}), restoring the previous mode afterwards. For in-place updates of state
 * that must never enter a graph, such as moving an EMA target towards the online weights: an op
 * that reads a parameter which requires a gradient would otherwise record a graph node and keep
 * the step's arrays alive. Never call it while a {@code GradientCollector} is open.
 */
@API(status = API.Status.STABLE, since = "0.2")
public final class NoGradient {
    private NoGradient() {}

    /** Runs {@code action} without recording gradients. */
    public static void run(Runnable action) {
        boolean previous = Engines.bridge().gradMode(false);
        try {
            action.run();
        } finally {
            Engines.bridge().gradMode(previous);
        }
    }

    /** Computes a value without recording gradients. */
    public static <T> T get(Supplier<T> action) {
        boolean previous = Engines.bridge().gradMode(false);
        try {
            return action.get();
        } finally {
            Engines.bridge().gradMode(previous);
        }
    }
}
