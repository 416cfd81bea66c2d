package org.pretext.selfpredict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pretext.PretextException;
import org.pretext.data.Batch;
import org.pretext.data.HostTensor;
import org.pretext.encoders.MlpEncoderProvider;
import org.pretext.model.PretextModel;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.objective.PreparedBatch;
import org.pretext.param.ParamException;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderRegistry;

class ObjectivesTest {

    private static HostTensor images(int b, int c, int side, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[b * c * side * side];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble();
        }
        return HostTensor.of(x, new Shape(b, c, side, side));
    }

    @Test
    void providersAreFoundByNameWithDocumentedDefaults() {
        ProviderRegistry<ObjectiveProvider> registry = ProviderRegistry.load(ObjectiveProvider.class, "objective");
        for (String name : List.of("denoising", "part-prediction", "rotation")) {
            ObjectiveProvider p = registry.get(name);
            assertThat(p.name()).isEqualTo(name);
            assertThat(p.description()).isNotBlank();
            p.parameters().forEach(param -> assertThat(param.description()).isNotBlank());
            assertThat(p.create(ParamValues.defaults("objective '" + name + "'", p.parameters()))).isNotNull();
        }
        ObjectiveProvider denoising = registry.get("denoising");
        assertThat(ParamValues.defaults("d", denoising.parameters()).get(DenoisingObjectiveProvider.MASK_FRACTION))
                .isEqualTo(0.25);
        assertThatThrownBy(() -> ParamValues.resolve("objective 'denoising'", denoising.parameters(),
                Map.of("mask-fraction", "1.5")))
                .isInstanceOf(ParamException.class)
                .hasMessageContaining("mask-fraction").hasMessageContaining("1.5").hasMessageContaining("< 1");
    }

    @Test
    void rotationFeedsEveryImageInAllFourRotationsWithTheirLabels() {
        HostTensor x = images(3, 1, 4, 1);
        PreparedBatch p = new RotationObjective(true, 0).prepare(new Batch(x, null), new SplittableRandom(1));
        HostTensor rotated = p.tensors().get(0);
        assertThat(rotated.shape()).isEqualTo(new Shape(12, 1, 4, 4));
        assertThat(p.tensors().get(1).ints()).containsExactly(0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3);
        float[] expected = new float[16];
        Rotations.rotate(x.floats(), 2 * 16, expected, 0, 1, 4, 3);
        float[] got = java.util.Arrays.copyOfRange(rotated.floats(), 11 * 16, 12 * 16);
        assertThat(got).containsExactly(expected);
    }

    @Test
    void rotationWithOneRandomRotationDrawsAllFourEvenly() {
        HostTensor x = images(4000, 1, 2, 2);
        PreparedBatch p = new RotationObjective(false, 0).prepare(new Batch(x, null), new SplittableRandom(2));
        int[] counts = new int[4];
        for (int k : p.tensors().get(1).ints()) {
            counts[k]++;
        }
        // binomial(4000, 1/4): sd 27.4; tolerance 5 sd
        for (int c : counts) {
            assertThat(c).isBetween(1000 - 137, 1000 + 137);
        }
    }

    @Test
    void rotationRefusesImagesThatAreNotSquare() {
        assertThatThrownBy(() -> PretextModel.create(MlpEncoderProvider.create(new Shape(1, 4, 6), List.of(), 4, false),
                new RotationObjective(true, 0), new Shape(1, 4, 6), Device.cpu(), 1))
                .isInstanceOf(PretextException.class)
                .hasMessageContaining("Objective 'rotation' rotates square images")
                .hasMessageContaining("(1, 4, 6)");
    }

    @Test
    void denoisingCorruptsTheInputAndReconstructsTheCleanOne() {
        HostTensor x = images(2, 1, 8, 3);
        PreparedBatch p = new DenoisingObjective(Corruptions.masking(0.5), 0).prepare(new Batch(x, null),
                new SplittableRandom(3));
        float[] noisy = p.tensors().get(0).floats();
        assertThat(p.tensors().get(1).floats()).isEqualTo(x.floats());
        int zeroed = 0;
        for (int i = 0; i < noisy.length; i++) {
            assertThat(noisy[i]).isIn(0f, x.floats()[i]);
            zeroed += noisy[i] == 0f ? 1 : 0;
        }
        assertThat(zeroed).isBetween(30, 98);
    }

    @Test
    void partPredictionTrainsAndExtractsFeaturesOnTheContextHalfOnly() {
        PartPredictionObjective o = new PartPredictionObjective("rows", true, 0);
        assertThat(o.encoderInputShape(new Shape(1, 28, 28))).isEqualTo(new Shape(1, 14, 28));
        HostTensor x = images(2, 1, 4, 4);
        PreparedBatch p = o.prepare(new Batch(x, null), new SplittableRandom(1));
        assertThat(p.tensors().get(0).floats()).isEqualTo(o.encoderInput(x).floats());
        // 4×4 images: the top two rows are values 0..7 of each image
        assertThat(p.tensors().get(0).floats()).containsExactly(concat(x.floats(), 0, 8, 16, 24));
        assertThat(p.tensors().get(1).floats()).containsExactly(concat(x.floats(), 8, 16, 24, 32));
        assertThatThrownBy(() -> new PartPredictionObjective("columns", true, 0).encoderInputShape(new Shape(10)))
                .isInstanceOf(PretextException.class).hasMessageContaining("split 'columns' needs images");
    }

    private static float[] concat(float[] a, int from1, int to1, int from2, int to2) {
        float[] out = new float[to1 - from1 + to2 - from2];
        System.arraycopy(a, from1, out, 0, to1 - from1);
        System.arraycopy(a, from2, out, to1 - from1, to2 - from2);
        return out;
    }
}
