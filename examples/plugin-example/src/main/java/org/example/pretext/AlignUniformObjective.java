package org.example.pretext;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.pretext.data.Batch;
import org.pretext.objective.Distribution;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.PreparedBatch;
import org.pretext.objective.StepContext;
import org.pretext.transform.Augmentation;
import org.pretext.transform.Views;

/**
 * Two augmented views of every example; the alignment-uniformity loss ({@link AlignUniformLoss})
 * directly on the encoder's features (no head, no state). Replace the loss with yours: the test
 * kit's contract test ({@code AlignUniformObjectiveContractTest}) tells you whether it still
 * trains, differentiates, reproduces and resumes correctly.
 */
public final class AlignUniformObjective implements Objective {
    private final double t;
    private final double lambda;
    private final Function<Shape, Augmentation> augmentationFor;
    private Augmentation augmentation;

    public AlignUniformObjective(double t, double lambda, Function<Shape, Augmentation> augmentationFor) {
        this.t = t;
        this.lambda = lambda;
        this.augmentationFor = augmentationFor;
    }

    @Override
    public void initialize(ObjectiveSetup setup) {
        augmentation = augmentationFor.apply(setup.exampleShape());
    }

    @Override
    public Map<String, Block> heads() {
        return Map.of();
    }

    /** On a worker thread: all randomness from {@code random}, so the run's seed fixes the views. */
    @Override
    public PreparedBatch prepare(Batch batch, SplittableRandom random) {
        return PreparedBatch.of(Views.augment(batch.inputs(), augmentation, random.split()),
                Views.augment(batch.inputs(), augmentation, random.split()));
    }

    @Override
    public NDArray loss(StepContext ctx, NDList inputs) {
        long n = inputs.get(0).getShape().get(0);
        NDArray f = ctx.model().encode(inputs.get(0).concat(inputs.get(1), 0), true);
        return AlignUniformLoss.compute(f.get("0:" + n), f.get(n + ":"), t, lambda);
    }

    /**
     * The uniformity term compares examples across the batch, so with several devices the loss must
     * see the gathered batch: {@code Model.encode} gives it that. The test kit checks the claim.
     */
    @Override
    public Distribution distribution() {
        return Distribution.GATHERED;
    }
}
