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
 * An objective that behaves as another in every respect it does not override (Guava's
 * {@code ForwardingObject} pattern): the base of every wrapper, such as {@code adversarial(X)},
 * which changes only the perturbation and so must extract features, validate, write artefacts and
 * keep state exactly as X does. It forwards every method of {@link Objective}, including the
 * defaults, so a method added to {@code Objective} later reaches the wrapped objective too
 * (a test fails when one is missing here).
 */
@API(status = API.Status.STABLE, since = "0.2")
public abstract class ForwardingObjective implements Objective {
    private final Objective delegate;

    /** @param delegate the wrapped objective */
    protected ForwardingObjective(Objective delegate) {
        this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
    }

    /** The wrapped objective. */
    public Objective delegate() {
        return delegate;
    }

    @Override
    public Shape encoderInputShape(Shape exampleShape) {
        return delegate.encoderInputShape(exampleShape);
    }

    @Override
    public HostTensor encoderInput(HostTensor examples) {
        return delegate.encoderInput(examples);
    }

    @Override
    public void initialize(ObjectiveSetup setup) {
        delegate.initialize(setup);
    }

    @Override
    public Distribution distribution() {
        return delegate.distribution();
    }

    @Override
    public Map<String, Block> heads() {
        return delegate.heads();
    }

    @Override
    public Optional<String> embeddingHead() {
        return delegate.embeddingHead();
    }

    @Override
    public PreparedBatch prepare(Batch batch, SplittableRandom random) {
        return delegate.prepare(batch, random);
    }

    @Override
    public NDList perturb(StepContext context, NDList inputs) {
        return delegate.perturb(context, inputs);
    }

    @Override
    public NDArray loss(StepContext context, NDList inputs) {
        return delegate.loss(context, inputs);
    }

    @Override
    public void beforeUpdate(StepContext context) {
        delegate.beforeUpdate(context);
    }

    @Override
    public void afterUpdate(StepContext context) {
        delegate.afterUpdate(context);
    }

    @Override
    public Encoder probedEncoder(Model model) {
        return delegate.probedEncoder(model);
    }

    @Override
    public Map<String, String> metricCaptions() {
        return delegate.metricCaptions();
    }

    @Override
    public Map<String, Double> validate(Model model, Split heldOut) {
        return delegate.validate(model, heldOut);
    }

    @Override
    public List<Path> writeArtifacts(Model model, Split data, Path dir, long seed) throws IOException {
        return delegate.writeArtifacts(model, data, dir, seed);
    }

    @Override
    public void saveState(DataOutputStream out) throws IOException {
        delegate.saveState(out);
    }

    @Override
    public void loadState(DataInputStream in, NDManager manager) throws IOException {
        delegate.loadState(in, manager);
    }
}
