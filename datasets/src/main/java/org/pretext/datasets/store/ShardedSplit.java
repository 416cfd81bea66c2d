package org.pretext.datasets.store;

import ai.djl.ndarray.types.DataType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongUnaryOperator;
import org.pretext.PretextException;
import org.pretext.Seeds;
import org.pretext.data.BatchPlan;
import org.pretext.data.HostTensor;
import org.pretext.data.IndexedSplit;
import org.pretext.datasets.npy.NpyFile;

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
 *
 * <p>It is an {@link IndexedSplit} (example {@code i} is the i-th selected row of the shards in
 * order, labels indexed alike) that overrides the order of a pass with the block shuffle and
 * fetches rows from the window it has loaded.
 */
public final class ShardedSplit extends IndexedSplit {
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
    private final int[] partStarts;
    private final RowFormat format;
    private final int window;

    ShardedSplit(List<Part> parts, RowFormat format, int window, int[] labels, List<String> classNames) {
        super(count(parts), format.exampleShape(), DataType.FLOAT32, null, labels, classNames);
        this.parts = List.copyOf(parts);
        this.format = format;
        this.window = window;
        this.partStarts = parts.stream().mapToInt(Part::viewStart).toArray();
    }

    private static long count(List<Part> parts) {
        long n = 0;
        for (Part p : parts) {
            n += p.count();
        }
        return n;
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

    /** The shard order of a plan: sequential, or the epoch's seeded permutation. */
    int[] shardOrder(BatchPlan plan) {
        if (!plan.shuffle()) {
            int[] o = new int[parts.size()];
            Arrays.setAll(o, i -> i);
            return o;
        }
        return IndexedSplit.permutation(parts.size(), Seeds.derive(plan.seed(), plan.epoch()));
    }

    /** The block shuffle: position → window → (permuted) place in the window → example. */
    @Override
    protected LongUnaryOperator order(BatchPlan plan) {
        Windows w = new Windows(plan);
        return new LongUnaryOperator() {
            private int permuted = -1;
            private int[] perm;

            @Override
            public long applyAsLong(long position) {
                int at = w.windowOf(position);
                int k = (int) (position - w.start[at]);
                if (plan.shuffle()) {
                    if (permuted != at) {
                        perm = IndexedSplit.permutation(w.count(at),
                                Seeds.derive(plan.seed(), plan.epoch(), WINDOW_STREAM, at));
                        permuted = at;
                    }
                    k = perm[k];
                }
                int[] cum = w.cum[at];
                int j = Arrays.binarySearch(cum, k);
                j = j >= 0 ? j : -j - 2;
                while (j + 1 < cum.length && cum[j + 1] <= k) {
                    j++;
                }
                return parts.get(w.shards[at][j]).viewStart() + (k - cum[j]);
            }
        };
    }

    /** Rows from the window loaded for the example asked for, the next window read ahead. */
    @Override
    protected RowSource rows(BatchPlan plan) {
        return new Reader(new Windows(plan));
    }

    /** The windows of shards of one pass. */
    private final class Windows {
        /** The parts (shard ids) of each window, in order. */
        final int[][] shards;
        /** First position of each window in the pass, and the pass's size at the end. */
        final long[] start;
        /** Within each window, the first place of each of its parts. */
        final int[][] cum;
        /** The window of each part, and its slot in that window. */
        final int[] windowOfPart;
        final int[] slotOfPart;
        /** Positions read in the pass (whole batches only when the plan drops the last). */
        final long end;

        Windows(BatchPlan plan) {
            int[] order = shardOrder(plan);
            int nw = (order.length + window - 1) / window;
            shards = new int[nw][];
            start = new long[nw + 1];
            cum = new int[nw][];
            windowOfPart = new int[parts.size()];
            slotOfPart = new int[parts.size()];
            for (int w = 0; w < nw; w++) {
                shards[w] = Arrays.copyOfRange(order, w * window, Math.min(order.length, (w + 1) * window));
                cum[w] = new int[shards[w].length];
                int c = 0;
                for (int j = 0; j < shards[w].length; j++) {
                    windowOfPart[shards[w][j]] = w;
                    slotOfPart[shards[w][j]] = j;
                    cum[w][j] = c;
                    c += parts.get(shards[w][j]).count();
                }
                start[w + 1] = start[w] + c;
            }
            end = Math.min(size(), plan.batchesFor(size()) * plan.batchSize());
        }

        int count(int w) {
            return (int) (start[w + 1] - start[w]);
        }

        int windowOf(long position) {
            int w = Arrays.binarySearch(start, position);
            w = w >= 0 ? w : -w - 2;
            while (w + 1 < shards.length && start[w + 1] <= position) {
                w++;
            }
            return w;
        }
    }

    /** One pass's reader: at most the current window and the next are held. */
    private final class Reader implements RowSource {
        private final Windows windows;
        private final float[] scratch = new float[format.elements()];
        private int current = -1;
        private ByteBuffer[] loaded;
        private Future<ByteBuffer[]> prefetched;

        Reader(Windows windows) {
            this.windows = windows;
        }

        @Override
        public void copy(long index, HostTensor batch, int offset) {
            int p = Arrays.binarySearch(partStarts, (int) index);
            p = p >= 0 ? p : -p - 2;
            while (p + 1 < partStarts.length && partStarts[p + 1] <= index) {
                p++; // parts of no rows share their start with the next
            }
            if (windows.windowOfPart[p] != current) {
                moveTo(windows.windowOfPart[p]);
            }
            Part part = parts.get(p);
            int r = (int) (index - part.viewStart());
            format.decode(loaded[windows.slotOfPart[p]], part.keep() == null ? r : part.keep()[r], batch.floats(),
                    offset, scratch);
        }

        private void moveTo(int w) {
            ByteBuffer[] next;
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
            if (w + 1 < windows.shards.length && windows.start[w + 1] < windows.end) {
                prefetched = load(w + 1);
            }
        }

        private Future<ByteBuffer[]> load(int w) {
            int[] ids = windows.shards[w];
            List<Future<ByteBuffer>> reads = new ArrayList<>(ids.length);
            for (int id : ids) {
                ShardedExamples.Shard s = parts.get(id).shard();
                reads.add(READERS.submit(() -> NpyFile.littleEndian(s.file().readRows(s.firstRow(), s.rows()))));
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
                public ByteBuffer[] get() throws InterruptedException, ExecutionException {
                    ByteBuffer[] data = new ByteBuffer[reads.size()];
                    for (int i = 0; i < data.length; i++) {
                        data[i] = reads.get(i).get();
                    }
                    return data;
                }

                @Override
                public ByteBuffer[] get(long timeout, java.util.concurrent.TimeUnit unit)
                        throws InterruptedException, ExecutionException {
                    return get();
                }
            };
        }

        private ByteBuffer[] await(Future<ByteBuffer[]> f) {
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
}
