package org.pretext.testkit;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pretext.engine.Engines;
import org.pretext.model.PretextModel;
import org.pretext.model.ReplicatedModel;
import org.pretext.objective.Distribution;
import org.pretext.objective.Objective;
import org.pretext.objective.PreparedBatch;

/**
 * The data-parallel check: an objective that declares {@link Distribution#GATHERED} or
 * {@link Distribution#PER_EXAMPLE} gives, on 2 and 3 replicas of its encoder on the CPU, the loss
 * and every parameter gradient of one step on one replica, to float32 tolerance. It fails when the
 * objective reaches its encoder other than through {@code Model.encode} and
 * {@code Model.encodeWith} (the extra replicas get no gradient), and when its loss is not what one
 * device computes over the whole batch. The gradients are compared before any optimizer, since
 * Adam's update hides a gradient scaled by a constant.
 */
final class DataParallelCheck {
    /** Relative tolerance of float32 sums taken in another order (shards, then their sum). */
    static final double TOLERANCE = 2e-5;

    private DataParallelCheck() {}

    private record Step(double loss, Map<String, float[]> gradients) {}

    static void run(ObjectiveFixture fixture) {
        Distribution d = fixture.newObjective().distribution();
        if (d == Distribution.SINGLE_DEVICE) {
            return; // runs on one device: nothing to compare
        }
        PreparedBatch[] batch = new PreparedBatch[1]; // prepared once, whatever prepare() draws
        Step one = step(fixture, 1, batch);
        for (int replicas : new int[] {2, 3}) {
            compare(fixture, d, one, step(fixture, replicas, batch), replicas);
        }
    }

    private static Step step(ObjectiveFixture fixture, int replicas, PreparedBatch[] prepared) {
        Objective objective = fixture.newObjective();
        try (PretextModel model = ObjectiveChecks.model(fixture, objective);
                NDManager manager = model.manager().newSubManager()) {
            if (prepared[0] == null) {
                prepared[0] = GradientCheck.firstBatch(fixture, objective);
            }
            PreparedBatch batch = prepared[0];
            ReplicatedModel view;
            try {
                view = ReplicatedModel.create(model, Collections.nCopies(replicas, Device.cpu()));
            } catch (RuntimeException e) {
                throw ObjectiveChecks.fail(Check.DATA_PARALLEL, "the model could not be replicated " + replicas
                        + " times: " + e.getMessage(), e);
            }
            try (view) {
                Engines.engine().setRandomSeed((int) fixture.seed());
                double loss;
                try (GradientCollector gc = Engines.engine().newGradientCollector()) {
                    NDArray l = objective.loss(new GradientCheck.Context(view, manager, fixture.steps()),
                            batch.toNDList(manager));
                    gc.backward(l);
                    loss = l.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
                }
                view.reduceGradients(manager);
                Map<String, float[]> grads = new LinkedHashMap<>();
                for (Map.Entry<String, Parameter> e : model.trainableParameters().entrySet()) {
                    NDArray w = e.getValue().getArray();
                    NDArray g = w.hasGradient() ? w.getGradient() : null;
                    if (g != null) {
                        g.attach(manager);
                        grads.put(e.getKey(), g.toFloatArray());
                    }
                }
                return new Step(loss, grads);
            } catch (RuntimeException e) {
                throw ObjectiveChecks.fail(Check.DATA_PARALLEL, "one step on " + replicas + " replicas failed: " + e, e);
            }
        }
    }

    private static void compare(ObjectiveFixture fixture, Distribution d, Step one, Step many, int replicas) {
        List<String> problems = new ArrayList<>();
        if (!(Math.abs(many.loss() - one.loss()) <= TOLERANCE * Math.max(1, Math.abs(one.loss())))) {
            problems.add(String.format(Locale.ROOT, "the loss is %.9g on %d replicas and %.9g on one", many.loss(),
                    replicas, one.loss()));
        }
        // a gradient that is zero in exact arithmetic is float32 rounding noise: compared against the whole
        // gradient's norm, the others against their own
        double global = 0;
        for (float[] g : one.gradients().values()) {
            for (float v : g) {
                global += v * (double) v;
            }
        }
        double floor = TOLERANCE * Math.sqrt(global);
        for (Map.Entry<String, float[]> e : one.gradients().entrySet()) {
            float[] a = many.gradients().get(e.getKey());
            if (a == null) {
                problems.add("parameter " + e.getKey() + " has a gradient on one replica and none on " + replicas);
                continue;
            }
            float[] x = e.getValue();
            double diff = 0;
            double norm = 0;
            for (int i = 0; i < x.length; i++) {
                diff += (a[i] - x[i]) * (double) (a[i] - x[i]);
                norm += x[i] * (double) x[i];
            }
            if (!(Math.sqrt(diff) <= TOLERANCE * Math.sqrt(norm) + floor)) {
                problems.add(String.format(Locale.ROOT, "the gradient of %s differs by %.3g (its norm %.3g; ratio of"
                        + " norms %.4g)", e.getKey(), Math.sqrt(diff), Math.sqrt(norm), norm(a) / Math.sqrt(norm)));
            }
        }
        if (!problems.isEmpty()) {
            throw ObjectiveChecks.fail(Check.DATA_PARALLEL, String.format(Locale.ROOT, "%s declares %s, but one step"
                    + " of %s on %d CPU replicas is not one step on one replica:%n  %s%nCompute every statistic"
                    + " of the batch (means, covariances, similarities between examples) on what Model.encode or"
                    + " Model.encodeWith return, never inside encodeWith's per-shard call, and do not divide by"
                    + " the replica count; or declare Distribution.SINGLE_DEVICE", fixture.provider().name(), d,
                    fixture, replicas, String.join("\n  ", problems.subList(0, Math.min(8, problems.size())))));
        }
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * (double) x;
        }
        return Math.sqrt(s);
    }
}
