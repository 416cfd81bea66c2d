package org.pretext.testkit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.pretext.Seeds;
import org.pretext.data.Batch;
import org.pretext.data.BatchPlan;
import org.pretext.engine.Engines;
import org.pretext.engine.NoGradient;
import org.pretext.model.PretextModel;
import org.pretext.objective.Model;
import org.pretext.objective.Objective;
import org.pretext.objective.PreparedBatch;
import org.pretext.objective.StepContext;
import org.pretext.testkit.ObjectiveFixture.Precision;
import org.pretext.training.optimizer.AdamW;

/**
 * (b) The loss's autograd gradient against central finite differences of the loss itself, as the
 * step computes it: one prepared batch, the objective's {@code perturb} then {@code loss} with the
 * engine's random seed reset before every evaluation. Checked along directions: for every
 * trainable parameter tensor (or those the fixture names) its own gradient direction and a
 * random one, and the same for every floating-point input of the loss. The directional
 * derivative g·d is compared with (L(x + h·d) − L(x − h·d)) / 2h.
 *
 * <p>A garbage collection runs between the loss and its backward pass, and the memory it frees is
 * written over, so a constant that DJL's {@code NDArray.mul(Number)} and the like left to autograd
 * in a freed Java buffer shows as a wrong gradient here rather than once in a while in training.
 *
 * <p>In float64 (the default) the model's parameters and the inputs are converted to float64
 * first, so the difference quotient is accurate to about 1e-8 and the tolerance can be 1e-4
 * relative; an objective whose loss cannot run in float64 declares
 * {@link ObjectiveFixture#withFloat32Gradients(String)}.
 */
final class GradientCheck {
    private static final double H64 = 1e-6;
    private static final double RTOL64 = 1e-4;
    private static final double H32 = 3e-3;
    private static final double RTOL32 = 5e-2;

    private GradientCheck() {}

    static void run(ObjectiveFixture fixture) {
        Precision precision = fixture.precision();
        boolean f64 = precision == Precision.FLOAT64;
        double h = f64 ? H64 : H32;
        double rtol = f64 ? RTOL64 : RTOL32;
        List<String> freed = freedConstants(fixture);
        if (!freed.isEmpty()) {
            throw ObjectiveChecks.fail(Check.GRADIENTS, "the float32 gradients change when a garbage collection runs"
                    + " between the loss and its backward pass:\n  " + String.join("\n  ", freed) + "\nA constant given"
                    + " to NDArray.mul(Number), div(Number), pow(Number), maximum(Number) or minimum(Number) on an array"
                    + " that carries a gradient is freed before the backward pass reads it: use"
                    + " org.pretext.engine.Scalars");
        }
        Objective objective = fixture.newObjective();
        try (PretextModel model = ObjectiveChecks.model(fixture, objective)) {
            if (f64) {
                toFloat64(model);
            }
            Map<String, Parameter> chosen = chosenParameters(fixture, model);
            PreparedBatch batch = firstBatch(fixture, objective);
            int seed = (int) Seeds.derive(fixture.seed(), 0x9d1L);
            Probe probe = new Probe(model, objective, batch, seed, f64, fixture.steps());
            List<String> problems = new ArrayList<>();
            Analytic g;
            try {
                g = probe.analytic(chosen, fixture.inputGradients(), true);
            } catch (RuntimeException e) {
                throw ObjectiveChecks.fail(Check.GRADIENTS, "the loss could not be differentiated"
                        + (f64 ? " in float64 (parameters and inputs converted); if the objective keeps float32 state"
                                + " outside its parameters, declare withFloat32Gradients(reason)" : "")
                        + ": " + e, e);
            }
            double scale = Math.max(1, Math.abs(g.loss));
            double atol = (f64 ? 1e-7 : 2e-3) * scale;
            SplittableRandom random = new SplittableRandom(fixture.seed());
            int checked = 0;
            for (Map.Entry<String, Parameter> e : chosen.entrySet()) {
                double[] grad = g.parameters.get(e.getKey());
                for (Direction d : directions(grad, random)) {
                    double numeric = probe.alongParameter(e.getValue(), d.values, h);
                    double an = dot(grad, d.values);
                    checked++;
                    if (!close(an, numeric, rtol, atol)) {
                        problems.add(String.format(Locale.ROOT, "parameter %s along %s: autograd %.8g, finite"
                                + " differences %.8g", e.getKey(), d.name, an, numeric));
                    }
                }
            }
            for (Map.Entry<Integer, double[]> e : g.inputs.entrySet()) {
                for (Direction d : directions(e.getValue(), random)) {
                    double numeric = probe.alongInput(e.getKey(), d.values, h);
                    double an = dot(e.getValue(), d.values);
                    checked++;
                    if (!close(an, numeric, rtol, atol)) {
                        problems.add(String.format(Locale.ROOT, "input %d along %s: autograd %.8g, finite differences"
                                + " %.8g", e.getKey(), d.name, an, numeric));
                    }
                }
            }
            if (checked == 0) {
                throw ObjectiveChecks.fail(Check.GRADIENTS, "nothing to check: no trainable parameter matches "
                        + fixture.gradientParameters() + " and no floating-point input");
            }
            if (!problems.isEmpty()) {
                throw ObjectiveChecks.fail(Check.GRADIENTS, String.format(Locale.ROOT,
                        "%d of %d directional derivatives disagree (%s, h = %.0e, tolerance %.0e relative + %.1e;"
                                + " loss %.8g):%n  %s%nA loss built with NDArray.mul(Number), div(Number),"
                                + " maximum(float) and the like on arrays that carry gradients gives wrong gradients:"
                                + " use org.pretext.engine.Scalars; a stop-gradient or a hand-made gradient changes"
                                + " the derivative (declare withGradientParameters(reason, prefixes) when that is the"
                                + " design)", problems.size(), checked, precision, h, rtol, atol, g.loss,
                        String.join("\n  ", problems)));
            }
        }
    }

    /**
     * The float32 gradients of the first batch's loss from two models built alike, once as the
     * step computes them and once with a garbage collection and memory reuse between forward and
     * backward: the parameters whose gradients differ.
     */
    private static List<String> freedConstants(ObjectiveFixture fixture) {
        Objective first = fixture.newObjective();
        Objective second = fixture.newObjective();
        int seed = (int) Seeds.derive(fixture.seed(), 0x9d1L);
        try (PretextModel a = ObjectiveChecks.model(fixture, first);
                PretextModel b = ObjectiveChecks.model(fixture, second)) {
            PreparedBatch batch = firstBatch(fixture, first); // one batch for both, whatever prepare() draws
            Map<String, double[]> quiet = new Probe(a, first, batch, seed, false, fixture.steps())
                    .analytic(a.trainableParameters(), false, false).parameters;
            Map<String, double[]> collected = new Probe(b, second, batch, seed, false, fixture.steps())
                    .analytic(b.trainableParameters(), false, true).parameters;
            List<String> out = new ArrayList<>();
            for (Map.Entry<String, double[]> e : quiet.entrySet()) {
                double[] x = e.getValue();
                double[] y = collected.get(e.getKey());
                for (int i = 0; i < x.length; i++) {
                    if (!(Math.abs(x[i] - y[i]) <= 1e-5 * Math.max(1, Math.abs(x[i])))) {
                        out.add(String.format(Locale.ROOT, "parameter %s[%d]: %.8g, after a collection %.8g",
                                e.getKey(), i, x[i], y[i]));
                        break;
                    }
                }
            }
            return out;
        }
    }

    private static boolean close(double analytic, double numeric, double rtol, double atol) {
        double err = Math.abs(analytic - numeric);
        return Double.isFinite(analytic) && Double.isFinite(numeric)
                && err <= rtol * Math.max(Math.abs(analytic), Math.abs(numeric)) + atol;
    }

    private record Direction(String name, double[] values) {}

    /** The gradient's own direction (when non-zero) and a random unit direction. */
    private static List<Direction> directions(double[] grad, SplittableRandom random) {
        List<Direction> out = new ArrayList<>();
        double norm = Math.sqrt(dot(grad, grad));
        if (norm > 0) {
            double[] u = new double[grad.length];
            for (int i = 0; i < u.length; i++) {
                u[i] = grad[i] / norm;
            }
            out.add(new Direction("its gradient", u));
        }
        double[] r = new double[grad.length];
        double s = 0;
        for (int i = 0; i < r.length; i++) {
            r[i] = random.nextGaussian();
            s += r[i] * r[i];
        }
        for (int i = 0; i < r.length; i++) {
            r[i] /= Math.sqrt(s);
        }
        out.add(new Direction("a random direction", r));
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static Map<String, Parameter> chosenParameters(ObjectiveFixture fixture, PretextModel model) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : model.trainableParameters().entrySet()) {
            if (fixture.gradientParameters().isEmpty()
                    || fixture.gradientParameters().stream().anyMatch(p -> e.getKey().startsWith(p))) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    static PreparedBatch firstBatch(ObjectiveFixture fixture, Objective objective) {
        Iterator<Batch> it = fixture.examples().batches(BatchPlan.shuffled(fixture.batchSize(), fixture.seed(), 0));
        return objective.prepare(it.next(), new SplittableRandom(Seeds.derive(fixture.seed(), 0x9d2L)));
    }

    /**
     * Replaces every float32 parameter of the model (trainable or not, e.g. BatchNorm statistics)
     * by a float64 one, through DJL's own parameter serialisation, before any forward pass has
     * cached the arrays in the parameter store.
     */
    static void toFloat64(PretextModel model) {
        for (Parameter p : model.parameters().values()) {
            NDArray old = p.getArray();
            if (old.getDataType() != DataType.FLOAT32) {
                continue;
            }
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                try (DataOutputStream out = new DataOutputStream(bytes);
                        NDArray wide = old.toType(DataType.FLOAT64, true)) {
                    out.writeChar('P');
                    out.writeByte(1);
                    out.writeUTF(p.getName());
                    out.write(wide.encode());
                }
                boolean grad = p.requiresGradient();
                p.close();
                p.load(model.manager(), new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
                if (grad) {
                    p.getArray().setRequiresGradient(true);
                }
            } catch (IOException | ai.djl.MalformedModelException e) {
                throw new IllegalStateException("cannot convert parameter " + p.getName() + " to float64", e);
            }
        }
        forgetCachedArrays(model.parameterStore());
    }

    /**
     * DJL's parameter store keeps the array it first handed out for each parameter; an objective
     * that ran the model while setting up (e.g. to check an encoder's attention pattern) left the
     * float32 ones there. Clearing its map makes it hand out the float64 arrays.
     */
    private static void forgetCachedArrays(ai.djl.training.ParameterStore store) {
        try {
            java.lang.reflect.Field f = ai.djl.training.ParameterStore.class.getDeclaredField("parameterMap");
            f.setAccessible(true);
            ((Map<?, ?>) f.get(store)).clear();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot reset DJL's parameter store for the float64 check ("
                    + e + "); declare withFloat32Gradients(reason)", e);
        }
    }

    private record Analytic(double loss, Map<String, double[]> parameters, Map<Integer, double[]> inputs) {}

    /** Evaluates the step's loss on one prepared batch, always with the same engine seed. */
    private static final class Probe {
        private final PretextModel model;
        private final Objective objective;
        private final PreparedBatch batch;
        private final int seed;
        private final boolean f64;
        private final long totalSteps;

        Probe(PretextModel model, Objective objective, PreparedBatch batch, int seed, boolean f64, long totalSteps) {
            this.model = model;
            this.objective = objective;
            this.batch = batch;
            this.seed = seed;
            this.f64 = f64;
            this.totalSteps = totalSteps;
        }

        private NDList raw(NDManager m) {
            NDList list = batch.toNDList(m);
            if (!f64) {
                return list;
            }
            NDList wide = new NDList(list.size());
            for (NDArray a : list) {
                wide.add(a.getDataType() == DataType.FLOAT32 ? a.toType(DataType.FLOAT64, false) : a);
            }
            return wide;
        }

        Analytic analytic(Map<String, Parameter> chosen, boolean withInputs, boolean collect) {
            try (NDManager m = model.manager().newSubManager(); AdamW zero = new AdamW(0.9, 0.999, 1e-8, 0)) {
                Engines.engine().setRandomSeed(seed);
                Context ctx = new Context(model, m, totalSteps);
                NDList raw = raw(m);
                NDList inputs = objective.perturb(ctx, raw);
                if (inputs != raw) {
                    zero.attach(model.trainableParameters(), m);
                    zero.zeroGradients();
                }
                List<Integer> floating = new ArrayList<>();
                if (withInputs) {
                    for (int i = 0; i < inputs.size(); i++) {
                        if (inputs.get(i).getDataType().isFloating()) {
                            inputs.get(i).setRequiresGradient(true);
                            floating.add(i);
                        }
                    }
                }
                double loss;
                try (GradientCollector gc = Engines.engine().newGradientCollector()) {
                    NDArray l = objective.loss(ctx, inputs);
                    if (collect) {
                        reuseFreedMemory();
                    }
                    gc.backward(l);
                    loss = l.toType(DataType.FLOAT64, false).getDouble();
                }
                Map<String, double[]> params = new LinkedHashMap<>();
                for (Map.Entry<String, Parameter> e : chosen.entrySet()) {
                    params.put(e.getKey(), doubles(e.getValue().getArray().getGradient()));
                }
                Map<Integer, double[]> in = new LinkedHashMap<>();
                for (int i : floating) {
                    in.put(i, doubles(inputs.get(i).getGradient()));
                }
                return new Analytic(loss, params, in);
            }
        }

        /**
         * A garbage collection between the forward and the backward pass, then many small direct
         * buffers holding 1e30: DJL's {@code NDArray.mul(Number)} (and div, pow, maximum, minimum)
         * leaves autograd a constant in a Java direct buffer that the collection frees, and the
         * buffers then written over it make the backward pass read 1e30 instead of the constant,
         * so the gradients disagree with the finite differences.
         */
        private static void reuseFreedMemory() {
            // three rounds, each giving the Cleaner thread (which frees direct buffers after a collection) time to
            // run before the freed memory is written over: one round let a freed constant escape now and then
            for (int round = 0; round < 3; round++) {
                System.gc();
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < 2000; i++) {
                    java.nio.ByteBuffer.allocateDirect(4).order(java.nio.ByteOrder.nativeOrder()).putFloat(0, 1e30f);
                    java.nio.ByteBuffer.allocateDirect(8).order(java.nio.ByteOrder.nativeOrder()).putDouble(0, 1e30);
                }
            }
        }

        /** (L(θ + h·d) − L(θ − h·d)) / 2h for one parameter tensor. */
        double alongParameter(Parameter p, double[] direction, double h) {
            NDArray w = p.getArray();
            try (NDManager m = model.manager().newSubManager()) {
                NDArray original = w.duplicate();
                original.attach(m);
                NDArray step = step(m, w, direction, h);
                NoGradient.run(() -> w.addi(step));
                double plus = loss(null, null);
                NoGradient.run(() -> w.subi(w).addi(original).subi(step));
                double minus = loss(null, null);
                NoGradient.run(() -> w.subi(w).addi(original));
                return (plus - minus) / (2 * h);
            }
        }

        /** (L(x + h·d) − L(x − h·d)) / 2h for one input of the loss (as perturb returns it). */
        double alongInput(int index, double[] direction, double h) {
            double plus = loss(index, +h, direction);
            double minus = loss(index, -h, direction);
            return (plus - minus) / (2 * h);
        }

        private double loss(Integer index, double[] direction) {
            return loss(index, 0, direction);
        }

        private double loss(Integer index, double h, double[] direction) {
            try (NDManager m = model.manager().newSubManager()) {
                Engines.engine().setRandomSeed(seed);
                Context ctx = new Context(model, m, totalSteps);
                NDList raw = raw(m);
                NDList inputs = objective.perturb(ctx, raw);
                if (index != null) {
                    NDArray x = inputs.get(index);
                    NDArray step = step(m, x, direction, h);
                    NoGradient.run(() -> x.addi(step));
                }
                NDArray l = NoGradient.get(() -> objective.loss(ctx, inputs));
                return l.toType(DataType.FLOAT64, false).getDouble();
            }
        }

        private static NDArray step(NDManager m, NDArray like, double[] direction, double h) {
            double[] v = new double[direction.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = h * direction[i];
            }
            NDArray a = m.create(v, like.getShape());
            return a.toType(like.getDataType(), false);
        }

        private static double[] doubles(NDArray a) {
            try (NDArray d = a.toType(DataType.FLOAT64, true)) {
                return d.toDoubleArray();
            }
        }
    }

    record Context(Model model, NDManager manager, long totalSteps) implements StepContext {
        @Override
        public long step() {
            return 0;
        }

        @Override
        public void metric(String name, double value) {}
    }
}
