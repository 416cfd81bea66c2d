package org.pretext.training.listener;

import org.pretext.training.EpochMonitor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
 * Label-free diagnostics of a representation, measured at the end of every epoch on one fixed
 * batch (so numbers are comparable across epochs) and merged into that step's metrics:
 *
 * <ul>
 *   <li>{@code alignment} and {@code uniformity} (Wang and Isola 2020) of the ℓ2-normalised encoder
 *       features of two fixed augmented views of the batch (see {@link EmbeddingStats});
 *   <li>{@code effectiveRank} (RankMe, Garrido et al. 2023) of the encoder features of the clean
 *       batch, at most min(n, d);
 *   <li>{@code embeddingRank}: the same for the output of the objective's
 *       {@linkplain org.pretext.objective.Objective#embeddingHead() embedding head} (its projector),
 *       when it names one;
 *   <li>{@code collapsed}: 1 when either effective rank is below the collapse rank, else 0; a
 *       warning naming the epoch then goes to the warning sink (standard error by default).
 * </ul>
 *
 * <p>The default collapse rank is {@value #DEFAULT_COLLAPSE_RANK}: the embeddings lie near a line
 * or a plane. Measured on the test MLP (64 features) after 200 steps on MNIST: with BYOL's EMA
 * target or SimSiam's stop-gradient removed the projector's embeddings fall to an effective rank
 * of 1.5–1.9 while with them it stays at 30–45, and a constant encoder gives 1.0. The encoder's
 * own features fall less clearly (to 6–9 from 8–27: healthy BYOL encoders can have a low rank in
 * short runs), so a falling {@code effectiveRank} across epochs, read beside a rising
 * {@code uniformity} (0 when every feature is the same, about −2 for a spread representation),
 * is the sign of dimensional collapse rather than a fixed threshold on it.
 *
 * <p>Features are computed in inference mode. For a split of token ids (no augmentation) the
 * alignment is NaN and the uniformity is that of the clean batch.
 */
public final class RepresentationDiagnostics implements EpochMonitor {
    /** Examples in the fixed batch by default. */
    public static final int DEFAULT_EXAMPLES = 512;
    /** Effective rank below which a representation is reported as collapsed, by default. */
    public static final double DEFAULT_COLLAPSE_RANK = 3.0;
    private static final int CHUNK = 256;
    private final HostTensor clean;
    private final HostTensor view1;
    private final HostTensor view2;
    private final double collapseRank;
    private final Consumer<String> warnings;

    /**
     * @param clean the fixed batch (B, ...), B ≥ 2
     * @param view1 one augmented view of it, or null (no alignment)
     * @param view2 another augmented view of it, or null
     * @param collapseRank {@code collapsed} is 1 when an effective rank is below it
     * @param warnings where a collapse warning goes
     */
    public RepresentationDiagnostics(HostTensor clean, HostTensor view1, HostTensor view2, double collapseRank,
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
        this.collapseRank = collapseRank;
        this.warnings = warnings;
    }

    /**
     * Diagnostics on {@code examples} examples drawn from a split with a seed, viewed through an
     * augmentation (null for none), warning on standard error.
     */
    public static RepresentationDiagnostics of(Split split, Augmentation augmentation, int examples, long seed,
            double collapseRank) {
        int n = (int) Math.min(examples, split.size());
        Iterator<Batch> it = split.batches(BatchPlan.shuffled(n, Seeds.derive(seed, 0xd1a9L), 0));
        HostTensor batch = it.next().inputs();
        HostTensor v1 = null;
        HostTensor v2 = null;
        if (augmentation != null && batch.dataType() == DataType.FLOAT32) {
            SplittableRandom r = new SplittableRandom(Seeds.derive(seed, 0xd1a9L, 1));
            v1 = Views.augment(batch, augmentation, r.split());
            v2 = Views.augment(batch, augmentation, r.split());
        }
        return new RepresentationDiagnostics(batch, v1, v2, collapseRank,
                msg -> System.err.println("warning: " + msg));
    }

    /**
     * Diagnostics on {@value #DEFAULT_EXAMPLES} examples of a split with the default view-based
     * augmentation for its example shape (the digit recipe for images, drop-and-noise for
     * vectors, none for token ids) and the default collapse rank:
     * {@code pretrainer.addMonitor(RepresentationDiagnostics.of(data.pretrain(), seed))}.
     */
    public static RepresentationDiagnostics of(Split split, long seed) {
        Augmentation aug = null;
        int rank = split.exampleShape().dimension();
        if (rank == 1 || rank == 3) {
            aug = AugmentationParams.build(ParamValues.defaults("diagnostics", AugmentationParams.ALL),
                    split.exampleShape());
        }
        return of(split, aug, DEFAULT_EXAMPLES, seed, DEFAULT_COLLAPSE_RANK);
    }

    /** The same diagnostics sending collapse warnings elsewhere (a log, a list in a test). */
    public RepresentationDiagnostics withWarnings(Consumer<String> sink) {
        return new RepresentationDiagnostics(clean, view1, view2, collapseRank, sink);
    }

    /** The same diagnostics with another collapse rank. */
    public RepresentationDiagnostics withCollapseRank(double rank) {
        return new RepresentationDiagnostics(clean, view1, view2, rank, warnings);
    }

    /**
     * What one measurement found.
     *
     * @param embeddingRank NaN when the objective names no embedding head
     */
    public record Result(double alignment, double uniformity, double effectiveRank, double embeddingRank,
            boolean collapsed) {
        /** As metrics: alignment, uniformity, effectiveRank, embeddingRank (if any), collapsed (0 or 1). */
        public Map<String, Double> asMap() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("alignment", alignment);
            m.put("uniformity", uniformity);
            m.put("effectiveRank", effectiveRank);
            if (!Double.isNaN(embeddingRank)) {
                m.put("embeddingRank", embeddingRank);
            }
            m.put("collapsed", collapsed ? 1.0 : 0.0);
            return m;
        }
    }

    @Override
    public Map<String, Double> measure(PretextModel model, long epoch) {
        Result r = measure(model);
        if (r.collapsed()) {
            warnings.accept(String.format(Locale.ROOT,
                    "the representation has collapsed at epoch %d: effective rank %.2f of the encoder features%s is"
                            + " below %.1f; uniformity %.3f (0 when every feature is the same)",
                    epoch, r.effectiveRank(), Double.isNaN(r.embeddingRank()) ? ""
                            : String.format(Locale.ROOT, " and %.2f of the embeddings", r.embeddingRank()),
                    collapseRank, r.uniformity()));
        }
        return r.asMap();
    }

    /** Measures the model now. */
    public Result measure(PretextModel model) {
        int d = model.encoder().featureSize();
        int n = (int) clean.shape().get(0);
        Optional<Block> head = model.objective().embeddingHead().map(h -> model.objective().heads().get(h));
        float[][] fe = features(model, clean, head.orElse(null));
        double rank = EmbeddingStats.effectiveRank(fe[0], n, d);
        double embeddingRank = Double.NaN;
        if (fe[1] != null) {
            embeddingRank = EmbeddingStats.effectiveRank(fe[1], n, fe[1].length / n);
        }
        double alignment = Double.NaN;
        double uniformity;
        if (view1 != null) {
            float[] a = features(model, view1, null)[0];
            float[] b = features(model, view2, null)[0];
            alignment = EmbeddingStats.alignment(a, b, n, d);
            uniformity = (EmbeddingStats.uniformity(a, n, d) + EmbeddingStats.uniformity(b, n, d)) / 2;
        } else {
            uniformity = EmbeddingStats.uniformity(fe[0], n, d);
        }
        boolean collapsed = rank < collapseRank || embeddingRank < collapseRank;
        return new Result(alignment, uniformity, rank, embeddingRank, collapsed);
    }

    /** Encoder features and, with a head, its outputs, in inference mode. */
    private static float[][] features(PretextModel model, HostTensor batch, Block head) {
        int n = (int) batch.shape().get(0);
        int d = model.encoder().featureSize();
        float[] out = new float[n * d];
        float[] emb = null;
        try (NDManager m = NDManager.newBaseManager(model.device())) {
            NDArray all = batch.toNDArray(m);
            for (int from = 0; from < n; from += CHUNK) {
                int to = Math.min(n, from + CHUNK);
                try (NDManager step = m.newSubManager()) {
                    NDArray x = all.get(from + ":" + to);
                    x.attach(step);
                    NDArray f = model.encode(x, false);
                    float[] v = f.toFloatArray();
                    System.arraycopy(v, 0, out, from * d, v.length);
                    if (head != null) {
                        float[] e = model.forward(head, new NDList(f), false).singletonOrThrow().toFloatArray();
                        if (emb == null) {
                            emb = new float[n * (e.length / (to - from))];
                        }
                        System.arraycopy(e, 0, emb, from * (e.length / (to - from)), e.length);
                    }
                }
            }
        }
        return new float[][] {out, emb};
    }
}
