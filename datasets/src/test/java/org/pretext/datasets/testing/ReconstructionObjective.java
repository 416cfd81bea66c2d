package org.pretext.datasets.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import java.util.Map;
import java.util.SplittableRandom;
import org.pretext.data.Batch;
import org.pretext.encoder.BlockEncoder;
import org.pretext.encoder.Encoder;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.PreparedBatch;
import org.pretext.objective.StepContext;
import org.pretext.param.ParamValues;
import org.pretext.transform.Augmentation;
import org.pretext.transform.AugmentationParams;
import org.pretext.transform.Views;

/**
 * A tiny test objective: reconstruct the clean example from an augmented view of it (the recipe
 * {@link AugmentationParams} picks for the data), with a linear decoder; loss = mean squared error.
 * Enough to check that data of any shape flows through the pretraining loop and the loss falls.
 */
public final class ReconstructionObjective implements Objective {
    private Augmentation augmentation;
    private Block decoder;
    private long outputs;

    /** A linear encoder from the flattened example to {@code features}. */
    public static Encoder encoder(Shape exampleShape, int features) {
        SequentialBlock b = new SequentialBlock();
        b.add(Blocks.batchFlattenBlock(exampleShape.size()));
        b.add(Linear.builder().setUnits(features).build());
        return new BlockEncoder(b, exampleShape, features);
    }

    @Override
    public void initialize(ObjectiveSetup setup) {
        augmentation = AugmentationParams.build(ParamValues.defaults("objective 'reconstruction'",
                AugmentationParams.ALL), setup.exampleShape());
        outputs = setup.exampleShape().size();
        decoder = Linear.builder().setUnits(outputs).build();
        decoder.initialize(setup.manager(), DataType.FLOAT32, new Shape(1, setup.encoder().featureSize()));
    }

    /** The augmentation in use. */
    public Augmentation augmentation() {
        return augmentation;
    }

    @Override
    public Map<String, Block> heads() {
        return Map.of("decoder", decoder);
    }

    @Override
    public PreparedBatch prepare(Batch batch, SplittableRandom random) {
        return PreparedBatch.of(Views.augment(batch.inputs(), augmentation, random), batch.inputs());
    }

    @Override
    public NDArray loss(StepContext ctx, NDList inputs) {
        NDArray out = ctx.model().head("decoder", ctx.model().encode(inputs.get(0), true));
        NDArray clean = inputs.get(1).reshape(out.getShape());
        return out.sub(clean).square().mean();
    }
}
