package org.pretext.datasets.store;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.data.Batch;
import org.pretext.data.BatchPlan;
import org.pretext.data.IndexedSplit;
import org.pretext.data.Split;
import ai.djl.ndarray.types.DataType;
import org.pretext.datasets.npy.NpyFile;
import org.pretext.datasets.npy.NpyWriter;
import org.pretext.text.TokenWindowSplit;

/**
 * Pins the batches every kind of split gives for fixed plans, as recorded from the
 * implementations before the storage layer became one indexed split (commit 447e5e1): the
 * contents, labels and order of each batch, as a CRC-32 over them, and the first batch's labels
 * in clear. A change of the shuffling or of how rows are fetched changes the README's numbers;
 * this test fails first.
 */
class BatchPinTest {
    private static final List<String> CLASSES = List.of("a", "b", "c", "d", "e");

    /** CRC-32 of every batch's shape, values and labels, in order, and the number of batches. */
    private static String fingerprint(Iterator<Batch> it) {
        CRC32 crc = new CRC32();
        int batches = 0;
        while (it.hasNext()) {
            Batch b = it.next();
            batches++;
            update(crc, b.size());
            if (b.inputs().dataType() == ai.djl.ndarray.types.DataType.FLOAT32) {
                for (float v : b.inputs().floats()) {
                    update(crc, Float.floatToIntBits(v));
                }
            } else {
                for (int v : b.inputs().ints()) {
                    update(crc, v);
                }
            }
            if (b.labels() != null) {
                for (int v : b.labels()) {
                    update(crc, v ^ 0x5a5a0000);
                }
            }
        }
        return batches + ":" + Long.toHexString(crc.getValue());
    }

    private static void update(CRC32 crc, int v) {
        crc.update(new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)});
    }

    private static int[] labels(int n) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = (i * 7 + 3) % 5;
        }
        return y;
    }

    private static float[] floats(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) Math.sin(i * 0.37) * 3 + i * 0.001f;
        }
        return x;
    }

    @Test
    void inMemoryFloatsAndInts() {
        Split f = IndexedSplit.ofFloats(floats(103 * 6), new Shape(2, 3), labels(103), CLASSES);
        pin("memory floats shuffled", f.batches(BatchPlan.shuffled(16, 42, 3).startingAt(2)), "4:eee09dc0");
        pin("memory floats sequential", f.batches(BatchPlan.sequential(10)), "11:bcb814c6");
        int[] ints = new int[57 * 4];
        for (int i = 0; i < ints.length; i++) {
            ints[i] = (i * 31) % 97;
        }
        Split t = IndexedSplit.ofInts(ints, new Shape(4), labels(57), CLASSES);
        pin("memory ints shuffled", t.batches(new BatchPlan(8, true, 9, 1, 0, false)), "8:e5c1ca24");
        pin("memory subset shuffled", ((IndexedSplit) f).subset(new int[] {5, 1, 99, 40, 41, 7, 60})
                .batches(BatchPlan.shuffled(3, 1, 0)), "2:94568e5f");
        pin("memory unlabelled shuffled", ((IndexedSplit) f).unlabelled().batches(BatchPlan.shuffled(32, 5, 8)), "3:8210357a");
    }

    @Test
    void shuffledIndicesInClear() {
        float[] ids = new float[40];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        Iterator<Batch> it = IndexedSplit.ofFloats(ids, new Shape(1), null, List.of()).batches(BatchPlan.shuffled(8, 42, 3));
        assertThat(it.next().inputs().floats()).containsExactly(3, 4, 7, 29, 18, 27, 0, 28);
        assertThat(it.next().inputs().floats()).containsExactly(25, 38, 30, 8, 22, 14, 1, 13);
        Iterator<Batch> stored = MemoryExamples.ofFloats(ids, new Shape(1)).view(null, null, List.of())
                .batches(BatchPlan.shuffled(8, 42, 3));
        assertThat(stored.next().inputs().floats()).containsExactly(3, 4, 7, 29, 18, 27, 0, 28);
    }

    @Test
    void tokenWindows() {
        int[] tokens = new int[500];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = (i * 13 + i / 7) % 61;
        }
        Split r = TokenWindowSplit.random(tokens, 9, 40, 1000, "pins");
        pin("windows random", r.batches(BatchPlan.shuffled(8, 7, 2).startingAt(1)), "4:7a93c3ae");
        pin("windows random sequential plan", r.batches(BatchPlan.sequential(6)), "7:f558dc2a");
        Split s = TokenWindowSplit.sequential(tokens, 9, 1000, "pins");
        pin("windows sequential", s.batches(BatchPlan.sequential(16)), "4:fbff1c88");
    }

    @Test
    void storedInMemory() {
        byte[] bytes = new byte[200 * 5];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 37 + 11);
        }
        int[] idx = {0, 3, 4, 9, 10, 11, 50, 77, 78, 120, 121, 150, 160, 170, 199};
        Split b = MemoryExamples.ofBytes(bytes, new Shape(5)).view(idx, labels(idx.length), CLASSES);
        pin("stored bytes shuffled", b.batches(BatchPlan.shuffled(4, 5, 1)), "3:cc2cd137");
        Split f = MemoryExamples.ofFloats(floats(90 * 2), new Shape(2)).view(null, null, List.of());
        pin("stored floats shuffled", f.batches(new BatchPlan(7, true, 3, 2, 1, false)), "12:6ccd9f4d");
    }

    @Test
    void sharded(@TempDir Path dir) {
        int n = 300;
        Path x = dir.resolve("x.npy");
        NpyWriter.writeFloats(x, floats(n * 3), n, 3);
        ShardedExamples ex = ShardedExamples.ofFile(NpyFile.open(x), new RowFormat(DataType.FLOAT32, 1f, new Shape(3), false),
                37L * 3 * 4, 3);
        int[] keep = java.util.stream.IntStream.range(0, n).filter(i -> i % 4 != 1).toArray();
        Split s = ex.view(keep, labels(keep.length), CLASSES);
        pin("sharded shuffled", s.batches(BatchPlan.shuffled(16, 11, 4).startingAt(3)), "11:4d24efb0");
        pin("sharded sequential", s.batches(BatchPlan.sequential(50)), "5:a30e4f43");
        byte[] hwc = new byte[64 * 2 * 2 * 3];
        for (int i = 0; i < hwc.length; i++) {
            hwc[i] = (byte) (i * 53 + 7);
        }
        Path b = dir.resolve("b.npy");
        NpyWriter.writeBytes(b, hwc, 64, 2, 2, 3);
        ShardedExamples img = ShardedExamples.ofFile(NpyFile.open(b), new RowFormat(DataType.UINT8, NpyFile.BYTE_SCALE,
                new Shape(3, 2, 2), true), 10L * 12, 2);
        pin("sharded images shuffled", img.view(null, null, List.of()).batches(new BatchPlan(5, true, 2, 0, 0, false)), "13:f8dda675");
    }

    private static void pin(String what, Iterator<Batch> it, String expected) {
        assertThat(fingerprint(it)).as(what).isEqualTo(expected);
    }
}
