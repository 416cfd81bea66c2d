package org.pretext.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Locale;
import java.util.Map;
import org.pretext.runtime.EngineSetup;
import org.pretext.runtime.MklCpuOverride;

/** Times an fp32 GEMM (n×n by n×n) on the engine: the machine's attainable peak through libtorch. */
public final class GemmBench {
    private GemmBench() {}

    public static void main(String[] args) {
        Map<String, String> a = Args.parse(args);
        int threads = Args.integer(a, "threads", 0);
        int n = Args.integer(a, "n", 2048);
        EngineSetup.configureThreads(threads);
        try (NDManager m = EngineSetup.engine().newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(n, n));
            NDArray y = m.randomNormal(new Shape(n, n));
            for (int i = 0; i < 3; i++) {
                x.matMul(y).close();
            }
            int reps = 10;
            long t = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                x.matMul(y).close();
            }
            double s = (System.nanoTime() - t) / 1e9;
            System.out.printf(Locale.ROOT, "{\"side\": \"pretext\", \"gemm\": %d, \"threads\": %d, \"gflopsPerSecond\": %.2f,"
                    + " \"mklOverride\": \"%s\"}%n", n, threads, 2.0 * n * n * n * reps / s / 1e9, MklCpuOverride.status());
        }
    }
}
