package org.pretext.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.pretext.blocks.MlpHead;
import org.pretext.blocks.TwoViewObjective;
import org.pretext.data.Batch;
import org.pretext.data.HostTensor;
import org.pretext.objective.Distribution;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.PreparedBatch;
import org.pretext.objective.StepContext;
import org.pretext.transform.Augmentation;
import org.pretext.transform.Views;

/**
 * MMCR (Yerxa et al. 2023): k augmented views of every example (the same recipe, each view its own
 * random stream), encoder and projector ({@code Linear → BN → ReLU → Linear}, as lightly's
 * {@code MMCRProjectionHead} with one hidden layer), trained with {@link MmcrLoss}: the negative
 * nuclear norm of the matrix of the views' centroids, computed over the whole (gathered) batch. No
 * negatives, no stop-gradient, no target network (the paper's momentum variant is not built). The
 * centroids' nuclear norm is logged as {@code centroid-nuclear-norm}, the Newton–Schulz iterations
 * its polar factor took as {@code polar-iterations}.
 */
public final class MmcrObjective extends TwoViewObjective {
    static final String HEAD = "projection";
    private final int views;
    private final double lambda;
    private final int projectionHidden;
    private final int projectionDim;
    private Block projector;

    /**
     * @param views k ≥ 2 views per example
     * @param lambda λ ≥ 0, weight of the views' own nuclear norms
     */
    public MmcrObjective(int views, double lambda, int projectionHidden, int projectionDim,
            Function<Shape, Augmentation> augmentationFor) {
        super(augmentationFor);
        if (views < 2) {
            throw new IllegalArgumentException("MMCR needs at least 2 views per example, got " + views);
        }
        this.views = views;
        this.lambda = lambda;
        this.projectionHidden = projectionHidden;
        this.projectionDim = projectionDim;
    }

    @Override
    protected void build(ObjectiveSetup setup) {
        projector = initialized(MlpHead.create(List.of(projectionHidden), projectionDim, true, false), setup,
                setup.encoder().featureSize());
    }

    /** k views, each example of each view with its own random stream. */
    @Override
    public PreparedBatch prepare(Batch batch, SplittableRandom random) {
        List<HostTensor> out = new ArrayList<>(views);
        for (int v = 0; v < views; v++) {
            out.add(Views.augment(batch.inputs(), augmentation(), random.split()));
        }
        return new PreparedBatch(out);
    }

    @Override
    public Optional<String> embeddingHead() {
        return Optional.of(HEAD);
    }

    /** The nuclear norm is over the centroids of the whole batch: the loss needs it gathered. */
    @Override
    public Distribution distribution() {
        return Distribution.GATHERED;
    }

    @Override
    public Map<String, Block> heads() {
        return Map.of(HEAD, projector);
    }

    @Override
    public Map<String, String> metricCaptions() {
        return Map.of("centroid-nuclear-norm", "MMCR: nuclear norm of the matrix of the views' centroids (the loss is"
                        + " minus it, plus λ times the views' own nuclear norms)",
                "polar-iterations", "MMCR: Newton–Schulz iterations the centroids' polar factor took");
    }

    @Override
    public NDArray loss(StepContext ctx, NDList inputs) {
        if (inputs.size() != views) {
            throw new IllegalArgumentException("MMCR was set up for " + views + " views, got " + inputs.size());
        }
        long b = inputs.get(0).getShape().get(0);
        NDArray all = inputs.size() == 2 ? bothViews(inputs) : NDArrays.concat(inputs, 0);
        NDArray z = ctx.model().head(HEAD, ctx.model().encode(all, true));
        MmcrLoss.Terms t = MmcrLoss.compute(z.reshape(views, b, z.getShape().get(1)), lambda);
        ctx.metric("centroid-nuclear-norm", t.centroids().toType(DataType.FLOAT32, false).getFloat());
        ctx.metric("polar-iterations", t.iterations());
        return t.total();
    }
}
