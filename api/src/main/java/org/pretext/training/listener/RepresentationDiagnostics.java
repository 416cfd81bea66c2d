package org.pretext.training.listener;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.pretext.Seeds;
import org.pretext.data.Batch;
import org.pretext.data.BatchPlan;
import org.pretext.data.HostTensor;
import org.pretext.data.Split;
import org.pretext.model.PretextModel;
import org.pretext.param.ParamValues;
import org.pretext.transform.Augmentation;
import org.pretext.transform.AugmentationParams;
import org.pretext.transform.Views;

/**
 * Label-free diagnostics of the encoder, measured at the end of every epoch on one fixed batch so
 * that numbers are comparable across epochs, and merged into that step's metrics:
 *
 * <ul>
 *   <li>{@code alignment} and {@code uniformity} (Wang and Isola 2020) of the ℓ2-normalised
 *       encoder features of two fixed augmented views of the batch (see {@link EmbeddingStats});
 *   <li>{@code effectiveRank} (RankMe, Garrido et al. 2023) of the features of the clean batch;
 *   <li>{@code collapsed}: 1 when the effective rank is below the collapse threshold, else 0. A
 *       warning naming the epoch is then sent to the warning sink (standard error by default).
 * </ul>
 *
 * The default threshold is {@value #DEFAULT_COLLAPSE_RANK}: a collapsed encoder, whose features
 * all lie near one point or one line, has an effective rank between 1 and 2, while even an
 * untrained encoder spreads 28×28 digits over about 10 or more effective dimensions (measured:
 * see the tests). Pass another threshold for dimensional collapse (e.g. a fraction of the feature
 * size). Features are computed in inference mode; for a split of token ids (no augmentation) the
 * alignment is NaN and the uniformity is that of the clean batch.
 */
public final class RepresentationDiagnostics implements EpochMonitor {
    /** Examples in the fixed batch by default. */
    public static final int DEFAULT_EXAMPLES = 512;
    /** Fraction of min(n, d) below which the effective rank reports a collapse, by default. */
    public static final double DEFAULT_COLLAPSE_FRACTION = 0.15;
    private static final int CHUNK = 256;
    private final HostTensor clean;
    private final HostTensor view1;
    private final HostTensor view2;
    private final double collapseFraction;
    private final Consumer<String> warnings;

    /**
     * @param clean the fixed batch (B, ...)
     * @param view1 one augmented view of it, or null (no alignment)
     * @param view2 another augmented view of it, or null
     * @param collapseFraction {@code collapsed} is 1 when the effective rank is below this
     *     fraction of min(n, d), n the batch size and d the feature size
     * @param warnings where a collapse warning goes
     */
    public RepresentationDiagnostics(HostTensor clean, HostTensor view1, HostTensor view2, double collapseFraction,
            Consumer<String> warnings) {
        if ((view1 == null) != (view2 == null)) {
            throw new IllegalArgumentException("give both views or neither");
        }
        if (clean.shape().get(0) < 2) {
            throw new IllegalArgumentException("the diagnostics batch needs at least 2 examples");
        }
        this.clean = clean;
        this.view1 = view1;
        this.view2 = view2;
        this.collapseFraction = collapseFraction;
        this.warnings = warnings;
    }

    /**
     * Diagnostics on {@code examples} examples drawn from a split with a seed, viewed through an
     * augmentation (null for none), warning on standard error.
     */
    public static RepresentationDiagnostics of(Split split, Augmentation augmentation, int examples, long seed,
            double collapseFraction) {
        int n = (int) Math.min(examples, split.size());
        Iterator<Batch> it = split.batches(BatchPlan.shuffled(n, Seeds.derive(seed, 0xd1a9L), 0));
        HostTensor batch = it.next().inputs();
        HostTensor v1 = null;
        HostTensor v2 = null;
        if (augmentation != null && batch.dataType() == ai.djl.ndarray.types.DataType.FLOAT32) {
            SplittableRandom r = new SplittableRandom(Seeds.derive(seed, 0xd1a9L, 1));
            v1 = Views.augment(batch, augmentation, r.split());
            v2 = Views.augment(batch, augmentation, r.split());
        }
        return new RepresentationDiagnostics(batch, v1, v2, collapseFraction,
                msg -> System.err.println("warning: " + msg));
    }

    /**
     * Diagnostics on {@value #DEFAULT_EXAMPLES} examples of a split with the default view-based
     * augmentation for its example shape (the digit recipe for images, drop-and-noise for
     * vectors, none for token ids) and the default collapse threshold.
     */
    public static RepresentationDiagnostics of(Split split, long seed) {
        Augmentation aug = null;
        int rank = split.exampleShape().dimension();
        if (rank == 1 || rank == 3) {
            aug = AugmentationParams.build(ParamValues.defaults("diagnostics", AugmentationParams.ALL),
                    split.exampleShape());
        }
        return of(split, aug, DEFAULT_EXAMPLES, seed, DEFAULT_COLLAPSE_FRACTION);
    }

    /** The same diagnostics sending collapse warnings elsewhere (a log, a list in a test). */
    public RepresentationDiagnostics withWarnings(Consumer<String> sink) {
        return new RepresentationDiagnostics(clean, view1, view2, collapseFraction, sink);
    }

    /** The same diagnostics with another collapse threshold, as a fraction of min(n, d). */
    public RepresentationDiagnostics withCollapseFraction(double fraction) {
        return new RepresentationDiagnostics(clean, view1, view2, fraction, warnings);
    }

    /** The effective rank below which an encoder of {@code featureSize} features is reported as collapsed. */
    public double collapseRank(int featureSize) {
        return collapseFraction * Math.min(clean.shape().get(0), featureSize);
    }

    /** What one measurement found. */
    public record Result(double alignment, double uniformity, double effectiveRank, boolean collapsed) {
        /** As metrics: alignment, uniformity, effectiveRank, collapsed (0 or 1). */
        public Map<String, Double> asMap() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("alignment", alignment);
            m.put("uniformity", uniformity);
            m.put("effectiveRank", effectiveRank);
            m.put("collapsed", collapsed ? 1.0 : 0.0);
            return m;
        }
    }

    @Override
    public Map<String, Double> measure(PretextModel model, long epoch) {
        Result r = measure(model);
        if (r.collapsed()) {
            warnings.accept(String.format(Locale.ROOT,
                    "the representation has collapsed at epoch %d: effective rank %.2f is below %.2f (%.0f%% of the"
                            + " largest possible, %d), uniformity %.3f (0 when every feature is the same)",
                    epoch, r.effectiveRank(), collapseRank(model.encoder().featureSize()), collapseFraction * 100,
                    maxRank(model), r.uniformity()));
        }
        return r.asMap();
    }

    /** Measures the model's encoder now. */
    public Result measure(PretextModel model) {
        int d = model.encoder().featureSize();
        int n = (int) clean.shape().get(0);
        float[] f = features(model, clean);
        double rank = EmbeddingStats.effectiveRank(f, n, d);
        double alignment = Double.NaN;
        double uniformity;
        if (view1 != null) {
            float[] a = features(model, view1);
            float[] b = features(model, view2);
            alignment = EmbeddingStats.alignment(a, b, n, d);
            uniformity = (EmbeddingStats.uniformity(a, n, d) + EmbeddingStats.uniformity(b, n, d)) / 2;
        } else {
            uniformity = EmbeddingStats.uniformity(f, n, d);
        }
        return new Result(alignment, uniformity, rank, rank < collapseRank(d));
    }

    private int maxRank(PretextModel model) {
        return (int) Math.min(clean.shape().get(0), model.encoder().featureSize());
    }

    private static float[] features(PretextModel model, HostTensor batch) {
        int n = (int) batch.shape().get(0);
        int d = model.encoder().featureSize();
        float[] out = new float[n * d];
        try (NDManager m = NDManager.newBaseManager(model.device())) {
            NDArray all = batch.toNDArray(m);
            for (int from = 0; from < n; from += CHUNK) {
                int to = Math.min(n, from + CHUNK);
                try (NDManager step = m.newSubManager()) {
                    NDArray x = all.get(from + ":" + to);
                    x.attach(step);
                    float[] v = model.encode(x, false).toFloatArray();
                    System.arraycopy(v, 0, out, from * d, v.length);
                }
            }
        }
        return out;
    }
}
