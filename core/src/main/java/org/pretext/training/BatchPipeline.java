package org.pretext.training;

import java.util.Iterator;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.pretext.PretextException;
import org.pretext.Seeds;
import org.pretext.data.Batch;
import org.pretext.data.BatchPlan;
import org.pretext.data.Split;
import org.pretext.objective.Objective;
import org.pretext.objective.PreparedBatch;
import org.pretext.runtime.ThreadPriority;

/**
 * Reads and prepares batches ahead of the training step, on worker threads, in step order.
 * Batch {@code s} is a pure function of the seed and {@code s}: epoch {@code s / stepsPerEpoch}'s
 * seeded permutation, and an augmentation stream seeded by (seed, s), however many threads run
 * and whichever thread prepares it.
 *
 * <p>With background preparation the workers run at the lowest priority ({@link ThreadPriority}), on
 * what the engine's threads leave idle, instead of taking turns with them; the step prepares a
 * batch itself when no worker has started it yet, and while it waits for one a worker is finishing,
 * the first later batch no worker has started. Should the step wait for a batch a worker is
 * preparing while that worker, runnable, gets less than half a core (other work on the machine
 * starving it), for 0.2 s in all, the rest of the run prepares at normal priority.
 */
final class BatchPipeline implements AutoCloseable {
    private static final long AUGMENT_STREAM = 0x5eed_a0a0L;
    /** How long the step waits for a batch in preparation before it checks whether the worker is starved. */
    private static final long STARVATION_CHECK_NANOS = 20_000_000L;
    /**
     * Waits in which the worker was starved, added up, after which the rest of the run prepares at normal
     * priority: more than a start-up's bursts of other threads of the JVM (a worker was seen starved for
     * 23 ms at the start of a test that ran nothing else), far less than a run.
     */
    private static final long STARVED_SWITCH_NANOS = 200_000_000L;
    private long starvedWaitNanos;
    private long starvedRunNanos;
    private final BlockingQueue<Pending> queue;
    private final int threads;
    private final Object submitLock = new Object();
    private final ThreadPoolExecutor background;
    private ThreadPoolExecutor normal;
    private volatile String starvedNote;
    private final Thread reader;
    private volatile boolean closed;
    private volatile Throwable readError;
    private long selfPreparedNanos;

    /** A batch in preparation, and the thread that prepares it once one has started. */
    private static final class Pending {
        private volatile Thread runner;
        private final FutureTask<PreparedBatch> task;

        Pending(Callable<PreparedBatch> work) {
            this.task = new FutureTask<>(() -> {
                runner = Thread.currentThread();
                return work.call();
            });
        }
    }

    BatchPipeline(Split data, Objective objective, int batchSize, long seed, long startStep, long totalSteps,
            long stepsPerEpoch, int threads, int prefetch, boolean backgroundPriority) {
        this.queue = new ArrayBlockingQueue<>(prefetch);
        this.threads = threads;
        this.background = backgroundPriority ? pool(threads, "pretext-prepare-", true) : null;
        this.normal = backgroundPriority ? null : pool(threads, "pretext-prepare-", false);
        this.reader = new Thread(() -> {
            try {
                Iterator<Batch> it = null;
                long itEpoch = -1;
                for (long s = startStep; s < totalSteps && !closed; s++) {
                    long epoch = s / stepsPerEpoch;
                    if (epoch != itEpoch) {
                        it = data.batches(BatchPlan.shuffled(batchSize, seed, epoch).startingAt(s % stepsPerEpoch));
                        itEpoch = epoch;
                    }
                    Batch raw = it.next();
                    long step = s;
                    Pending p = new Pending(() -> objective.prepare(raw,
                            new SplittableRandom(Seeds.derive(seed, AUGMENT_STREAM, step))));
                    synchronized (submitLock) {
                        (normal != null ? normal : background).execute(p.task);
                    }
                    queue.put(p);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable e) {
                readError = e;
            }
        }, "pretext-read");
        reader.setDaemon(true);
        reader.start();
    }

    private static ThreadPoolExecutor pool(int threads, String name, boolean background) {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(threads, threads, 0L, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(background ? () -> {
                ThreadPriority.lowerCurrentThread();
                r.run();
            } : r, name + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The next prepared batch: prepared here if no worker has started it; else, while waiting for it,
     * a later batch no worker has started is prepared here.
     */
    PreparedBatch next() {
        try {
            Pending p;
            while ((p = queue.poll(100, TimeUnit.MILLISECONDS)) == null) {
                if (readError != null) {
                    throw new PretextException("Reading training data failed: " + readError.getMessage(), readError);
                }
                if (!reader.isAlive() && queue.isEmpty()) {
                    throw new IllegalStateException("batch reader ended early");
                }
            }
            if (!p.task.isDone()) {
                // no worker has started it: prepared here (a no-op if one just did); else, while a worker
                // finishes it, the first later batch no worker has started, on the core the step leaves idle
                Pending here = p.runner == null ? p : firstUnstarted();
                if (here != null) {
                    long t0 = System.nanoTime();
                    here.task.run();
                    selfPreparedNanos += System.nanoTime() - t0;
                }
            }
            if (!p.task.isDone() && starvedNote == null && background != null) {
                awaitWatchingForStarvation(p);
            }
            return p.task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PretextException("interrupted while waiting for a batch", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new PretextException("Preparing a batch failed: " + c, c);
        }
    }

    /**
     * Waits for a batch a background worker is preparing; moves the rest of the run to normal
     * priority if the worker gets less than half a core's time while the step waits.
     */
    private void awaitWatchingForStarvation(Pending p) throws InterruptedException, ExecutionException {
        Thread worker = p.runner;
        ThreadMXBean clocks = ManagementFactory.getThreadMXBean();
        long cpu0 = worker == null ? -1 : clocks.getThreadCpuTime(worker.getId());
        long t0 = System.nanoTime();
        while (!p.task.isDone()) {
            try {
                p.task.get(5, TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException e) {
                long wall = System.nanoTime() - t0;
                if (cpu0 < 0 || wall < STARVATION_CHECK_NANOS) {
                    continue;
                }
                long cpu = clocks.getThreadCpuTime(worker.getId());
                // a worker that sleeps or blocks (not RUNNABLE) is slow, not starved
                if (cpu >= 0 && cpu - cpu0 < wall / 2 && worker.getState() == Thread.State.RUNNABLE) {
                    starvedWaitNanos += wall;
                    starvedRunNanos += cpu - cpu0;
                    if (starvedWaitNanos >= STARVED_SWITCH_NANOS) {
                        moveToNormalPriority(String.format(java.util.Locale.ROOT, "while the step waited %.0f ms for"
                                + " batches, their preparing threads ran %.0f ms", starvedWaitNanos / 1e6,
                                starvedRunNanos / 1e6));
                        return;
                    }
                }
                cpu0 = cpu; // judged afresh over the next interval
                t0 = System.nanoTime();
            }
        }
    }

    private void moveToNormalPriority(String why) {
        synchronized (submitLock) {
            starvedNote = why;
            normal = pool(threads, "pretext-prepare-normal-", false);
            java.util.List<Runnable> waiting = new java.util.ArrayList<>();
            background.getQueue().drainTo(waiting);
            waiting.forEach(normal::execute);
            background.shutdown(); // the batch a starved worker holds finishes there
        }
    }

    private Pending firstUnstarted() {
        for (Pending q : queue) {
            if (q.runner == null && !q.task.isDone()) {
                return q;
            }
        }
        return null;
    }

    /** Time {@link #next} has spent preparing batches on the calling thread so far. */
    long selfPreparedNanos() {
        return selfPreparedNanos;
    }

    /**
     * Null, or why the preparation moved to normal priority mid-run (other work starved the
     * background workers while the step waited).
     */
    String starvedNote() {
        return starvedNote;
    }

    @Override
    public void close() {
        closed = true;
        reader.interrupt();
        synchronized (submitLock) {
            if (background != null) {
                background.shutdownNow();
            }
            if (normal != null) {
                normal.shutdownNow();
            }
        }
        queue.clear();
    }
}
