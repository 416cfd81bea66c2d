package org.pretext.selfpredict;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pretext.data.Batch;
import org.pretext.data.BatchPlan;
import org.pretext.data.Split;
import org.pretext.datasets.MnistDatasetProvider;
import org.pretext.encoders.MlpEncoderProvider;
import org.pretext.engine.Engines;
import org.pretext.model.PretextModel;
import org.pretext.model.ReplicatedModel;
import org.pretext.objective.Distribution;
import org.pretext.objective.Model;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.objective.PreparedBatch;
import org.pretext.objective.StepContext;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderRegistry;

/**
 * The self-prediction objectives that declare {@link Distribution#PER_EXAMPLE} give, in one step
 * on 2 and 4 CPU replicas of the encoder, the loss and every parameter gradient of one replica
 * (the contrastive module's {@code DataParallelTest} also shows the comparison catches the classic
 * data-parallel bugs).
 */
class DataParallelTest {
    private static final double TOLERANCE = 2e-5;

    private record Step(double loss, Map<String, float[]> gradients) {}

    private static Step step(String name, int replicas) {
        Split data = MnistDatasetProvider.open(320, 10).pretrain();
        Shape shape = data.exampleShape();
        ObjectiveProvider p = ProviderRegistry.load(ObjectiveProvider.class, "objective").get(name);
        Objective objective = p.create(ParamValues.defaults("objective '" + name + "'", p.parameters()));
        assertThat(objective.distribution()).isEqualTo(Distribution.PER_EXAMPLE);
        Shape in = objective.encoderInputShape(shape);
        try (PretextModel model = PretextModel.create(() -> MlpEncoderProvider.create(in, List.of(64), 32, false),
                objective, shape, Device.cpu(), 3);
                ReplicatedModel view = ReplicatedModel.create(model, Collections.nCopies(replicas, Device.cpu()));
                NDManager manager = model.manager().newSubManager()) {
            Batch batch = data.batches(BatchPlan.shuffled(30, 3, 0)).next();
            PreparedBatch prepared = objective.prepare(batch, new SplittableRandom(11));
            Engines.engine().setRandomSeed(17);
            NDList inputs = prepared.toNDList(manager);
            double loss;
            try (GradientCollector gc = Engines.engine().newGradientCollector()) {
                NDArray l = objective.loss(context(view, manager), inputs);
                gc.backward(l);
                loss = l.getFloat();
            }
            view.reduceGradients(manager);
            Map<String, float[]> grads = new LinkedHashMap<>();
            for (Map.Entry<String, Parameter> e : model.trainableParameters().entrySet()) {
                NDArray g = e.getValue().getArray().getGradient();
                g.attach(manager);
                grads.put(e.getKey(), g.toFloatArray());
            }
            return new Step(loss, grads);
        }
    }

    private static StepContext context(Model view, NDManager manager) {
        return new StepContext() {
            @Override
            public Model model() {
                return view;
            }

            @Override
            public NDManager manager() {
                return manager;
            }

            @Override
            public long step() {
                return 0;
            }

            @Override
            public long totalSteps() {
                return 100;
            }

            @Override
            public void metric(String name, double value) {}
        };
    }

    private static void assertSame(Step expected, Step actual) {
        assertThat(actual.loss()).as("loss").isCloseTo(expected.loss(),
                org.assertj.core.data.Offset.offset(TOLERANCE * Math.max(1, Math.abs(expected.loss()))));
        double global = 0;
        for (float[] e : expected.gradients().values()) {
            for (float v : e) {
                global += v * (double) v;
            }
        }
        for (String k : expected.gradients().keySet()) {
            float[] e = expected.gradients().get(k);
            float[] a = actual.gradients().get(k);
            double diff = 0;
            double norm = 0;
            for (int i = 0; i < e.length; i++) {
                diff += (a[i] - e[i]) * (double) (a[i] - e[i]);
                norm += e[i] * (double) e[i];
            }
            assertThat(Math.sqrt(diff)).as("gradient of %s (norm %s)", k, Math.sqrt(norm))
                    .isLessThanOrEqualTo(TOLERANCE * (Math.sqrt(norm) + Math.sqrt(global)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rotation", "denoising", "part-prediction"})
    void oneStepOnTwoAndFourReplicasIsOneStepOnOne(String name) {
        Step one = step(name, 1);
        assertThat(one.gradients().keySet()).anyMatch(k -> k.startsWith("encoder/"));
        assertSame(one, step(name, 2));
        assertSame(one, step(name, 4));
    }
}
