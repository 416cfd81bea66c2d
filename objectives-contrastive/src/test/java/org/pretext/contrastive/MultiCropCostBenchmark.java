package org.pretext.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.pretext.encoder.Encoder;
import org.pretext.encoders.CnnEncoderProvider;
import org.pretext.encoders.vit.VisionTransformer;
import org.pretext.encoders.vit.VitEncoderProvider;
import org.pretext.engine.Engines;

/**
 * What a multi-crop local view costs against a global one: the encoder's forward and backward pass
 * over 64 images of 28×28 and over 64 of 12×12, alternating in one JVM (so that load from other
 * work falls on both alike), for {@code cnn-small} and {@code vit-tiny} at their defaults; prints
 * the median milliseconds of each and their ratio. Run with
 * {@code mvn -o -B -pl objectives-contrastive -am test -Dtest=MultiCropCostBenchmark -Dpretext.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false} (add {@code -Dai.djl.pytorch.num_threads=1} for one thread).
 */
@EnabledIfSystemProperty(named = "pretext.bench", matches = "true")
class MultiCropCostBenchmark {
    private static final int BATCH = 64;
    private static final int ROUNDS = 40;

    @Test
    void localAgainstGlobal() {
        Shape digits = new Shape(1, 28, 28);
        run("cnn-small", CnnEncoderProvider.create(digits, 32));
        run("vit-tiny", VitEncoderProvider.create(digits, 4, 128, 4, 4, 4, 0f, false, VisionTransformer.Pooling.MEAN));
    }

    private static void run(String name, Encoder encoder) {
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice())) {
            encoder.block().initialize(m, DataType.FLOAT32, new Shape(BATCH, 1, 28, 28));
            ParameterStore store = new ParameterStore(m, false);
            double[] global = new double[ROUNDS];
            double[] local = new double[ROUNDS];
            for (int r = -5; r < ROUNDS; r++) {
                double g = pass(m, store, encoder, 28, r);
                double l = pass(m, store, encoder, 12, r);
                if (r >= 0) {
                    global[r] = g;
                    local[r] = l;
                }
            }
            Arrays.sort(global);
            Arrays.sort(local);
            double gm = global[ROUNDS / 2];
            double lm = local[ROUNDS / 2];
            System.out.printf("%s: forward+backward of %d images, median of %d: 28x28 %.1f ms, 12x12 %.1f ms,"
                    + " a local view costs %.2f of a global one%n", name, BATCH, ROUNDS, gm, lm, lm / gm);
        }
    }

    private static double pass(NDManager parent, ParameterStore store, Encoder encoder, int side, int round) {
        SplittableRandom random = new SplittableRandom(round * 31L + side);
        float[] x = new float[BATCH * side * side];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble();
        }
        try (NDManager m = parent.newSubManager()) {
            NDArray in = m.create(x, new Shape(BATCH, 1, side, side));
            long t0 = System.nanoTime();
            try (GradientCollector gc = Engines.engine().newGradientCollector()) {
                NDArray out = encoder.block().forward(store, new NDList(in), true).singletonOrThrow();
                gc.backward(out.square().sum());
            }
            return (System.nanoTime() - t0) / 1e6;
        }
    }
}
