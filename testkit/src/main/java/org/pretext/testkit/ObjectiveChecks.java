package org.pretext.testkit;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.opentest4j.AssertionFailedError;
import org.pretext.checkpoint.Provenance;
import org.pretext.engine.Engines;
import org.pretext.model.PretextModel;
import org.pretext.objective.Objective;
import org.pretext.param.Param;
import org.pretext.param.ParamException;
import org.pretext.param.ParamValues;
import org.pretext.training.NonFiniteLossException;
import org.pretext.training.PretrainConfig;
import org.pretext.training.PretrainResult;
import org.pretext.training.Pretrainer;
import org.pretext.training.StepMetrics;
import org.pretext.training.TrainingListener;

/**
 * The checks of the objective contract, callable on their own (each throws an
 * {@link AssertionFailedError} whose message starts with the check's title and says what to fix).
 * They train with pretext-core's own {@link Pretrainer} — the loop, AdamW and checkpoints the
 * runner uses — on a {@link PretextModel} built from the fixture; every run starts from fresh
 * objective and model instances.
 */
public final class ObjectiveChecks {
    private static final int SHOWN_LOSSES = 12;

    private ObjectiveChecks() {}

    /** Runs every check the fixture does not exempt, stopping at the first failure. */
    public static void all(ObjectiveFixture fixture) {
        ReferenceRun reference = new ReferenceRun(fixture);
        for (Check c : Check.values()) {
            if (fixture.exemption(c).isEmpty()) {
                run(c, fixture, reference);
            }
        }
    }

    /** Runs one check (ignoring exemptions). */
    public static void run(Check check, ObjectiveFixture fixture) {
        run(check, fixture, new ReferenceRun(fixture));
    }

    /**
     * Runs one check, taking the uninterrupted run that several checks compare with from
     * {@code reference} (made once, on first use).
     */
    static void run(Check check, ObjectiveFixture fixture, ReferenceRun reference) {
        switch (check) {
            case LOSS_FALLS -> lossFalls(fixture, reference);
            case GRADIENTS -> GradientCheck.run(fixture);
            case SAME_SEED -> sameSeedSameLosses(fixture, reference);
            case EXACT_RESUME -> exactResume(fixture, reference);
            case NO_ARRAYS_LEFT -> noArraysLeft(fixture, reference);
            case PARAMETERS -> parametersValidated(fixture);
            case DATA_PARALLEL -> DataParallelCheck.run(fixture);
        }
    }

    /**
     * One uninterrupted run of the fixture, made on first use: its losses, the arrays the model's
     * manager (and its sub-managers) held after each step, and the arrays every manager held
     * (counted from the engine's root manager) before the model was built and after it was
     * closed. Counting does not change the run.
     */
    static final class ReferenceRun {
        private final ObjectiveFixture fixture;
        private float[] losses;
        private int before;
        private int after;
        private final List<Integer> counts = new ArrayList<>();

        ReferenceRun(ObjectiveFixture fixture) {
            this.fixture = fixture;
        }

        synchronized ReferenceRun get(Check check) {
            if (losses == null) {
                NDManager root = rootManager();
                counts.clear();
                before = root.getManagedArrays().size();
                PretrainResult r;
                try (PretextModel model = model(fixture)) {
                    r = new Pretrainer(config(fixture).logEvery(1).build()).addListener(new TrainingListener() {
                        @Override
                        public void onStep(StepMetrics m) {
                            counts.add(model.manager().getManagedArrays().size());
                        }
                    }).run(model, fixture.examples(), provenance(fixture));
                } catch (NonFiniteLossException e) {
                    throw fail(check, e.getMessage(), e);
                }
                after = root.getManagedArrays().size();
                losses = r.losses();
            }
            return this;
        }
    }

    /**
     * (a) Every loss of a run is finite, and the mean of its last quarter is below the mean of its
     * first quarter.
     */
    public static void lossFalls(ObjectiveFixture fixture) {
        lossFalls(fixture, new ReferenceRun(fixture));
    }

    private static void lossFalls(ObjectiveFixture fixture, ReferenceRun reference) {
        float[] losses = reference.get(Check.LOSS_FALLS).losses;
        for (int i = 0; i < losses.length; i++) {
            if (!Float.isFinite(losses[i])) {
                throw fail(Check.LOSS_FALLS, "the loss is " + losses[i] + " at step " + (i + 1) + ": " + show(losses));
            }
        }
        int k = Math.max(1, losses.length / 4);
        double first = mean(losses, 0, k);
        double last = mean(losses, losses.length - k, losses.length);
        if (!(last < first)) {
            throw fail(Check.LOSS_FALLS, String.format(Locale.ROOT,
                    "the loss did not fall over %d steps of %s: mean of the first %d steps %.6g, of the last %d %.6g"
                            + " (%s). Check the sign of the loss and that it depends on the trained parameters;"
                            + " if it needs more steps or another learning rate, set them in the fixture",
                    losses.length, fixture, k, first, k, last, show(losses)));
        }
    }

    /** (c) Two runs from fresh instances with one seed give bit-identical losses at every step. */
    public static void sameSeedSameLosses(ObjectiveFixture fixture) {
        sameSeedSameLosses(fixture, new ReferenceRun(fixture));
    }

    private static void sameSeedSameLosses(ObjectiveFixture fixture, ReferenceRun reference) {
        float[] a = reference.get(Check.SAME_SEED).losses;
        float[] b = train(fixture, Check.SAME_SEED).losses();
        int d = firstDifference(a, b, 0);
        if (d >= 0) {
            throw fail(Check.SAME_SEED, String.format(Locale.ROOT,
                    "two runs with seed %d differ from step %d on: %s then %s (first run %s; second %s)."
                            + " prepare() must draw randomness only from the SplittableRandom it is given, and the"
                            + " loss only from the engine's random ops (seeded by the loop) or from the step number;"
                            + " no Math.random, ThreadLocalRandom, new Random() or wall-clock time",
                    fixture.seed(), d + 1, exact(a[d]), exact(b[d]), show(a), show(b)));
        }
    }

    /**
     * (d) A run that stops after a checkpoint at mid-run and is resumed from it — into a new
     * objective and model, as {@code run --resume} does — gives exactly the losses of a run that
     * never stopped.
     */
    public static void exactResume(ObjectiveFixture fixture) {
        exactResume(fixture, new ReferenceRun(fixture));
    }

    private static void exactResume(ObjectiveFixture fixture, ReferenceRun reference) {
        float[] whole = reference.get(Check.EXACT_RESUME).losses;
        int at = fixture.steps() / 2;
        Path dir = temporaryFolder();
        try {
            PretrainConfig first = config(fixture).checkpointDir(dir).checkpointEvery(at).build();
            try (PretextModel model = model(fixture)) {
                Pretrainer p = new Pretrainer(first).addListener(new TrainingListener() {
                    @Override
                    public void onCheckpoint(Path file, long step) {
                        if (step == at) {
                            throw new StopAfterCheckpoint();
                        }
                    }
                });
                try {
                    p.run(model, fixture.examples(), provenance(fixture));
                    throw fail(Check.EXACT_RESUME, "the run did not write its checkpoint at step " + at);
                } catch (StopAfterCheckpoint expected) {
                    // the run stops as if killed right after its checkpoint
                }
            }
            PretrainResult resumed;
            try (PretextModel model = model(fixture)) {
                resumed = new Pretrainer(config(fixture).checkpointDir(dir).resume(true).build())
                        .run(model, fixture.examples(), provenance(fixture));
            } catch (RuntimeException e) {
                throw fail(Check.EXACT_RESUME, "resuming from the checkpoint of step " + at + " failed: " + e, e);
            }
            if (resumed.startStep() != at) {
                throw fail(Check.EXACT_RESUME, "the run resumed at step " + resumed.startStep() + ", expected " + at);
            }
            float[] expected = Arrays.copyOfRange(whole, at, whole.length);
            int d = firstDifference(expected, resumed.losses(), 0);
            if (d >= 0) {
                throw fail(Check.EXACT_RESUME, String.format(Locale.ROOT,
                        "resumed from the checkpoint of step %d, step %d gives %s where the uninterrupted run gave %s"
                                + " (uninterrupted %s; resumed %s). State the loss depends on that is not a"
                                + " parameter of the encoder or of heads() (EMA targets, queues, counters, schedules)"
                                + " must be written by saveState and read back by loadState"
                                + (d == 0 ? "" : "; a difference only later points at randomness outside the seed"),
                        at, at + d + 1, exact(resumed.losses()[d]), exact(expected[d]), show(expected),
                        show(resumed.losses())));
            }
        } finally {
            deleteQuietly(dir);
        }
    }

    /**
     * (e) The model's manager (which owns parameters and objective state, and whose sub-manager
     * each step runs in) holds as many arrays after the last step as after the second, and every
     * manager of the engine (counted from its root, so managers an objective opened itself count)
     * holds as many arrays after the model is closed as before it was built.
     */
    public static void noArraysLeft(ObjectiveFixture fixture) {
        noArraysLeft(fixture, new ReferenceRun(fixture));
    }

    private static void noArraysLeft(ObjectiveFixture fixture, ReferenceRun reference) {
        ReferenceRun run = reference.get(Check.NO_ARRAYS_LEFT);
        List<Integer> counts = run.counts;
        int before = run.before;
        int after = run.after;
        int second = counts.get(1);
        int last = counts.get(counts.size() - 1);
        if (last != second) {
            throw fail(Check.NO_ARRAYS_LEFT, String.format(Locale.ROOT,
                    "the model's manager holds %d arrays after step 2 and %d after step %d (%+.1f per step; counts %s)."
                            + " An array made"
                            + " in loss() or afterUpdate() outlives the step when it belongs to a long-lived manager:"
                            + " an op's result belongs to its first operand's manager (a parameter's or state's is the"
                            + " model's), so make temporaries from the step's arrays or attach them to"
                            + " context.manager(), update state in place, and close every manager you open",
                    second, last, counts.size(), (last - second) / (double) (counts.size() - 2), counts));
        }
        if (after != before) {
            throw fail(Check.NO_ARRAYS_LEFT, String.format(Locale.ROOT,
                    "%d arrays were held before the model was built and %d after it was closed: the objective keeps"
                            + " arrays in a manager of its own; make parameters and state in ObjectiveSetup.manager()",
                    before, after));
        }
    }

    /**
     * (f) Validation of the provider's parameters, through {@link ParamValues} as the runner does
     * it, then the provider's {@code create} and the model's set-up: an unknown key is refused
     * naming it; for every declared parameter a value of the wrong type, and one out of its
     * range, are refused naming the key; a free-form string the objective cannot use is refused
     * naming the key (or accepted); every default, given explicitly, is accepted.
     */
    public static void parametersValidated(ObjectiveFixture fixture) {
        List<Param<?>> declared = fixture.provider().parameters();
        List<String> problems = new ArrayList<>();
        Map<String, Param<?>> byName = new LinkedHashMap<>();
        for (Param<?> p : declared) {
            if (byName.put(p.name(), p) != null) {
                problems.add("parameter '" + p.name() + "' is declared twice");
            }
            if (p.description() == null || p.description().isBlank()) {
                problems.add("parameter '" + p.name() + "' has no description");
            }
        }
        String unknown = "no-such-parameter";
        expectRefusal(fixture, problems, with(fixture.params(), unknown, "1"), unknown, "an unknown key");
        for (Param<?> p : declared) {
            String wrong = switch (p.type()) {
                case INT, LONG, DOUBLE -> "not-a-number";
                case BOOLEAN -> "perhaps";
                case CHOICE -> "no-such-choice";
                case STRING, PATH -> null;
                case SECTION -> "no-equals-sign";
            };
            if (wrong != null) {
                expectRefusal(fixture, problems, with(fixture.params(), p.name(), wrong), p.name(),
                        "the wrongly typed value '" + wrong + "'");
            } else {
                String odd = "#not a valid value#";
                RuntimeException e = attempt(fixture, with(fixture.params(), p.name(), odd));
                if (e != null && !names(e, p.name())) {
                    problems.add("string parameter '" + p.name() + "' = '" + odd + "' fails with a message that does"
                            + " not name the key: " + e);
                }
            }
            outOfRange(p).ifPresent(v -> expectRefusal(fixture, problems, with(fixture.params(), p.name(), v),
                    p.name(), "the out-of-range value " + v + " (expected " + p.expectation() + ")"));
            if (p.defaultValue() != null) {
                try {
                    ParamValues.resolve(fixture.owner(), declared, Map.of(p.name(),
                            p.type() == Param.Type.SECTION ? p.defaultValue() : p.defaultValue().toString()));
                } catch (RuntimeException e) {
                    problems.add("the default of '" + p.name() + "' (" + p.defaultValue() + ") is refused: "
                            + e.getMessage());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw fail(Check.PARAMETERS, String.join("\n  ", problems));
        }
    }

    private static java.util.Optional<String> outOfRange(Param<?> p) {
        if (p.type() != Param.Type.INT && p.type() != Param.Type.LONG && p.type() != Param.Type.DOUBLE) {
            return java.util.Optional.empty();
        }
        // probe below: values far under the lowest accepted; only ranges the expectation states are checked
        String e = p.expectation();
        java.util.regex.Matcher m = Pattern.compile("(>=|>|<=|<) (-?[0-9.E]+)").matcher(e);
        while (m.find()) {
            double bound = Double.parseDouble(m.group(2));
            String op = m.group(1);
            double v = op.startsWith(">") ? bound - 1 : bound + 1;
            return java.util.Optional.of(p.type() == Param.Type.DOUBLE ? Double.toString(v)
                    : Long.toString((long) Math.floor(op.startsWith(">") ? Math.floor(bound) - 1
                            : Math.ceil(bound) + 1)));
        }
        return java.util.Optional.empty();
    }

    private static void expectRefusal(ObjectiveFixture fixture, List<String> problems, Map<String, Object> params,
            String key, String what) {
        RuntimeException e = attempt(fixture, params);
        if (e == null) {
            problems.add(what + " for '" + key + "' was accepted");
        } else if (!names(e, key)) {
            problems.add(what + " for '" + key + "' was refused with a message that does not name the key: " + e);
        }
    }

    /** Resolves, creates and builds a model with the parameters; the failure, or null. */
    private static RuntimeException attempt(ObjectiveFixture fixture, Map<String, Object> params) {
        try {
            ParamValues values = ParamValues.resolve(fixture.owner(), fixture.provider().parameters(), params);
            Objective objective = fixture.provider().create(values);
            Shape example = fixture.examples().exampleShape();
            PretextModel.create(() -> fixture.newEncoder(objective.encoderInputShape(example)), objective, example,
                    Device.cpu(), fixture.seed()).close();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    private static boolean names(RuntimeException e, String key) {
        if (e instanceof ParamException p && key.equals(p.key())) {
            return true;
        }
        String m = String.valueOf(e.getMessage());
        return m.contains("'" + key + "'") || Pattern.compile("(?<![\\w-])" + Pattern.quote(key) + "(?![\\w-])")
                .matcher(m).find();
    }

    private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(base);
        m.put(key, value);
        return m;
    }

    // ---- shared machinery -------------------------------------------------------------------

    /** The fixture's training set-up: constant learning rate, clipping, one preparing thread. */
    static PretrainConfig.Builder config(ObjectiveFixture f) {
        return PretrainConfig.builder().batchSize(f.batchSize()).steps(f.steps()).learningRate(f.learningRate())
                .warmupFraction(0).finalLearningRateFraction(1).clipNorm(f.clipNorm()).weightDecay(0).seed(f.seed())
                .logEvery(f.steps()).prepareThreads(1);
    }

    /** A new model with a new objective, built as the runner builds it. */
    static PretextModel model(ObjectiveFixture f) {
        return model(f, f.newObjective());
    }

    static PretextModel model(ObjectiveFixture f, Objective objective) {
        Shape example = f.examples().exampleShape();
        Shape in = objective.encoderInputShape(example);
        return PretextModel.create(() -> f.newEncoder(in), objective, example, Device.cpu(), f.seed());
    }

    static Provenance provenance(ObjectiveFixture f) {
        return new Provenance(f.provider().name(), f.provider().version(), Map.of(), f.encoderName(), Map.of(),
                "fixture", Map.of(), f.seed(), Map.of(), null);
    }

    private static PretrainResult train(ObjectiveFixture f, Check check) {
        try (PretextModel model = model(f)) {
            return new Pretrainer(config(f).build()).run(model, f.examples(), provenance(f));
        } catch (NonFiniteLossException e) {
            throw fail(check, e.getMessage(), e);
        }
    }

    /** The engine's root manager, whose arrays include every manager's. */
    static NDManager rootManager() {
        try (NDManager m = Engines.engine().newBaseManager()) {
            NDManager parent = m.getParentManager();
            return parent != null ? parent : m;
        }
    }

    static AssertionFailedError fail(Check check, String message) {
        return new AssertionFailedError(check.title() + ": " + message);
    }

    static AssertionFailedError fail(Check check, String message, Throwable cause) {
        return new AssertionFailedError(check.title() + ": " + message, cause);
    }

    private static int firstDifference(float[] a, float[] b, int from) {
        int n = Math.min(a.length, b.length);
        for (int i = from; i < n; i++) {
            if (Float.floatToIntBits(a[i]) != Float.floatToIntBits(b[i])) {
                return i;
            }
        }
        return a.length == b.length ? -1 : n;
    }

    private static double mean(float[] v, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += v[i];
        }
        return s / (to - from);
    }

    private static String exact(float v) {
        return v + " (0x" + Integer.toHexString(Float.floatToIntBits(v)) + ")";
    }

    private static String show(float[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            if (i == SHOWN_LOSSES && v.length > SHOWN_LOSSES + 1) {
                sb.append(", … ").append(v.length - SHOWN_LOSSES - 1).append(" more …");
                i = v.length - 1;
            }
            sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.6g", v[i]));
        }
        return sb.append(']').toString();
    }

    private static Path temporaryFolder() {
        try {
            return Files.createTempDirectory("pretext-testkit-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // a temporary folder left behind is harmless
        }
    }

    /** Thrown by the listener that stops a run right after its mid-run checkpoint. */
    private static final class StopAfterCheckpoint extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StopAfterCheckpoint() {
            super("stopped after the checkpoint", null, false, false);
        }
    }
}
