package org.pretext.engine;

import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * Runs code with autograd recording switched off on the calling thread (PyTorch's
 * {@code torch.no_grad()}), restoring the previous mode afterwards. For in-place updates of state
 * that must never enter a graph, such as moving an EMA target towards the online weights: an op
 * that reads a parameter which requires a gradient would otherwise record a graph node and keep
 * the step's arrays alive. Never call it while a {@code GradientCollector} is open.
 */
public final class NoGradient {
    private NoGradient() {}

    /** Runs {@code action} without recording gradients. */
    public static void run(Runnable action) {
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            action.run();
        } finally {
            JniUtils.setGradMode(previous);
        }
    }

    /** Computes a value without recording gradients. */
    public static <T> T get(Supplier<T> action) {
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return action.get();
        } finally {
            JniUtils.setGradMode(previous);
        }
    }
}
