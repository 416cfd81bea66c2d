package org.pretext.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.pretext.PretextException;

/**
 * Runs tasks on a fixed number of new daemon threads, started in the order given, and returns only
 * when every task that started has finished, so that no task outlives what its caller frees next.
 * The first failure in task order is rethrown; tasks not started by then never start. With one
 * thread the tasks run on the calling thread.
 */
final class WorkerThreads {
    private WorkerThreads() {}

    /**
     * @param threads at most this many tasks at once
     * @param name the threads' names: {@code name-1}, {@code name-2}, ...
     */
    static <T> void run(List<T> tasks, int threads, String name, Consumer<T> body) {
        int n = Math.min(threads, tasks.size());
        if (n <= 1) {
            tasks.forEach(body);
            return;
        }
        AtomicInteger number = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, name + "-" + number.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (T task : tasks) {
                futures.add(pool.submit(() -> body.accept(task)));
            }
            RuntimeException failure = null;
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause() instanceof RuntimeException r ? r
                                : new IllegalStateException(e.getCause().toString(), e.getCause());
                        futures.forEach(other -> other.cancel(false));
                    }
                } catch (CancellationException e) {
                    // not started: an earlier task failed
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    futures.forEach(other -> other.cancel(false));
                    if (failure == null) {
                        failure = new PretextException("Interrupted while waiting for " + name + " threads");
                    }
                    break;
                }
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            pool.shutdown();
            awaitTermination(pool);
        }
    }

    private static void awaitTermination(ExecutorService pool) {
        boolean interrupted = false;
        while (true) {
            try {
                if (pool.awaitTermination(1, TimeUnit.DAYS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
