package org.pretext.selfpredict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pretext.PretextException;
import org.pretext.data.Batch;
import org.pretext.data.HostTensor;
import org.pretext.encoder.Patches;
import org.pretext.encoders.MlpEncoderProvider;
import org.pretext.encoders.vit.VisionTransformer;
import org.pretext.encoders.vit.VitEncoderProvider;
import org.pretext.model.PretextModel;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.objective.PreparedBatch;
import org.pretext.param.ParamValues;

class IJepaObjectiveTest {
    private static final Shape DIGIT = new Shape(1, 28, 28);

    static IJepaObjective objective(Map<String, ?> params) {
        ObjectiveProvider p = new IJepaObjectiveProvider();
        return (IJepaObjective) p.create(ParamValues.resolve("objective 'ijepa'", p.parameters(), params));
    }

    private static PretextModel model(IJepaObjective o) {
        return PretextModel.create(() -> VitEncoderProvider.create(DIGIT, 4, 32, 1, 2, 2, 0f, false,
                VisionTransformer.Pooling.MEAN), o, DIGIT, Device.cpu(), 3);
    }

    private static float[] noise(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextDouble();
        }
        return x;
    }

    @Test
    void theContextEncoderSeesTheContextPatchesOnlyAndTheTargetsAreTheTargetEncodersNormalisedStates() {
        IJepaObjective o = objective(Map.of("predictor-width", 16, "predictor-depth", 1, "predictor-heads", 2));
        try (PretextModel model = model(o); NDManager m = model.manager().newSubManager()) {
            SplittableRandom data = new SplittableRandom(4);
            float[] images = noise(data, 3 * 784);
            PreparedBatch p = o.prepare(new Batch(HostTensor.of(images, new Shape(3, 1, 28, 28)), null),
                    new SplittableRandom(5));
            int k = (int) p.tensors().get(1).shape().get(1);
            int t = (int) p.tensors().get(2).shape().get(2);
            int[] context = p.tensors().get(1).ints();
            // scribble over every patch outside each image's context
            float[] scribbled = images.clone();
            Patches grid = new Patches(1, 28, 28, 4);
            for (int i = 0; i < 3; i++) {
                Set<Integer> seen = new HashSet<>();
                for (int j = 0; j < k; j++) {
                    seen.add(context[i * k + j]);
                }
                for (int patch = 0; patch < 49; patch++) {
                    if (!seen.contains(patch)) {
                        grid.pastePatch(noise(data, 16), 0, scribbled, i, patch);
                    }
                }
            }
            PreparedBatch q = o.prepare(new Batch(HostTensor.of(scribbled, new Shape(3, 1, 28, 28)), null),
                    new SplittableRandom(5));
            assertThat(q.tensors().get(1).ints()).containsExactly(context);
            NDList a = o.predictAndTarget(model, p.toNDList(m), false);
            NDList b = o.predictAndTarget(model, q.toNDList(m), false);
            assertThat(a.get(0).getShape()).isEqualTo(new Shape(3, 4, t, 32));
            // the predictions depend on the context patches alone...
            assertThat(b.get(0).toFloatArray()).containsExactly(a.get(0).toFloatArray());
            // ...the targets on the whole image
            assertThat(b.get(1).toFloatArray()).isNotEqualTo(a.get(1).toFloatArray());
            // target (image 1, block 2, patch 0) = layer-normed target-encoder state of that patch on the whole image
            NDArray states = o.target().encodePatches(model.parameterStore(), p.toNDList(m).get(0), null, false);
            int patch = p.tensors().get(2).ints()[(1 * 4 + 2) * t];
            float[] row = states.get(1).get(patch).toFloatArray();
            double mean = 0;
            for (float v : row) {
                mean += v / 32.0;
            }
            double var = 0;
            for (float v : row) {
                var += (v - mean) * (v - mean) / 32.0;
            }
            float[] got = a.get(1).get(1).get(2).get(0).toFloatArray();
            for (int d = 0; d < 32; d++) {
                assertThat((double) got[d]).isCloseTo((row[d] - mean) / Math.sqrt(var + 1e-5), within(1e-4));
            }
        }
    }

    @Test
    void momentumRisesLinearlyOverOneAndAQuarterRuns() {
        IJepaObjective o = objective(Map.of());
        assertThat(o.momentum(0, 1000)).isEqualTo(0.996);
        assertThat(o.momentum(500, 1000)).isCloseTo(0.996 + 0.004 * 0.4, within(1e-12));
        assertThat(o.momentum(1000, 1000)).isCloseTo(0.9992, within(1e-12));
        assertThat(o.momentum(1250, 1000)).isEqualTo(1.0);
    }

    @Test
    void probesTheTargetEncoderByDefaultAndTheContextEncoderWhenAsked() {
        IJepaObjective o = objective(Map.of("predictor-width", 16, "predictor-depth", 1, "predictor-heads", 2));
        try (PretextModel model = model(o)) {
            assertThat(model.probedEncoder()).isSameAs(o.target()).isNotSameAs(model.encoder());
        }
        IJepaObjective c = objective(Map.of("predictor-width", 16, "predictor-depth", 1, "predictor-heads", 2,
                "probe-encoder", "context"));
        try (PretextModel model = model(c)) {
            assertThat(model.probedEncoder()).isSameAs(model.encoder());
        }
    }

    @Test
    void refusesAnEncoderWithoutPatchesAndBadParameters() {
        assertThatThrownBy(() -> PretextModel.create(() -> MlpEncoderProvider.create(DIGIT, List.of(), 8, false),
                objective(Map.of()), DIGIT, Device.cpu(), 1))
                .isInstanceOf(PretextException.class)
                .hasMessageContaining("Objective 'ijepa' needs an encoder that can encode a subset of image patches")
                .hasMessageContaining("vit-tiny");
        assertThatThrownBy(() -> objective(Map.of("target-scale-min", 0.3)))
                .hasMessageContaining("target-scale-min").hasMessageContaining("target-scale-max");
        assertThatThrownBy(() -> objective(Map.of("predictor-width", 30)))
                .hasMessageContaining("predictor-width").hasMessageContaining("30");
    }
}
