package org.pretext.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.pretext.encoder.Features;

/**
 * Reproducible features for benchmarks: a fixed random one-layer ReLU network applied to raw
 * inputs, f(x) = max(0, xR + b) with R<sub>ij</sub> ~ N(0, 1/d<sub>in</sub>) and b<sub>j</sub> ~
 * N(0, 0.1²) drawn from a seeded {@link SplittableRandom} — the same kind of features as the
 * random-encoder baseline, with the class structure of the real data they come from.
 */
public final class RandomReluFeatures {
    private RandomReluFeatures() {}

    /** The features of every row of {@code raw} (labels kept). */
    public static Features.Matrix of(Features.Matrix raw, int width, long seed, Device device) {
        int din = raw.cols();
        SplittableRandom r = new SplittableRandom(seed);
        float[] weights = new float[din * width];
        double scale = 1 / Math.sqrt(din);
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) (r.nextGaussian() * scale);
        }
        float[] bias = new float[width];
        for (int j = 0; j < width; j++) {
            bias[j] = (float) (0.1 * r.nextGaussian());
        }
        float[] out = new float[raw.rows() * width];
        int chunk = 8192;
        try (NDManager m = NDManager.newBaseManager(device)) {
            NDArray w = m.create(weights, new Shape(din, width));
            NDArray b = m.create(bias, new Shape(width));
            for (int from = 0; from < raw.rows(); from += chunk) {
                int to = Math.min(raw.rows(), from + chunk);
                try (NDManager step = m.newSubManager()) {
                    float[] part = new float[(to - from) * din];
                    System.arraycopy(raw.values(), from * din, part, 0, part.length);
                    NDArray x = step.create(part, new Shape(to - from, din));
                    float[] f = x.matMul(w).add(b).maximum(0f).toFloatArray();
                    System.arraycopy(f, 0, out, from * width, f.length);
                }
            }
        }
        return new Features.Matrix(out, raw.rows(), width, raw.labels(), raw.numClasses());
    }
}
