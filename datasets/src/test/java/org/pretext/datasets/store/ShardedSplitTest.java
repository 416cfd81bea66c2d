package org.pretext.datasets.store;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.data.Batch;
import org.pretext.data.BatchPlan;
import org.pretext.data.Split;
import ai.djl.ndarray.types.DataType;
import org.pretext.datasets.npy.NpyFile;
import org.pretext.datasets.npy.NpyWriter;

/**
 * Streaming from shards: every example once per epoch, labels travelling with their examples, the
 * block-shuffle order its Javadoc states, the same order for the same seed, exact resume.
 */
class ShardedSplitTest {
    private static final int N = 1000;
    private static final int D = 3;

    /** N examples of D floats; example i is (i, i + 0.25, i + 0.5), its label i mod 7. */
    private static ShardedExamples examples(Path dir, int rowsPerShard, int window) {
        float[] x = new float[N * D];
        for (int i = 0; i < N; i++) {
            x[i * D] = i;
            x[i * D + 1] = i + 0.25f;
            x[i * D + 2] = i + 0.5f;
        }
        Path f = dir.resolve("x.npy");
        NpyWriter.writeFloats(f, x, N, D);
        NpyFile file = NpyFile.open(f);
        return ShardedExamples.ofFile(file, new RowFormat(DataType.FLOAT32, 1f, new Shape(D), false),
                (long) rowsPerShard * D * 4, window);
    }

    private static int[] labels(int[] ids) {
        int[] y = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            y[i] = ids[i] % 7;
        }
        return y;
    }

    private static final List<String> CLASSES = List.of("0", "1", "2", "3", "4", "5", "6");

    /** The example ids of an iteration, checking each example's values and label. */
    private static List<Integer> ids(Iterator<Batch> it) {
        List<Integer> out = new ArrayList<>();
        while (it.hasNext()) {
            Batch b = it.next();
            float[] v = b.inputs().floats();
            for (int i = 0; i < b.size(); i++) {
                int id = (int) v[i * D];
                assertThat(v[i * D + 1]).isEqualTo(id + 0.25f);
                assertThat(v[i * D + 2]).isEqualTo(id + 0.5f);
                if (b.labels() != null) {
                    assertThat(b.labels()[i]).isEqualTo(id % 7);
                }
                out.add(id);
            }
        }
        return out;
    }

    @Test
    void sequentialReadsEveryExampleInOrder(@TempDir Path dir) {
        ShardedExamples ex = examples(dir, 64, 2);
        int[] all = java.util.stream.IntStream.range(0, N).toArray();
        Split s = ex.view(null, labels(all), CLASSES);
        assertThat(s.size()).isEqualTo(N);
        assertThat(((ShardedSplit) s).shardCount()).isEqualTo(16);
        List<Integer> seen = ids(s.batches(BatchPlan.sequential(100)));
        assertThat(seen).hasSize(N);
        for (int i = 0; i < N; i++) {
            assertThat(seen.get(i)).isEqualTo(i);
        }
        assertThat(s.labels()).containsExactly(labels(all));
    }

    @Test
    void shuffledEpochIsAPermutationInBlocksOfWindowShards(@TempDir Path dir) {
        int rows = 50;
        int window = 3;
        ShardedExamples ex = examples(dir, rows, window);
        Split s = ex.view(null, labels(java.util.stream.IntStream.range(0, N).toArray()), CLASSES);
        BatchPlan plan = new BatchPlan(64, true, 11, 2, 0, false);
        List<Integer> seen = ids(s.batches(plan));
        assertThat(seen).hasSize(N).doesNotHaveDuplicates();
        // the first window holds exactly `window` whole shards: its 150 positions come from 3 shards
        Set<Integer> shards = new HashSet<>();
        Set<Integer> firstWindow = new HashSet<>();
        for (int i = 0; i < rows * window; i++) {
            shards.add(seen.get(i) / rows);
            firstWindow.add(seen.get(i));
        }
        assertThat(shards).hasSize(window);
        for (int sh : shards) {
            for (int r = 0; r < rows; r++) {
                assertThat(firstWindow).contains(sh * rows + r);
            }
        }
        // and inside it the order is shuffled, not shard after shard
        int runs = 0;
        for (int i = 1; i < rows * window; i++) {
            if (seen.get(i) == seen.get(i - 1) + 1) {
                runs++;
            }
        }
        assertThat(runs).isLessThan(10);
    }

    @Test
    void sameSeedSameOrderAnotherEpochAnotherOrder(@TempDir Path dir) {
        ShardedExamples ex = examples(dir, 40, 2);
        Split s = ex.view(null, null, null);
        List<Integer> a = ids(s.batches(BatchPlan.shuffled(32, 5, 0)));
        List<Integer> b = ids(s.batches(BatchPlan.shuffled(32, 5, 0)));
        List<Integer> c = ids(s.batches(BatchPlan.shuffled(32, 5, 1)));
        List<Integer> d = ids(s.batches(BatchPlan.shuffled(32, 6, 0)));
        assertThat(a).hasSize(N / 32 * 32).isEqualTo(b).isNotEqualTo(c).isNotEqualTo(d);
    }

    @Test
    void resumingAtAnyBatchReadsExactlyTheRest(@TempDir Path dir) {
        ShardedExamples ex = examples(dir, 40, 2);
        Split s = ex.view(null, null, null);
        BatchPlan plan = BatchPlan.shuffled(48, 9, 3);
        List<Integer> whole = ids(s.batches(plan));
        for (long start : new long[] {1, 5, 7, 20}) {
            List<Integer> rest = ids(s.batches(plan.startingAt(start)));
            assertThat(rest).isEqualTo(whole.subList((int) start * 48, whole.size()));
        }
    }

    @Test
    void viewsSelectTheirExamplesWithTheirLabels(@TempDir Path dir) {
        ShardedExamples ex = examples(dir, 64, 2);
        int[] picked = java.util.stream.IntStream.range(0, N).filter(i -> i % 3 == 1).toArray();
        Split s = ex.view(picked, labels(picked), CLASSES);
        assertThat(s.size()).isEqualTo(picked.length);
        List<Integer> seq = ids(s.batches(BatchPlan.sequential(50)));
        assertThat(seq).containsExactlyElementsOf(java.util.Arrays.stream(picked).boxed().toList());
        List<Integer> shuffled = ids(s.batches(new BatchPlan(50, true, 1, 0, 0, false)));
        assertThat(shuffled).containsExactlyInAnyOrderElementsOf(seq).isNotEqualTo(seq);
    }

    @Test
    void holdsAtMostTwoWindowsOfShards(@TempDir Path dir) {
        ShardedExamples ex = examples(dir, 64, 2);
        ShardedSplit s = (ShardedSplit) ex.view(null, null, null);
        assertThat(s.bufferBytesBound()).isEqualTo(2L * 2 * 64 * D * 4);
    }

    @Test
    void memoryAndDiskGiveTheSameBatches(@TempDir Path dir) {
        ShardedExamples disk = examples(dir, 64, 2);
        float[] x = NpyFile.open(dir.resolve("x.npy")).readAllFloats(1f);
        MemoryExamples mem = MemoryExamples.ofFloats(x, new Shape(D));
        int[] picked = java.util.stream.IntStream.range(0, N).filter(i -> i % 5 != 0).toArray();
        List<Integer> a = ids(disk.view(picked, labels(picked), CLASSES).batches(BatchPlan.sequential(64)));
        List<Integer> b = ids(mem.view(picked, labels(picked), CLASSES).batches(BatchPlan.sequential(64)));
        assertThat(a).isEqualTo(b);
        // memory splits shuffle like IndexedSplit: a full permutation per epoch
        List<Integer> m = ids(mem.view(null, null, null).batches(BatchPlan.shuffled(100, 3, 0)));
        assertThat(m).hasSize(N).doesNotHaveDuplicates();
    }
}
