package org.pretext.testkit;

import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.pretext.data.Split;
import org.pretext.encoder.Encoder;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.param.ParamValues;

/**
 * What the contract runs an objective on: its provider and parameters, the examples (latent-class
 * vectors of {@link FixtureData#vectors()} unless set), the encoder (the two-layer MLP of
 * {@link ToyEncoders#mlp(Shape)} unless set), a short training run, and any check the objective
 * declares it cannot pass, each with its reason.
 *
 * <pre>{@code
 * ObjectiveFixture.of(new MyObjectiveProvider(), Map.of("temperature", 0.2))
 *         .withExamples(FixtureData.images())
 *         .withSteps(30);
 * }</pre>
 *
 * Fixtures are mutable builders: make a new one in every {@link ObjectiveContract#fixture()} call.
 */
public final class ObjectiveFixture {
    /** Arithmetic precision of the gradient check. */
    public enum Precision {
        /** Parameters and inputs converted to float64: differences with h = 1e-6, tolerance 1e-4 relative. */
        FLOAT64,
        /** The float32 model as trained: h = 3e-3, tolerance 5e-2 relative (catches wrong signs and scales). */
        FLOAT32
    }

    private final ObjectiveProvider provider;
    private final Map<String, Object> params;
    private Split examples = FixtureData.vectors();
    private Function<Shape, Encoder> encoder = ToyEncoders::mlp;
    private String encoderName = "toy-mlp";
    private int steps = 16;
    private int batchSize = 16;
    private double learningRate = 1e-2;
    private double clipNorm = 1;
    private long seed = 7;
    private Precision precision = Precision.FLOAT64;
    private String precisionReason;
    private final List<String> gradientParameters = new ArrayList<>();
    private String gradientParametersReason;
    private boolean inputGradients = true;
    private String inputGradientsReason;
    private final Map<Check, String> exemptions = new EnumMap<>(Check.class);

    private ObjectiveFixture(ObjectiveProvider provider, Map<String, ?> params) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /**
     * The objective the provider creates from {@code params} (validated against its declared
     * parameters, as the runner does; keys not given take their defaults).
     */
    public static ObjectiveFixture of(ObjectiveProvider provider, Map<String, ?> params) {
        return new ObjectiveFixture(provider, params);
    }

    /** Trains on these examples (e.g. {@link FixtureData#images()} or {@link FixtureData#tokens()}). */
    public ObjectiveFixture withExamples(Split examples) {
        this.examples = Objects.requireNonNull(examples, "examples");
        return this;
    }

    /**
     * Builds the encoder from the shape the objective feeds it
     * ({@link Objective#encoderInputShape}); called once per model, so objectives with EMA
     * targets get fresh encoders of one architecture.
     *
     * @param name recorded in checkpoints, e.g. "transformer"
     */
    public ObjectiveFixture withEncoder(String name, Function<Shape, Encoder> encoderForInputShape) {
        this.encoderName = Objects.requireNonNull(name, "name");
        this.encoder = Objects.requireNonNull(encoderForInputShape, "encoderForInputShape");
        return this;
    }

    /** Steps of each training run (default 16; at least 6). */
    public ObjectiveFixture withSteps(int steps) {
        if (steps < 6) {
            throw new IllegalArgumentException("steps must be at least 6, was " + steps);
        }
        this.steps = steps;
        return this;
    }

    /** Examples per batch (default 16). */
    public ObjectiveFixture withBatchSize(int batchSize) {
        this.batchSize = batchSize;
        return this;
    }

    /** AdamW's constant learning rate in the runs (default 1e-2). */
    public ObjectiveFixture withLearningRate(double learningRate) {
        this.learningRate = learningRate;
        return this;
    }

    /** Global gradient-norm clipping in the runs (default 1; 0 switches it off). */
    public ObjectiveFixture withClipNorm(double clipNorm) {
        this.clipNorm = clipNorm;
        return this;
    }

    /** The run seed (default 7). */
    public ObjectiveFixture withSeed(long seed) {
        this.seed = seed;
        return this;
    }

    /**
     * Runs the gradient check on the float32 model instead of converting it to float64, e.g.
     * because the objective keeps float32 state outside the model's parameters (an EMA target, a
     * queue) that its loss mixes with them. The check is looser in float32.
     */
    public ObjectiveFixture withFloat32Gradients(String reason) {
        this.precision = Precision.FLOAT32;
        this.precisionReason = requireReason(reason);
        return this;
    }

    /**
     * Differentiates the loss with respect to these parameters only (names starting with any of
     * the prefixes, e.g. {@code "heads/predictor/"}) instead of every trainable parameter: for an
     * objective whose gradient is by design not the derivative of its loss value for the others
     * (a stop-gradient on the online network's output, as in SimSiam).
     */
    public ObjectiveFixture withGradientParameters(String reason, String... prefixes) {
        if (prefixes.length == 0) {
            throw new IllegalArgumentException("name at least one parameter prefix");
        }
        this.gradientParametersReason = requireReason(reason);
        this.gradientParameters.clear();
        this.gradientParameters.addAll(List.of(prefixes));
        return this;
    }

    /**
     * Leaves the loss's inputs out of the gradient check (parameters are still checked), e.g.
     * because an input feeds the loss only through a stop-gradient, so the autograd gradient with
     * respect to it is zero by design.
     */
    public ObjectiveFixture withoutInputGradients(String reason) {
        this.inputGradients = false;
        this.inputGradientsReason = requireReason(reason);
        return this;
    }

    /**
     * Declares that the objective cannot pass a check, and why. The check is then reported as
     * skipped with this reason (never silently passed); use it for what the objective genuinely
     * cannot do, not for a bug.
     */
    public ObjectiveFixture exempt(Check check, String reason) {
        exemptions.put(Objects.requireNonNull(check, "check"), requireReason(reason));
        return this;
    }

    private static String requireReason(String reason) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("an exemption needs a reason");
        }
        return reason;
    }

    /** The provider under test. */
    public ObjectiveProvider provider() {
        return provider;
    }

    /** The parameters given. */
    public Map<String, Object> params() {
        return params;
    }

    /** Who the parameters belong to, in messages: {@code objective 'NAME'}. */
    public String owner() {
        return "objective '" + provider.name() + "'";
    }

    /** A new objective from the provider and the parameters. */
    public Objective newObjective() {
        return provider.create(ParamValues.resolve(owner(), provider.parameters(), params));
    }

    public Split examples() {
        return examples;
    }

    /** A new encoder for the objective's encoder input shape. */
    public Encoder newEncoder(Shape encoderInputShape) {
        return encoder.apply(encoderInputShape);
    }

    public String encoderName() {
        return encoderName;
    }

    public int steps() {
        return steps;
    }

    public int batchSize() {
        return batchSize;
    }

    public double learningRate() {
        return learningRate;
    }

    public double clipNorm() {
        return clipNorm;
    }

    public long seed() {
        return seed;
    }

    public Precision precision() {
        return precision;
    }

    /** Why the gradient check runs in float32, when it does. */
    public Optional<String> precisionReason() {
        return Optional.ofNullable(precisionReason);
    }

    /** Prefixes of the parameters the gradient check varies; empty for every trainable parameter. */
    public List<String> gradientParameters() {
        return List.copyOf(gradientParameters);
    }

    public Optional<String> gradientParametersReason() {
        return Optional.ofNullable(gradientParametersReason);
    }

    public boolean inputGradients() {
        return inputGradients;
    }

    public Optional<String> inputGradientsReason() {
        return Optional.ofNullable(inputGradientsReason);
    }

    /** The reason a check is declared impossible for this objective, if it is. */
    public Optional<String> exemption(Check check) {
        return Optional.ofNullable(exemptions.get(check));
    }

    @Override
    public String toString() {
        return owner() + " with " + params + " on " + examples.size() + " examples of shape "
                + examples.exampleShape() + ", encoder " + encoderName;
    }
}
