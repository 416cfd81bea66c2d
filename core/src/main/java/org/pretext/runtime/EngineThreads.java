package org.pretext.runtime;

import ai.djl.pytorch.jni.JniUtils;
import org.pretext.engine.Engines;

/**
 * The PyTorch engine's intra-op thread count of the calling thread, set for a block of work and
 * restored on {@link #close()}. Does nothing for another engine, or for a count of 0.
 *
 * <p>libtorch keeps the count per OS thread (OpenMP's and MKL's thread-local settings): setting it
 * changes the calling thread's parallel regions, not those of threads already running engine work,
 * and becomes the count of threads that have not run any engine work yet. So threads that share one
 * engine can each work on their own cores, e.g. the tasks of a Spark executor.
 */
public final class EngineThreads implements AutoCloseable {
    private final int previous;

    private EngineThreads(int previous) {
        this.previous = previous;
    }

    /** Sets the calling thread's count to {@code threads} (0: leave as is) until the returned handle is closed. */
    public static EngineThreads set(int threads) {
        if (threads <= 0 || !pyTorch()) {
            return new EngineThreads(-1);
        }
        int before = JniUtils.getNumThreads();
        if (before == threads) {
            return new EngineThreads(-1);
        }
        JniUtils.setNumThreads(threads);
        return new EngineThreads(before);
    }

    /**
     * Sets the calling thread's count to {@code threads} for the rest of its life (0 or another
     * engine: nothing), e.g. on a pooled worker thread that keeps doing the same kind of work.
     */
    public static void keep(int threads) {
        set(threads); // never closed: nothing to restore
    }

    /** The calling thread's intra-op thread count (PyTorch), or -1 for another engine. */
    public static int current() {
        return pyTorch() ? JniUtils.getNumThreads() : -1;
    }

    private static boolean pyTorch() {
        return "PyTorch".equals(Engines.engine().getEngineName());
    }

    @Override
    public void close() {
        if (previous > 0) {
            JniUtils.setNumThreads(previous);
        }
    }
}
