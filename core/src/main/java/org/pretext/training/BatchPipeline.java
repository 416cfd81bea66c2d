package org.pretext.training;

import java.util.Iterator;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.pretext.PretextException;
import org.pretext.Seeds;
import org.pretext.data.Batch;
import org.pretext.data.BatchPlan;
import org.pretext.data.Split;
import org.pretext.objective.Objective;
import org.pretext.objective.PreparedBatch;

/**
 * Reads and prepares batches ahead of the training step, on worker threads, in step order.
 * Batch {@code s} is a pure function of the seed and {@code s}: epoch {@code s / stepsPerEpoch}'s
 * seeded permutation, and an augmentation stream seeded by (seed, s), however many threads run.
 */
final class BatchPipeline implements AutoCloseable {
    private static final long AUGMENT_STREAM = 0x5eed_a0a0L;
    private final BlockingQueue<Future<PreparedBatch>> queue;
    private final ExecutorService workers;
    private final Thread reader;
    private volatile boolean closed;
    private volatile Throwable readError;

    BatchPipeline(Split data, Objective objective, int batchSize, long seed, long startStep, long totalSteps,
            long stepsPerEpoch, int threads, int prefetch) {
        this.queue = new ArrayBlockingQueue<>(prefetch);
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "pretext-prepare-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
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
                    Future<PreparedBatch> f = workers.submit(() -> objective.prepare(raw,
                            new SplittableRandom(Seeds.derive(seed, AUGMENT_STREAM, step))));
                    queue.put(f);
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

    /** The next prepared batch, waiting for it if needed. */
    PreparedBatch next() {
        try {
            while (true) {
                Future<PreparedBatch> f = queue.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (f != null) {
                    return f.get();
                }
                if (readError != null) {
                    throw new PretextException("Reading training data failed: " + readError.getMessage(), readError);
                }
                if (!reader.isAlive() && queue.isEmpty()) {
                    throw new IllegalStateException("batch reader ended early");
                }
            }
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

    @Override
    public void close() {
        closed = true;
        reader.interrupt();
        workers.shutdownNow();
        queue.clear();
    }
}
