package org.example.dino;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pretext.data.IndexedSplit;
import org.pretext.model.PretextModel;
import org.pretext.param.ParamValues;
import org.pretext.testkit.FixtureData;
import org.pretext.testkit.ToyEncoders;
import org.pretext.training.PretrainConfig;
import org.pretext.training.Pretrainer;

/**
 * The hooks do what DINO needs, in Pretext's own loop: beforeUpdate holds the prototypes still
 * while the last layer is frozen (weight decay only shrinks the stored V), afterUpdate moves the
 * centre and the teacher, and the runner is told to probe the teacher unless asked otherwise.
 */
class DinoHooksTest {
    private static final int STEPS = 8;

    private static DinoObjective objective(Map<String, Object> extra) {
        DinoObjectiveProvider provider = new DinoObjectiveProvider();
        Map<String, Object> p = new java.util.HashMap<>(Map.of("hidden-dim", 16, "bottleneck-dim", 8, "out-dim", 16,
                "base-momentum", 0.9));
        p.putAll(extra);
        return (DinoObjective) provider.create(ParamValues.resolve("example-dino", provider.parameters(), p));
    }

    private static PretextModel model(DinoObjective objective, IndexedSplit data) {
        Shape shape = data.exampleShape();
        return PretextModel.create(() -> ToyEncoders.mlp(shape), objective, shape, Device.cpu(), 3);
    }

    private static void train(PretextModel model, IndexedSplit data) {
        new Pretrainer(PretrainConfig.builder().batchSize(16).steps(STEPS).learningRate(1e-2).weightDecay(0.05)
                .seed(3).prepareThreads(1).build()).run(model, data, null);
    }

    /** The rows of V divided by their norms: the layer's actual weights. */
    private static float[] unitRows(Parameter v) {
        float[] w = v.getArray().toFloatArray();
        int cols = (int) v.getArray().getShape().get(1);
        for (int r = 0; r < w.length / cols; r++) {
            double norm = 0;
            for (int c = 0; c < cols; c++) {
                norm += w[r * cols + c] * w[r * cols + c];
            }
            for (int c = 0; c < cols; c++) {
                w[r * cols + c] /= (float) Math.sqrt(norm);
            }
        }
        return w;
    }

    private static double norm(float[] x) {
        double s = 0;
        for (float v : x) {
            s += v * v;
        }
        return Math.sqrt(s);
    }

    private static double distance(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }

    @Test
    void aFrozenLastLayerKeepsItsPrototypesWhileTheRestTrains() {
        IndexedSplit data = FixtureData.vectors();
        DinoObjective frozen = objective(Map.of("freeze-last-layer", 1.0));
        try (PretextModel model = model(frozen, data)) {
            Parameter v = frozen.prototypes().weight();
            float[] storedBefore = v.getArray().toFloatArray();
            float[] before = unitRows(v);
            float[] firstHidden = model.trainableParameters().values().iterator().next().getArray().toFloatArray();
            train(model, data);
            // decoupled weight decay shrank V by (1 − lr·wd) per step, but not its direction
            assertThat(norm(v.getArray().toFloatArray())).isLessThan(norm(storedBefore) * 0.9999);
            assertThat(unitRows(v)).containsExactly(before, within(1e-6f));
            assertThat(distance(model.trainableParameters().values().iterator().next().getArray().toFloatArray(),
                    firstHidden)).as("the encoder trained").isGreaterThan(1e-3);
        }
        DinoObjective free = objective(Map.of("freeze-last-layer", 0.0));
        try (PretextModel model = model(free, data)) {
            float[] before = unitRows(free.prototypes().weight());
            train(model, data);
            assertThat(distance(unitRows(free.prototypes().weight()), before)).as("prototypes moved").isGreaterThan(1e-3);
        }
    }

    @Test
    void afterUpdateMovesTheCentreAndTheTeacherAndTheTeacherIsProbed() {
        IndexedSplit data = FixtureData.vectors();
        DinoObjective dino = objective(Map.of());
        try (PretextModel model = model(dino, data)) {
            List<float[]> student0 = values(model.encoder().block().getParameters());
            assertThat(values(dino.teacherEncoder().block().getParameters()))
                    .as("the teacher starts as a copy of the student").usingElementComparator(java.util.Arrays::compare)
                    .containsExactlyElementsOf(student0);
            assertThat(dino.centre()).containsOnly(0f);
            train(model, data);
            List<float[]> student = values(model.encoder().block().getParameters());
            List<float[]> teacher = values(dino.teacherEncoder().block().getParameters());
            // with momentum 0.9 the teacher moved away from the initial weights, but lags behind the student
            assertThat(distance(teacher.get(0), student0.get(0))).isGreaterThan(1e-4)
                    .isLessThan(distance(student.get(0), student0.get(0)));
            assertThat(norm(dino.centre())).as("the centre moved").isGreaterThan(1e-3);
            assertThat(model.probedEncoder()).as("probe-encoder: teacher by default")
                    .isSameAs(dino.teacherEncoder()).isNotSameAs(model.encoder());
        }
        DinoObjective student = objective(Map.of("probe-encoder", "student"));
        try (PretextModel model = model(student, data)) {
            assertThat(model.probedEncoder()).isSameAs(model.encoder());
        }
    }

    private static List<float[]> values(Iterable<Pair<String, Parameter>> parameters) {
        List<float[]> out = new ArrayList<>();
        parameters.forEach(p -> out.add(p.getValue().getArray().toFloatArray()));
        return out;
    }
}
