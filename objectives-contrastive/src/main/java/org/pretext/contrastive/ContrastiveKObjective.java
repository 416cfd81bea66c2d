package org.pretext.contrastive;

import org.pretext.blocks.TwoViewObjective;
import org.pretext.blocks.Norms;
import org.pretext.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.pretext.PretextException;
import org.pretext.data.Batch;
import org.pretext.data.HostTensor;
import org.pretext.objective.Distribution;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.PreparedBatch;
import org.pretext.objective.StepContext;
import org.pretext.transform.Augmentation;

/**
 * The k-negative contrastive objective of Arora et al. 2019: each example gives a positive pair
 * (two augmented views x, x⁺) and k negatives x⁻_1..k drawn independently and uniformly, with
 * replacement, from the other examples of the batch (so k is free of the batch size, as the
 * paper's i.i.d. negatives are), scored by {@link ContrastiveKLoss}. Both views take a turn as the
 * anchor: L = ½·(ℓ(z₁ → z₂) + ℓ(z₂ → z₁)), where the candidates for anchor view 1 are the view-2
 * embeddings and vice versa. Embeddings come from a SimCLR-style projection head and are
 * ℓ2-normalised when {@code normalize} is set (the paper's own form is unnormalised with τ = 1).
 */
public final class ContrastiveKObjective extends TwoViewObjective {
    static final String HEAD = "projection";
    private final int negatives;
    private final double temperature;
    private final boolean normalize;
    private final int projectionHidden;
    private final int projectionDim;
    private Block head;

    public ContrastiveKObjective(int negatives, double temperature, boolean normalize, int projectionHidden,
            int projectionDim, Function<Shape, Augmentation> augmentationFor) {
        super(augmentationFor);
        this.negatives = negatives;
        this.temperature = temperature;
        this.normalize = normalize;
        this.projectionHidden = projectionHidden;
        this.projectionDim = projectionDim;
    }

    @Override
    protected void build(ObjectiveSetup setup) {
        head = initialized(SimClrProjectionHead.create(projectionHidden, projectionDim), setup,
                setup.encoder().featureSize());
    }

    @Override
    public Optional<String> embeddingHead() {
        return Optional.of(HEAD);
    }

    /** The loss is computed over the gathered batch: its negatives and batch statistics are global. */
    @Override
    public Distribution distribution() {
        return Distribution.GATHERED;
    }

    @Override
    public Map<String, Block> heads() {
        return Map.of(HEAD, head);
    }

    @Override
    public PreparedBatch prepare(Batch batch, SplittableRandom random) {
        PreparedBatch views = super.prepare(batch, random);
        List<HostTensor> all = new ArrayList<>(views.tensors());
        all.add(columns(batch.size(), negatives, random.split()));
        return new PreparedBatch(all);
    }

    /**
     * The (n, k + 1) index table: row i is i (the positive) then k indices drawn uniformly from
     * the n − 1 others, with replacement.
     */
    static HostTensor columns(int n, int k, SplittableRandom random) {
        if (n < 2) {
            throw new PretextException("contrastive-k needs batches of at least 2 examples to draw negatives from,"
                    + " got " + n);
        }
        int[] idx = new int[n * (k + 1)];
        for (int i = 0; i < n; i++) {
            idx[i * (k + 1)] = i;
            for (int j = 1; j <= k; j++) {
                int other = random.nextInt(n - 1);
                idx[i * (k + 1) + j] = other >= i ? other + 1 : other;
            }
        }
        return HostTensor.ofInts(idx, new Shape(n, k + 1));
    }

    @Override
    public NDArray loss(StepContext ctx, NDList inputs) {
        NDArray z = project(ctx.model(), HEAD, inputs);
        if (normalize) {
            z = Norms.unitRows(z);
        }
        NDList v = z.split(2);
        NDArray cols = inputs.get(2);
        return Scalars.mul(ContrastiveKLoss.compute(v.get(0), v.get(1), cols, temperature)
                .add(ContrastiveKLoss.compute(v.get(1), v.get(0), cols, temperature)), 0.5);
    }
}
