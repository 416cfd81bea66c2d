package org.pretext.blocks;

import org.apiguardian.api.API;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.pretext.data.Batch;
import org.pretext.objective.Model;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.PreparedBatch;
import org.pretext.transform.Augmentation;
import org.pretext.transform.Views;

/**
 * What the two-view (joint-embedding) objectives share: the augmentation for the data's example
 * shape, and {@link #prepare} making two independently augmented views of every example, each
 * example with its own random stream. Extend it for a new joint-embedding method: implement
 * {@link #build} (the heads) and {@link #loss}; the views' augmentation comes from
 * {@link org.pretext.transform.AugmentationParams}, whose defaults a provider may override.
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.2")
public abstract class TwoViewObjective implements Objective {
    private final Function<Shape, Augmentation> augmentationFor;
    private Augmentation augmentation;

    /** @param augmentationFor the augmentation for the data's example shape (e.g. {@code shape -> AugmentationParams.build(params, shape)}) */
    protected TwoViewObjective(Function<Shape, Augmentation> augmentationFor) {
        this.augmentationFor = augmentationFor;
    }

    @Override
    public final void initialize(ObjectiveSetup setup) {
        augmentation = augmentationFor.apply(setup.exampleShape());
        build(setup);
    }

    /** Builds and initialises the heads (and any target) once the augmentation is set. */
    protected abstract void build(ObjectiveSetup setup);

    /** The views' augmentation for the data's example shape, set before {@link #build} (for objectives that make more than two views). */
    protected final Augmentation augmentation() {
        return augmentation;
    }

    @Override
    public PreparedBatch prepare(Batch batch, SplittableRandom random) {
        return PreparedBatch.of(Views.augment(batch.inputs(), augmentation, random.split()),
                Views.augment(batch.inputs(), augmentation, random.split()));
    }

    /** Initialises a head for inputs of width {@code in}. */
    public static Block initialized(Block head, ObjectiveSetup setup, int in) {
        head.initialize(setup.manager(), DataType.FLOAT32, new Shape(2, in));
        return head;
    }

    /** Both views as one batch (2N, ...): view 1 then view 2, so one forward pass serves both. */
    public static NDArray bothViews(NDList inputs) {
        return inputs.get(0).concat(inputs.get(1), 0);
    }

    /** Encoder then head on both views at once: (2N, out). */
    public static NDArray project(Model model, String head, NDList inputs) {
        return model.head(head, model.encode(bothViews(inputs), true));
    }
}
