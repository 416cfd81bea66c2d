package org.pretext.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.pretext.data.Batch;
import org.pretext.data.IndexedSplit;
import org.pretext.objective.ForwardingObjective;
import org.pretext.objective.PreparedBatch;
import org.pretext.runtime.ThreadPriority;

/**
 * The batch pipeline's background preparation: the same batches whichever thread prepares them and
 * at whichever priority, workers really at the lowest priority, the step preparing batches no worker
 * has started, and a worker starved by other work (busy threads at normal priority, in this JVM)
 * moving the rest of the run to normal priority.
 */
class BatchPipelineTest {
    private static final int STEPS_PER_EPOCH = 8; // 512 toy vectors in batches of 64

    /** The toy objective, burning about {@code millis} of CPU per batch and noting who prepared it at what nice value. */
    private static final class Burning extends ForwardingObjective {
        final Map<String, Integer> niceByThread = new ConcurrentHashMap<>();
        private final long nanos;

        Burning(double millis) {
            super(new ToyDenoising());
            this.nanos = (long) (millis * 1e6);
        }

        @Override
        public PreparedBatch prepare(Batch batch, SplittableRandom random) {
            niceByThread.putIfAbsent(Thread.currentThread().getName(), nice());
            long until = System.nanoTime() + nanos;
            double x = 0;
            while (System.nanoTime() < until) {
                x += Math.sqrt(x + 1);
            }
            return x < 0 ? null : super.prepare(batch, random);
        }
    }

    private static int nice() {
        return ThreadPriority.niceOfCurrentThread().orElse(Integer.MIN_VALUE); // MIN_VALUE: not Linux
    }

    private static List<float[]> take(BatchPipeline p, int n) {
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(p.next().tensors().get(0).floats());
        }
        return out;
    }

    /** Waits (up to 10 s, sleeping: spinning would keep the workers from the cores) until a worker prepared a batch. */
    private static void awaitAWorker(Burning objective) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (objective.niceByThread.keySet().stream().noneMatch(n -> n.startsWith("pretext-prepare-"))
                && System.nanoTime() < deadline) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static BatchPipeline pipeline(IndexedSplit data, Burning objective, int threads, boolean background) {
        return new BatchPipeline(data, objective, 64, 7, 0, 1000, STEPS_PER_EPOCH, threads, 4, background);
    }

    @Test
    void theSameBatchesAtEitherPriorityWhicheverThreadPreparesThem() {
        IndexedSplit data = ToyDenoising.data(1);
        Burning reference = new Burning(0);
        List<float[]> normal;
        try (BatchPipeline p = pipeline(data, reference, 2, false)) {
            // the workers prepare ahead from the start; on a loaded machine (a CI run's parallel modules) the
            // step could otherwise make all 24 instant batches itself before either worker ran once
            awaitAWorker(reference);
            normal = take(p, 24);
        }
        Burning slow = new Burning(4); // slower than this test asks for batches: the step prepares some itself
        List<float[]> background;
        String starved;
        try (BatchPipeline p = pipeline(data, slow, 1, true)) {
            awaitAWorker(slow); // at nice 19 it runs only on what other work leaves idle
            background = take(p, 24);
            starved = p.starvedNote();
        }
        for (int s = 0; s < normal.size(); s++) {
            assertThat(background.get(s)).as("batch %d", s).containsExactly(normal.get(s));
        }
        assertThat(normal.get(1)).isNotEqualTo(normal.get(0));
        // other work on the machine (a CI run's parallel modules) may starve a background worker, and then
        // the pipeline moves it to normal priority by design (the next test): the batches above are the
        // same either way, but which thread made which batch, and at which priority, is this machine's
        org.junit.jupiter.api.Assumptions.assumeTrue(starved == null, () -> "the machine was too busy for the"
                + " background worker (" + starved + "): its priority is not checked");
        String me = Thread.currentThread().getName();
        assertThat(slow.niceByThread).as("prepared by the step's thread and by the worker")
                .containsKeys(me, "pretext-prepare-1");
        if (nice() != Integer.MIN_VALUE) {
            assertThat(slow.niceByThread.get("pretext-prepare-1")).as("the background worker's nice value")
                    .isEqualTo(ThreadPriority.BACKGROUND_NICE);
            // either of the two normal workers may have made every batch the step did not make itself
            Map<String, Integer> workers = new java.util.HashMap<>(reference.niceByThread);
            workers.keySet().removeIf(name -> !name.startsWith("pretext-prepare-"));
            assertThat(workers).as("normal workers that prepared a batch").isNotEmpty();
            assertThat(workers.values()).as("the normal workers' nice values").containsOnly(nice());
        }
    }

    @Test
    void aWorkerStarvedByBusyThreadsMovesTheRestOfTheRunToNormalPriority() throws InterruptedException {
        IndexedSplit data = ToyDenoising.data(1);
        List<float[]> normal;
        try (BatchPipeline p = pipeline(data, new Burning(0), 1, false)) {
            normal = take(p, 200);
        }
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> busy = new ArrayList<>();
        for (int i = 0; i < 2 * Runtime.getRuntime().availableProcessors(); i++) {
            Thread t = new Thread(() -> {
                double x = 0;
                while (!stop.get()) {
                    x += Math.sqrt(x + 1);
                }
            }, "busy-" + i);
            t.setDaemon(true);
            t.start();
            busy.add(t);
        }
        Burning objective = new Burning(5);
        String note;
        int taken = 0;
        List<float[]> got = new ArrayList<>();
        try (BatchPipeline p = pipeline(data, objective, 1, true)) {
            while (p.starvedNote() == null && taken < 200) {
                got.add(p.next().tensors().get(0).floats());
                taken++;
            }
            note = p.starvedNote();
            got.addAll(take(p, 20)); // prepared at normal priority from here on
        } finally {
            stop.set(true);
            for (Thread t : busy) {
                t.join();
            }
        }
        System.out.println("starved after " + taken + " batches: " + note);
        assertThat(note).as("the pipeline moved to normal priority").isNotNull().contains("their preparing threads ran");
        for (int s = 0; s < got.size(); s++) {
            assertThat(got.get(s)).as("batch %d", s).containsExactly(normal.get(s));
        }
        assertThat(objective.niceByThread).containsKey("pretext-prepare-normal-1");
        if (nice() != Integer.MIN_VALUE) {
            assertThat(objective.niceByThread.get("pretext-prepare-normal-1")).isEqualTo(nice());
        }
    }
}
