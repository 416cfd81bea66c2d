package org.pretext.testkit;

import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.pretext.data.IndexedSplit;

/**
 * Small labelled data sets made in code, for contract tests: enough structure for a
 * self-supervised loss to fall within a few dozen steps, small enough for a step to take
 * milliseconds. Every set is a pure function of its arguments.
 */
public final class FixtureData {
    private FixtureData() {}

    /** 256 vectors of width 16 in 4 latent classes, values in [0, 1]: {@code vectors(256, 16, 4, 1)}. */
    public static IndexedSplit vectors() {
        return vectors(256, 16, 4, 1);
    }

    /**
     * Latent-class vectors: class c has a random centre μ_c; an example is
     * clamp(0.5 + 0.3·μ_c + 0.1·ε, 0, 1) with ε standard normal, labelled c.
     */
    public static IndexedSplit vectors(int n, int dim, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] centres = new double[classes][dim];
        for (double[] c : centres) {
            for (int j = 0; j < dim; j++) {
                c[j] = r.nextGaussian();
            }
        }
        float[] x = new float[n * dim];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int c = i % classes;
            labels[i] = c;
            for (int j = 0; j < dim; j++) {
                x[i * dim + j] = clamp(0.5 + 0.3 * centres[c][j] + 0.1 * r.nextGaussian());
            }
        }
        return IndexedSplit.ofFloats(x, new Shape(dim), labels, IndexedSplit.numberedClasses(classes));
    }

    /** 256 grey 8×8 images (1, 8, 8) in 4 classes: {@code images(256, 1, 8, 4, 1)}. */
    public static IndexedSplit images() {
        return images(256, 1, 8, 4, 1);
    }

    /**
     * Image-shaped examples (channels, side, side) in [0, 1]: class c is a bright bar, horizontal
     * for even c and vertical for odd c, at a class-dependent position, on a dim noisy background,
     * with a random brightness per example.
     */
    public static IndexedSplit images(int n, int channels, int side, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int plane = side * side;
        float[] x = new float[n * channels * plane];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int c = i % classes;
            labels[i] = c;
            int at = (c / 2 * 3 + 1 + r.nextInt(2)) % side;
            double bright = 0.7 + 0.3 * r.nextDouble();
            for (int ch = 0; ch < channels; ch++) {
                for (int y = 0; y < side; y++) {
                    for (int xx = 0; xx < side; xx++) {
                        boolean bar = c % 2 == 0 ? y == at : xx == at;
                        double v = (bar ? bright : 0.1) + 0.05 * r.nextGaussian();
                        x[(i * channels + ch) * plane + y * side + xx] = clamp(v);
                    }
                }
            }
        }
        return IndexedSplit.ofFloats(x, new Shape(channels, side, side), labels,
                IndexedSplit.numberedClasses(classes));
    }

    /** 256 windows of 9 token ids over a vocabulary of 16 in 4 classes: {@code tokens(256, 9, 16, 4, 1)}. */
    public static IndexedSplit tokens() {
        return tokens(256, 9, 16, 4, 1);
    }

    /**
     * Token-shaped examples: windows of {@code length} int ids in 0..vocabulary−1. Class c counts
     * up in strides of c + 1 from a random start (mod vocabulary), with one token in ten replaced
     * by a random one, so the next token is mostly predictable from the previous two.
     */
    public static IndexedSplit tokens(int n, int length, int vocabulary, int classes, long seed) {
        int[] ids = new int[vocabulary];
        for (int i = 0; i < vocabulary; i++) {
            ids[i] = i;
        }
        return tokens(n, length, ids, classes, seed);
    }

    /**
     * Like {@link #tokens(int, int, int, int, long)} over the given ids only, e.g. the ids a
     * tokenizer gives to text (leaving out its padding and mask ids): position k of the alphabet
     * stands for {@code alphabet[k]}.
     */
    public static IndexedSplit tokens(int n, int length, int[] alphabet, int classes, long seed) {
        int vocabulary = alphabet.length;
        SplittableRandom r = new SplittableRandom(seed);
        int[] x = new int[n * length];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int c = i % classes;
            labels[i] = c;
            int t = r.nextInt(vocabulary);
            for (int k = 0; k < length; k++) {
                x[i * length + k] = alphabet[r.nextInt(10) == 0 ? r.nextInt(vocabulary) : t];
                t = (t + c + 1) % vocabulary;
            }
        }
        return IndexedSplit.ofInts(x, new Shape(length), labels, IndexedSplit.numberedClasses(classes));
    }

    private static float clamp(double v) {
        return (float) Math.max(0, Math.min(1, v));
    }
}
