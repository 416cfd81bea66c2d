package org.pretext.probe;

import ai.djl.pytorch.jni.JniUtils;
import org.pretext.engine.Engines;

/**
 * Sets the PyTorch engine's intra-op thread count for a block of work and restores it on
 * {@link #close()}. Does nothing for another engine, or for a count of 0.
 */
final class EngineThreads implements AutoCloseable {
    private final int previous;

    private EngineThreads(int previous) {
        this.previous = previous;
    }

    /** Sets {@code threads} (0: leave as is) until the returned handle is closed. */
    static EngineThreads set(int threads) {
        if (threads <= 0 || !"PyTorch".equals(Engines.engine().getEngineName())) {
            return new EngineThreads(-1);
        }
        int before = JniUtils.getNumThreads();
        if (before == threads) {
            return new EngineThreads(-1);
        }
        JniUtils.setNumThreads(threads);
        return new EngineThreads(before);
    }

    /** The engine's current intra-op thread count (PyTorch), or -1. */
    static int current() {
        return "PyTorch".equals(Engines.engine().getEngineName()) ? JniUtils.getNumThreads() : -1;
    }

    @Override
    public void close() {
        if (previous > 0) {
            JniUtils.setNumThreads(previous);
        }
    }
}
