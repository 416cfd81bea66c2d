package org.pretext.datasets.store;

import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.pretext.PretextException;
import org.pretext.Seeds;
import org.pretext.data.Batch;
import org.pretext.data.BatchPlan;
import org.pretext.data.HostTensor;
import org.pretext.data.InMemorySplit;
import org.pretext.data.Split;
import org.pretext.datasets.npy.NpyDType;

/**
 * A split streamed from shards on disk with bounded memory.
 *
 * <p><b>Order.</b> A sequential plan reads the shards in order and each shard's rows in order.
 * A shuffled plan for epoch {@code e} under seed {@code s}:
 * <ol>
 *   <li>permutes the shards uniformly, seeded by {@code Seeds.derive(s, e)};
 *   <li>cuts that shard sequence into consecutive <em>windows</em> of {@code window} shards;
 *   <li>permutes the examples of each window uniformly, seeded by
 *       {@code Seeds.derive(s, e, WINDOW_STREAM, w)} for window {@code w};
 *   <li>concatenates the windows and cuts batches from the result.
 * </ol>
 * So it is a <em>block shuffle</em>: within a window the order is a uniformly random
 * permutation; across the epoch, examples of shards that land in different windows never share a
 * batch, and an example's position is random within its window's span of
 * {@code window × shard size} examples, whose place in the epoch is random. With shards of
 * {@code S} examples, two examples of one shard are in the same batch of {@code B} about as often
 * as under a full shuffle of {@code window × S} examples. The order is a pure function of
 * (seed, epoch, shard layout), so a run resumed at any batch reads exactly what it would have
 * read: {@code startBatch} is located by arithmetic, not by reading the skipped data.
 *
 * <p><b>Memory.</b> While window {@code w} is read, window {@code w + 1} is loaded on
 * background threads (each shard a task, so shards load in parallel); raw bytes are kept and
 * converted to float32 only as each batch is cut. At most two windows of raw rows are held:
 * {@code 2 × window × shard bytes}.
 */
public final class ShardedSplit implements Split {
    /** Stream id of the within-window permutations. */
    static final long WINDOW_STREAM = 0x5a4d_0001L;
    private static final ExecutorService READERS = Executors.newFixedThreadPool(
            Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors())), new java.util.concurrent.ThreadFactory() {
                private final AtomicInteger n = new AtomicInteger();

                @Override
                public Thread newThread(Runnable r) {
                    Thread t = new Thread(r, "pretext-shard-reader-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }
            });

    /**
     * The rows of one shard that belong to this split.
     *
     * @param shard the shard
     * @param keep the selected row offsets within the shard, increasing; null for all rows
     * @param count number of selected rows
     * @param viewStart position of the first selected row in this split's order
     */
    record Part(ShardedExamples.Shard shard, int[] keep, int count, int viewStart) {}

    private final List<Part> parts;
    private final RowFormat format;
    private final int window;
    private final int[] labels;
    private final List<String> classNames;
    private final long size;

    ShardedSplit(List<Part> parts, RowFormat format, int window, int[] labels, List<String> classNames) {
        this.parts = List.copyOf(parts);
        this.format = format;
        this.window = window;
        long n = 0;
        for (Part p : parts) {
            n += p.count();
        }
        this.size = n;
        if (size == 0) {
            throw new PretextException("The dataset split is empty: expected at least one example");
        }
        if (labels != null && labels.length != size) {
            throw new IllegalArgumentException(labels.length + " labels for " + size + " examples");
        }
        this.labels = labels;
        this.classNames = labels == null ? List.of() : List.copyOf(classNames);
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public Shape exampleShape() {
        return format.exampleShape();
    }

    @Override
    public boolean hasLabels() {
        return labels != null;
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public int[] labels() {
        if (labels == null) {
            throw new IllegalStateException("this split has no labels");
        }
        return labels.clone();
    }

    /** Number of shards this split reads from. */
    public int shardCount() {
        return parts.size();
    }

    /** Upper bound on the bytes of rows held at once by one iterator. */
    public long bufferBytesBound() {
        long largest = 0;
        for (Part p : parts) {
            largest = Math.max(largest, (long) p.shard().rows() * format.rowBytes());
        }
        return 2L * window * largest;
    }

    @Override
    public Iterator<Batch> batches(BatchPlan plan) {
        return new Stream(plan);
    }

    /** The shard order of a plan: sequential, or the epoch's seeded permutation. */
    int[] shardOrder(BatchPlan plan) {
        if (!plan.shuffle()) {
            int[] o = new int[parts.size()];
            Arrays.setAll(o, i -> i);
            return o;
        }
        return InMemorySplit.permutation(parts.size(), Seeds.derive(plan.seed(), plan.epoch()));
    }

    /** One pass over the split under a plan. */
    private final class Stream implements Iterator<Batch> {
        private final BatchPlan plan;
        private final int[][] windows;
        private final long[] windowStart;
        private final long totalBatches;
        private final long end;
        private final float[] scratch = new float[format.elements()];
        private long batch;
        private long pos;
        private int current = -1;
        private Loaded loaded;
        private Future<Loaded> prefetched;

        Stream(BatchPlan plan) {
            this.plan = plan;
            int[] order = shardOrder(plan);
            int nw = (order.length + window - 1) / window;
            windows = new int[nw][];
            windowStart = new long[nw + 1];
            for (int w = 0; w < nw; w++) {
                windows[w] = Arrays.copyOfRange(order, w * window, Math.min(order.length, (w + 1) * window));
                long count = 0;
                for (int p : windows[w]) {
                    count += parts.get(p).count();
                }
                windowStart[w + 1] = windowStart[w] + count;
            }
            totalBatches = plan.batchesFor(size);
            end = Math.min(size, totalBatches * plan.batchSize());
            batch = plan.startBatch();
            pos = batch * plan.batchSize();
        }

        @Override
        public boolean hasNext() {
            return batch < totalBatches;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            int b = (int) Math.min(plan.batchSize(), end - pos);
            int e = format.elements();
            float[] out = new float[b * e];
            int[] lab = labels == null ? null : new int[b];
            for (int i = 0; i < b; i++, pos++) {
                if (current < 0 || pos >= windowStart[current + 1]) {
                    moveTo(windowOf(pos));
                }
                int k = (int) (pos - windowStart[current]);
                if (loaded.perm != null) {
                    k = loaded.perm[k];
                }
                int j = Arrays.binarySearch(loaded.cum, k);
                j = j >= 0 ? j : -j - 2;
                while (j + 1 < loaded.cum.length && loaded.cum[j + 1] <= k) {
                    j++;
                }
                int r = k - loaded.cum[j];
                Part part = parts.get(windows[current][j]);
                int row = part.keep() == null ? r : part.keep()[r];
                format.decode(loaded.data[j], row, out, i * e, scratch);
                if (lab != null) {
                    lab[i] = labels[part.viewStart() + r];
                }
            }
            batch++;
            return new Batch(HostTensor.of(out, PretextShapes.batched(format.exampleShape(), b)), lab);
        }

        private int windowOf(long position) {
            int w = Arrays.binarySearch(windowStart, position);
            w = w >= 0 ? w : -w - 2;
            while (w + 1 < windows.length && windowStart[w + 1] <= position) {
                w++;
            }
            return w;
        }

        private void moveTo(int w) {
            Loaded next;
            if (prefetched != null && w == current + 1) {
                next = await(prefetched);
            } else {
                if (prefetched != null) {
                    prefetched.cancel(false);
                }
                next = await(load(w));
            }
            prefetched = null;
            loaded = null;
            current = w;
            loaded = next;
            if (w + 1 < windows.length && windowStart[w + 1] < end) {
                prefetched = load(w + 1);
            }
        }

        private Future<Loaded> load(int w) {
            int[] ids = windows[w];
            List<Future<ByteBuffer>> reads = new ArrayList<>(ids.length);
            for (int id : ids) {
                ShardedExamples.Shard s = parts.get(id).shard();
                reads.add(READERS.submit(() -> NpyDType.littleEndian(s.file().readRows(s.firstRow(), s.rows()))));
            }
            int count = (int) (windowStart[w + 1] - windowStart[w]);
            int[] perm = plan.shuffle()
                    ? InMemorySplit.permutation(count, Seeds.derive(plan.seed(), plan.epoch(), WINDOW_STREAM, w))
                    : null;
            int[] cum = new int[ids.length];
            int c = 0;
            for (int i = 0; i < ids.length; i++) {
                cum[i] = c;
                c += parts.get(ids[i]).count();
            }
            return new Future<>() {
                @Override
                public boolean cancel(boolean interrupt) {
                    reads.forEach(f -> f.cancel(interrupt));
                    return true;
                }

                @Override
                public boolean isCancelled() {
                    return false;
                }

                @Override
                public boolean isDone() {
                    return reads.stream().allMatch(Future::isDone);
                }

                @Override
                public Loaded get() throws InterruptedException, ExecutionException {
                    ByteBuffer[] data = new ByteBuffer[reads.size()];
                    for (int i = 0; i < data.length; i++) {
                        data[i] = reads.get(i).get();
                    }
                    return new Loaded(data, cum, perm);
                }

                @Override
                public Loaded get(long timeout, java.util.concurrent.TimeUnit unit)
                        throws InterruptedException, ExecutionException {
                    return get();
                }
            };
        }

        private Loaded await(Future<Loaded> f) {
            try {
                return f.get();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new PretextException("interrupted while reading dataset shards", ex);
            } catch (ExecutionException ex) {
                Throwable c = ex.getCause();
                if (c instanceof RuntimeException re) {
                    throw re;
                }
                throw new PretextException("Reading a dataset shard failed: " + c, c);
            }
        }
    }

    /** A window's shards in memory. */
    private record Loaded(ByteBuffer[] data, int[] cum, int[] perm) {}
}
