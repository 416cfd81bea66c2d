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
        // without the crop, so that a pixel outside the context stays outside it
        IJepaObjective o = objective(Map.of("predictor-width", 16, "predictor-depth", 1, "predictor-heads", 2,
                "crop-scale-min", 1.0));
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
    void eachImageIsARandomResizedCropDrawnFromTheSeedAfterTheMasks() {
        Map<String, Object> small = Map.of("predictor-width", 16, "predictor-depth", 1, "predictor-heads", 2);
        IJepaObjective o = objective(small);
        Map<String, Object> offParams = new java.util.HashMap<>(small);
        offParams.put("crop-scale-min", 1.0);
        IJepaObjective off = objective(offParams);
        int b = 8;
        // a horizontal ramp: pixel (y, x) = x / 27
        float[] ramp = new float[b * 784];
        for (int i = 0; i < ramp.length; i++) {
            ramp[i] = (i % 28) / 27f;
        }
        Batch batch = new Batch(HostTensor.of(ramp, new Shape(b, 1, 28, 28)), null);
        Patches grid = new Patches(1, 28, 28, 4);
        try (PretextModel model = model(o); PretextModel offModel = model(off)) {
            assertThat(o.crop()).isNotNull();
            assertThat(off.crop()).isNull();
            PreparedBatch p = o.prepare(batch, new SplittableRandom(11));
            PreparedBatch again = o.prepare(batch, new SplittableRandom(11));
            PreparedBatch other = o.prepare(batch, new SplittableRandom(12));
            PreparedBatch raw = off.prepare(batch, new SplittableRandom(11));
            // off: the image's own patches
            assertThat(raw.tensors().get(0).floats()).containsExactly(grid.patchify(ramp, b));
            // on: deterministic by seed, different for another seed, and the masks are the same draws as without it
            assertThat(again.tensors().get(0).floats()).isEqualTo(p.tensors().get(0).floats());
            assertThat(other.tensors().get(0).floats()).isNotEqualTo(p.tensors().get(0).floats());
            assertThat(p.tensors().get(1).ints()).isEqualTo(raw.tensors().get(1).ints());
            assertThat(p.tensors().get(2).ints()).isEqualTo(raw.tensors().get(2).ints());
            // a crop of the ramp is a ramp: in the middle of a row the step is the crop's width over 28, between
            // sqrt(0.3 · 3/4) and 1 (area 0.3–1, aspect 3/4–4/3); most crops are narrower than the image
            float[] images = grid.unpatchify(p.tensors().get(0).floats(), b);
            int narrower = 0;
            for (int i = 0; i < b; i++) {
                int o0 = i * 784;
                double step = (images[o0 + 14 * 28 + 14] - images[o0 + 14 * 28 + 13]) * 27.0;
                assertThat(step).isBetween(Math.sqrt(0.3 * 0.75) - 1e-4, 1.0 + 1e-4);
                for (int y = 0; y < 28; y++) {
                    // every row of a crop of a horizontal ramp is the same row
                    assertThat((double) images[o0 + y * 28 + 20]).isCloseTo(images[o0 + 20], within(1e-5));
                }
                if (step < 0.99) {
                    narrower++;
                }
            }
            assertThat(narrower).isGreaterThanOrEqualTo(b / 2);
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
        assertThatThrownBy(() -> objective(Map.of("crop-scale-min", 0.8, "crop-scale-max", 0.5)))
                .hasMessageContaining("crop-scale-min").hasMessageContaining("crop-scale-max");
        assertThatThrownBy(() -> objective(Map.of("crop-scale-min", 0.0)))
                .hasMessageContaining("crop-scale-min");
        assertThatThrownBy(() -> objective(Map.of("predictor-width", 30)))
                .hasMessageContaining("predictor-width").hasMessageContaining("30");
    }
}
