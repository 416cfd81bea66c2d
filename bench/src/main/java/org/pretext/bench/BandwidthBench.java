package org.pretext.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Locale;
import java.util.Map;
import org.pretext.runtime.EngineSetup;

/**
 * Times memory bandwidth on the engine, as {@link GemmBench} times the GEMM peak: two fp32 arrays of
 * {@code --mb} MiB each (default 1,024: twice the 512 MiB L3 this VM reports, 32 times a Zen 5 CCD's
 * 32 MiB, so the data streams from memory), in-place STREAM-like kernels through libtorch, best of
 * {@code --reps} repeats: scale {@code a *= s} (reads and writes a: 8 bytes per element) and add
 * {@code a += b} (reads a and b, writes a: 12 bytes). Both kernels write only lines they have just
 * read, so the bytes counted are the bytes moved (a copy into a third array would also read its
 * destination's lines before writing them, which STREAM's count leaves out). Prints GB/s (10^9
 * bytes) of each kernel and the better one.
 */
public final class BandwidthBench {
    private BandwidthBench() {}

    /** GB/s of a kernel that moved {@code bytes} in {@code seconds}. */
    static double gbPerSecond(double bytes, double seconds) {
        if (!(seconds > 0)) {
            throw new IllegalArgumentException("a timed kernel took " + seconds + " s; expected a positive time");
        }
        return bytes / seconds / 1e9;
    }

    public static void main(String[] args) {
        Map<String, String> a = Args.parse(args);
        int threads = Args.integer(a, "threads", 0);
        long mb = Args.longValue(a, "mb", 1024);
        int reps = Args.integer(a, "reps", 6);
        if (mb < 1 || reps < 1) {
            throw new IllegalArgumentException("--mb and --reps must be at least 1, not " + mb + " and " + reps);
        }
        long n = mb * (1L << 20) / Float.BYTES;
        EngineSetup.configureThreads(threads);
        try (NDManager m = EngineSetup.engine().newBaseManager()) {
            NDArray x = m.ones(new Shape(n));
            NDArray y = m.ones(new Shape(n));
            double scale = Double.POSITIVE_INFINITY;
            double add = Double.POSITIVE_INFINITY;
            for (int i = 0; i < reps; i++) {
                long t = System.nanoTime();
                x.muli(0.999f); // in place: no allocation, nothing returned to free
                scale = Math.min(scale, (System.nanoTime() - t) / 1e9);
                t = System.nanoTime();
                x.addi(y);
                add = Math.min(add, (System.nanoTime() - t) / 1e9);
            }
            // libtorch's CPU ops are synchronous; the element read back shows they ran (x_k = 0.999 x_{k-1} + 1)
            float first = x.getFloat(0);
            double scaleRate = gbPerSecond(8.0 * n, scale);
            double addRate = gbPerSecond(12.0 * n, add);
            System.out.printf(Locale.ROOT, "{\"side\": \"pretext\", \"bandwidth\": true, \"threads\": %d, \"mbPerArray\": %d,"
                    + " \"reps\": %d, \"scaleGBps\": %.2f, \"addGBps\": %.2f, \"gbPerSecond\": %.2f, \"check\": %.4f}%n",
                    threads, mb, reps, scaleRate, addRate, Math.max(scaleRate, addRate), first);
        }
    }
}
