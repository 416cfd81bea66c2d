package org.pretext.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.apiguardian.api.API;
import org.pretext.data.Batch;
import org.pretext.data.HostTensor;
import org.pretext.data.Split;
import org.pretext.encoder.Encoder;

/**
 * A self-supervised objective: it owns its pretext task from raw batch to loss.
 *
 * <ol>
 *   <li>{@link #prepare} turns a raw batch into the loss's inputs (views, masks, shifted tokens)
 *       on a worker thread, in JVM memory, drawing randomness only from the stream it is given;
 *   <li>{@link #initialize} builds the heads it adds on top of the encoder ({@link #heads()} are
 *       trained with the encoder; state such as EMA targets or queues is kept by the objective);
 *   <li>{@link #loss} computes the scalar loss from the prepared inputs on the device.
 * </ol>
 *
 * <p>Every method but {@link #initialize}, {@link #heads}, {@link #prepare} and {@link #loss} has a
 * default, so an objective implements only what it uses. The life of one training step, in order:
 * {@code prepare} (worker thread, JVM memory) → inputs copied to the device in the step's manager →
 * {@code perturb} (outside gradient collection) → {@code loss} (inside it) → backward, clipping →
 * {@code beforeUpdate} → optimizer update → {@code afterUpdate} → every array of the step's manager
 * freed. Arrays an objective keeps across steps (EMA weights, queues) belong to
 * {@link ObjectiveSetup#manager()}. An objective that wraps another extends
 * {@link ForwardingObjective}, so that it forwards every method, present and future.
 *
 * <p>The pretraining loop knows nothing about any particular objective.
 */
@API(status = API.Status.STABLE, since = "0.1")
public interface Objective {
    /** Shape of one example the encoder sees, given one raw example's shape. */
    default Shape encoderInputShape(Shape exampleShape) {
        return exampleShape;
    }

    /**
     * What the encoder sees of a batch of raw examples (B, exampleShape...) when its features are
     * extracted for probes or export: the examples themselves by default. An objective whose
     * {@link #encoderInputShape} differs from the example shape (e.g. one that trains the encoder on
     * one half of each input) overrides this so that features are taken from the same view the
     * encoder was trained on; the result has shape (B, encoderInputShape(exampleShape)...).
     */
    default HostTensor encoderInput(HostTensor examples) {
        return examples;
    }

    /**
     * Checks the encoder suits this objective and builds and initialises the heads.
     *
     * @throws org.pretext.PretextException when the encoder lacks a capability the objective needs
     */
    void initialize(ObjectiveSetup setup);

    /** Trainable heads by name, optimised with the encoder; empty if none. Any map order is fine:
     * the model orders heads by name. */
    Map<String, Block> heads();

    /**
     * The head that maps the encoder's features to the embedding the loss compares (a projector),
     * if the objective has one; label-free diagnostics measure its output, where the collapse of
     * joint-embedding methods shows first. Empty by default.
     */
    default Optional<String> embeddingHead() {
        return Optional.empty();
    }

    /**
     * Makes the loss's inputs from a raw batch. Called on worker threads; must use only
     * {@code random} for randomness so a seed fixes the result.
     */
    PreparedBatch prepare(Batch batch, SplittableRandom random);

    /**
     * Transforms the inputs on the device before the loss, outside gradient collection; nothing by
     * default. An objective may run its own {@code GradientCollector} here (e.g. an adversarial
     * attack that needs input gradients); parameter gradients accumulated here are zeroed by the
     * loop before the loss is computed whenever the returned list is not the one passed in.
     */
    default NDList perturb(StepContext context, NDList inputs) {
        return inputs;
    }

    /**
     * The scalar loss of a prepared batch, built from NDArray operations for autograd. Multiply,
     * divide, raise to a power or clamp by a constant with {@link org.pretext.engine.Scalars}, not
     * with DJL's {@code NDArray.mul(Number)} and the like, whose constant can be freed before the
     * backward pass reads it.
     */
    NDArray loss(StepContext context, NDList inputs);

    /**
     * Called once the step's gradients are complete (after backward and clipping) and before the
     * optimizer update, e.g. to zero the gradient of a layer that is frozen for the first epoch
     * (DINO's last layer); nothing by default. The step's arrays still exist; gradients are read
     * and written with {@code parameter.getArray().getGradient()}.
     */
    default void beforeUpdate(StepContext context) {}

    /** Called after each optimizer update, e.g. to move an EMA target; nothing by default. */
    default void afterUpdate(StepContext context) {}

    /**
     * The encoder whose features are probed and exported after pretraining: the one being trained
     * ({@code model.encoder()}) by default; an objective with a momentum teacher may return the
     * teacher (BYOL's target, MoCo's key encoder), which some methods report as their result.
     * It must take the same inputs and give features of the same size as {@code model.encoder()}.
     */
    default Encoder probedEncoder(Model model) {
        return model.encoder();
    }

    /**
     * Captions of the metrics this objective records (through {@link StepContext#metric} or
     * {@link #validate}), by metric name: the run's report plots each recorded metric against the
     * step under its caption (a metric without one is plotted too, captioned by its name). Empty
     * by default.
     */
    default Map<String, String> metricCaptions() {
        return Map.of();
    }

    /**
     * Measures the model on held-out data in inference mode, e.g. a language model's validation
     * loss: named scalars such as {@code "validationLoss"} (in the loss's own units, nats per token for
     * next-token prediction). Empty when the objective has no such measure, which is the default.
     * Runs outside any training step and frees every array it creates. Use it as an
     * {@link org.pretext.training.EpochMonitor}: {@code (m, epoch) -> objective.validate(m, split)}.
     *
     * @param heldOut examples of the same kind as the pretraining split, never trained on
     */
    default Map<String, Double> validate(Model model, Split heldOut) {
        return Map.of();
    }

    /**
     * Writes artefacts for people to look at after pretraining into {@code dir} (e.g. a masked
     * autoencoder's reconstructions as a PNG grid) and returns the files written; nothing by
     * default. Runs outside any training step, in inference mode, and frees every array it creates.
     *
     * @param data examples of the pretraining kind to draw from (e.g. the test split)
     * @param seed fixes any randomness (which examples, which masks)
     */
    default List<Path> writeArtifacts(Model model, Split data, Path dir, long seed) throws IOException {
        return List.of();
    }

    /**
     * How this objective may be trained over several devices ({@link Distribution}): single device
     * by default, so a plug-in that declares nothing runs on one device with a message. Declare
     * {@link Distribution#GATHERED} or {@link Distribution#PER_EXAMPLE} only when every encoder
     * forward pass of the loss goes through {@link Model#encode}.
     */
    default Distribution distribution() {
        return Distribution.SINGLE_DEVICE;
    }

    /** Writes state that must survive a restart (EMA targets, queues); nothing by default. */
    default void saveState(DataOutputStream out) throws IOException {}

    /** Reads what {@link #saveState} wrote. */
    default void loadState(DataInputStream in, NDManager manager) throws IOException {}
}
