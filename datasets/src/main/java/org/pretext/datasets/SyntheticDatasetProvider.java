package org.pretext.datasets;

import org.pretext.registry.ProviderBase;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.pretext.Versions;
import org.pretext.data.Dataset;
import org.pretext.data.IndexedSplit;
import org.pretext.data.DatasetProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;

/**
 * {@code synthetic}: inputs generated from a hidden class, so the ideal representation is known.
 *
 * <p>Each example draws a class c uniformly from K, then two halves that are independent given c:
 * <pre>
 *   x = [ a_c + σ·ε₁ ,  b_c + σ·ε₂ ],   ε₁, ε₂ ~ N(0, I_{d/2}),
 * </pre>
 * with class centres a_c, b_c ~ N(0, (s²/(d/2))·I), so each half's centres are about s apart and
 * the noise per half has norm about σ√(d/2). The Bayes-optimal representation is the class
 * posterior p(c | x); one half predicts the other only through c (the setting of Lee et al. 2021).
 *
 * <p>With {@code nuisance-dims} m > 0, the last m coordinates of each half carry no class
 * information: they are pure noise N(0, τ²) with τ = {@code nuisance-noise}, independent of
 * everything else, and the class centres live on the first d/2 − m coordinates of each half
 * (still about s apart). Such coordinates make a linear probe on the raw input need many more
 * labels, while a representation that predicts one half from the other learns to ignore them.
 * With m = 0 (the default) the data is exactly as without these parameters.
 * The data is a pure function of {@code data-seed}.
 */
public final class SyntheticDatasetProvider extends ProviderBase implements DatasetProvider {
    public static final Param<Integer> CLASSES = Param.ofInt("classes", 10, "number of hidden classes K").atLeast(2);
    public static final Param<Integer> DIM = Param.ofInt("dim", 64, "input dimension d (even: two halves)").atLeast(2);
    public static final Param<Double> SEPARATION = Param.ofDouble("separation", 4.0,
            "typical distance s between class centres within a half").atLeast(0);
    public static final Param<Double> NOISE = Param.ofDouble("noise", 1.0, "noise standard deviation σ per coordinate")
            .atLeast(0);
    public static final Param<Integer> TRAIN_SIZE = Param.ofInt("train-size", 5000, "training examples").atLeast(1);
    public static final Param<Integer> TEST_SIZE = Param.ofInt("test-size", 2000, "test examples").atLeast(1);
    public static final Param<Long> DATA_SEED = Param.ofLong("data-seed", 7, "seed of the generator");
    public static final Param<Integer> NUISANCE_DIMS = Param.ofInt("nuisance-dims", 0,
            "coordinates at the end of each half that are pure noise, independent of the class (less than dim/2)")
            .atLeast(0);
    public static final Param<Double> NUISANCE_NOISE = Param.ofDouble("nuisance-noise", 1.0,
            "standard deviation τ of the nuisance coordinates").atLeast(0);

    public SyntheticDatasetProvider() {
        super(Versions.SPI_VERSION, "synthetic", "Latent-class data: two halves independent given a hidden class (ideal representation known)",
                List.of(CLASSES, DIM, SEPARATION, NOISE, TRAIN_SIZE, TEST_SIZE, DATA_SEED, NUISANCE_DIMS, NUISANCE_NOISE));
    }

    @Override
    public Dataset open(ParamValues p) {
        p.require(p.get(DIM) % 2 == 0, DIM.name(), "an even number (the input is two halves)");
        p.require(p.get(NUISANCE_DIMS) < p.get(DIM) / 2, NUISANCE_DIMS.name(),
                "fewer than dim/2 = " + p.get(DIM) / 2 + " (each half needs an informative coordinate)");
        return generate(p.get(CLASSES), p.get(DIM), p.get(SEPARATION), p.get(NOISE), p.get(TRAIN_SIZE),
                p.get(TEST_SIZE), p.get(DATA_SEED), p.get(NUISANCE_DIMS), p.get(NUISANCE_NOISE));
    }

    /** Generates the dataset from code. */
    public static Dataset generate(int classes, int dim, double separation, double noise, int trainSize, int testSize,
            long seed) {
        return generate(classes, dim, separation, noise, trainSize, testSize, seed, 0, 1.0);
    }

    /**
     * Generates the dataset from code, with {@code nuisanceDims} pure-noise coordinates of
     * deviation {@code nuisanceNoise} at the end of each half.
     */
    public static Dataset generate(int classes, int dim, double separation, double noise, int trainSize, int testSize,
            long seed, int nuisanceDims, double nuisanceNoise) {
        if (dim % 2 != 0 || nuisanceDims < 0 || nuisanceDims >= dim / 2) {
            throw new IllegalArgumentException("dim " + dim + " must be even and nuisance dims " + nuisanceDims
                    + " in [0, dim/2)");
        }
        SplittableRandom r = new SplittableRandom(seed);
        int half = dim / 2;
        int informative = half - nuisanceDims;
        double scale = separation / Math.sqrt(2.0 * informative);
        float[][] centres = new float[classes][dim];
        boolean[] nuisance = new boolean[dim];
        for (int j = 0; j < dim; j++) {
            nuisance[j] = j % half >= informative;
        }
        for (float[] c : centres) {
            for (int j = 0; j < dim; j++) {
                if (!nuisance[j]) {
                    c[j] = (float) (r.nextGaussian() * scale);
                }
            }
        }
        IndexedSplit train = sample(centres, noise, nuisance, nuisanceNoise, trainSize, r.split());
        IndexedSplit test = sample(centres, noise, nuisance, nuisanceNoise, testSize, r.split());
        Map<String, String> info = new LinkedHashMap<>();
        info.put("generator", "synthetic latent-class");
        info.put("classes", Integer.toString(classes));
        info.put("dim", Integer.toString(dim));
        info.put("separation", Double.toString(separation));
        info.put("noise", Double.toString(noise));
        info.put("trainSize", Integer.toString(trainSize));
        info.put("testSize", Integer.toString(testSize));
        info.put("dataSeed", Long.toString(seed));
        if (nuisanceDims > 0) {
            info.put("nuisanceDims", Integer.toString(nuisanceDims));
            info.put("nuisanceNoise", Double.toString(nuisanceNoise));
        }
        return new LabelledImageDataset("synthetic", train, test, info);
    }

    private static IndexedSplit sample(float[][] centres, double noise, boolean[] nuisance, double nuisanceNoise, int n,
            SplittableRandom r) {
        int dim = centres[0].length;
        float[] x = new float[n * dim];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(centres.length);
            y[i] = c;
            for (int j = 0; j < dim; j++) {
                x[i * dim + j] = (float) (nuisance[j] ? nuisanceNoise * r.nextGaussian()
                        : centres[c][j] + noise * r.nextGaussian());
            }
        }
        return IndexedSplit.ofFloats(x, new Shape(dim), y, IndexedSplit.numberedClasses(centres.length));
    }
}
