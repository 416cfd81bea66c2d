package org.pretext.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.pretext.data.Batch;
import org.pretext.objective.Distribution;
import org.pretext.objective.Model;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.PreparedBatch;
import org.pretext.objective.StepContext;
import org.pretext.transform.Augmentation;
import org.pretext.transform.Views;

/**
 * SimCLR (Chen et al. 2020): two augmented views of each input, encoder f, projection head g, and
 * the NT-Xent loss on z = g(f(x)) of both views ({@link NtXentLoss}).
 */
public final class SimClrObjective implements Objective {
    static final String HEAD = "projection";
    private final double temperature;
    private final int projectionHidden;
    private final int projectionDim;
    private final java.util.function.Function<Shape, Augmentation> augmentationFor;
    private Augmentation augmentation;
    private Block head;

    /**
     * @param augmentationFor builds the augmentation for the data's example shape
     */
    public SimClrObjective(double temperature, int projectionHidden, int projectionDim,
            java.util.function.Function<Shape, Augmentation> augmentationFor) {
        this.temperature = temperature;
        this.projectionHidden = projectionHidden;
        this.projectionDim = projectionDim;
        this.augmentationFor = augmentationFor;
    }

    @Override
    public void initialize(ObjectiveSetup setup) {
        augmentation = augmentationFor.apply(setup.exampleShape());
        head = SimClrProjectionHead.create(projectionHidden, projectionDim);
        head.initialize(setup.manager(), DataType.FLOAT32, new Shape(2, setup.encoder().featureSize()));
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
        return PreparedBatch.of(Views.augment(batch.inputs(), augmentation, random.split()),
                Views.augment(batch.inputs(), augmentation, random.split()));
    }

    @Override
    public NDArray loss(StepContext ctx, NDList inputs) {
        Model model = ctx.model();
        NDArray views = inputs.get(0).concat(inputs.get(1), 0);
        NDArray z = model.head(HEAD, model.encode(views, true));
        return NtXentLoss.compute(z, temperature);
    }
}
