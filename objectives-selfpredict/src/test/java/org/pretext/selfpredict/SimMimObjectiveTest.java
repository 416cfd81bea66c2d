package org.pretext.selfpredict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
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
import org.pretext.objective.PreparedBatch;

class SimMimObjectiveTest {
    private static final Shape DIGIT = new Shape(1, 28, 28);

    private static PretextModel model(SimMimObjective o) {
        return PretextModel.create(VitEncoderProvider.create(DIGIT, 4, 32, 1, 2, 2, 0f, false,
                VisionTransformer.Pooling.MEAN), o, DIGIT, Device.cpu(), 3);
    }

    @Test
    void masksCeilRatioTimesTheUnitsTheSameWayUnderASeed() {
        SimMimObjective o = new SimMimObjective(0.6, 0, true);
        try (PretextModel ignored = model(o)) {
            assertThat(o.maskedUnits()).isEqualTo(30); // ⌈0.6 · 49⌉ = ⌈29.4⌉
            int[] a = o.drawMask(new SplittableRandom(1));
            assertThat(a).containsOnly(0, 1);
            assertThat(java.util.Arrays.stream(a).sum()).isEqualTo(30);
            assertThat(o.drawMask(new SplittableRandom(1))).containsExactly(a);
            assertThat(o.drawMask(new SplittableRandom(2))).isNotEqualTo(a);
        }
        // 14 px units are not a multiple of the 4 px patches
        assertThatThrownBy(() -> model(new SimMimObjective(0.6, 14, true))).isInstanceOf(PretextException.class)
                .hasMessageContaining("'mask-patch-size'").hasMessageContaining("14");
    }

    @Test
    void largerMaskUnitsMaskWholeBlocksOfPatches() {
        // 28 px units on a 28 px image with 4 px patches would be one unit; use a 2×2 grid of 14 px units on
        // a ViT with 7 px patches: each unit covers 2×2 patches of the 4×4 grid
        Shape digit = DIGIT;
        SimMimObjective o = new SimMimObjective(0.5, 14, true);
        try (PretextModel ignored = PretextModel.create(VitEncoderProvider.create(digit, 7, 16, 1, 2, 2, 0f, false,
                VisionTransformer.Pooling.MEAN), o, digit, Device.cpu(), 1)) {
            SplittableRandom r = new SplittableRandom(5);
            for (int trial = 0; trial < 20; trial++) {
                int[] mask = o.drawMask(r);
                assertThat(java.util.Arrays.stream(mask).sum()).isEqualTo(8);
                for (int unit = 0; unit < 4; unit++) {
                    int top = (unit / 2) * 2;
                    int left = (unit % 2) * 2;
                    int first = mask[top * 4 + left];
                    assertThat(new int[] {mask[top * 4 + left + 1], mask[(top + 1) * 4 + left],
                        mask[(top + 1) * 4 + left + 1]}).containsOnly(first);
                }
            }
        }
    }

    @Test
    void maskedPixelsReachTheLossButNotThePredictions() {
        SimMimObjective o = new SimMimObjective(0.6, 0, true);
        try (PretextModel model = model(o); NDManager m = model.manager().newSubManager()) {
            SplittableRandom data = new SplittableRandom(4);
            float[] images = new float[2 * 784];
            for (int i = 0; i < images.length; i++) {
                images[i] = (float) data.nextDouble();
            }
            PreparedBatch p = o.prepare(new Batch(HostTensor.of(images, new Shape(2, 1, 28, 28)), null),
                    new SplittableRandom(5));
            int[] mask = p.tensors().get(1).ints();
            float[] scribbled = images.clone();
            Patches grid = new Patches(1, 28, 28, 4);
            float[] noise = new float[16];
            for (int i = 0; i < 2; i++) {
                for (int patch = 0; patch < 49; patch++) {
                    if (mask[i * 49 + patch] == 1) {
                        for (int j = 0; j < 16; j++) {
                            noise[j] = (float) data.nextDouble();
                        }
                        grid.pastePatch(noise, 0, scribbled, i, patch);
                    }
                }
            }
            PreparedBatch q = o.prepare(new Batch(HostTensor.of(scribbled, new Shape(2, 1, 28, 28)), null),
                    new SplittableRandom(5));
            assertThat(q.tensors().get(1).ints()).containsExactly(mask);
            NDArray a = o.predict(model, p.toNDList(m), false);
            NDArray b = o.predict(model, q.toNDList(m), false);
            assertThat(a.getShape()).isEqualTo(new Shape(2, 49, 16));
            assertThat(b.toFloatArray()).containsExactly(a.toFloatArray());
            NDArray fm = p.toNDList(m).get(1).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
            float la = SimMimLoss.compute(a, p.toNDList(m).get(0), fm, true).getFloat();
            float lb = SimMimLoss.compute(b, q.toNDList(m).get(0), fm, true).getFloat();
            assertThat(lb).isNotEqualTo(la);
        }
    }

    @Test
    void withACropScaleEachImageIsARandomResizedCropDrawnFromTheSeedAfterTheMask() {
        SimMimObjective o = new SimMimObjective(0.6, 0, true, 0.67, 1.0);
        SimMimObjective off = new SimMimObjective(0.6, 0, true);
        int b = 8;
        // a vertical ramp: pixel (y, x) = y / 27
        float[] ramp = new float[b * 784];
        for (int i = 0; i < ramp.length; i++) {
            ramp[i] = ((i % 784) / 28) / 27f;
        }
        Batch batch = new Batch(HostTensor.of(ramp, new Shape(b, 1, 28, 28)), null);
        Patches grid = new Patches(1, 28, 28, 4);
        try (PretextModel model = model(o); PretextModel offModel = model(off)) {
            assertThat(off.crop()).isNull();
            PreparedBatch p = o.prepare(batch, new SplittableRandom(3));
            PreparedBatch raw = off.prepare(batch, new SplittableRandom(3));
            assertThat(raw.tensors().get(0).floats()).containsExactly(grid.patchify(ramp, b));
            assertThat(o.prepare(batch, new SplittableRandom(3)).tensors().get(0).floats())
                    .isEqualTo(p.tensors().get(0).floats());
            assertThat(o.prepare(batch, new SplittableRandom(4)).tensors().get(0).floats())
                    .isNotEqualTo(p.tensors().get(0).floats());
            assertThat(p.tensors().get(1).ints()).isEqualTo(raw.tensors().get(1).ints());
            // the step down a column is the crop's height over 28: sqrt(0.67 · 3/4) to 1
            float[] images = grid.unpatchify(p.tensors().get(0).floats(), b);
            int shorter = 0;
            for (int i = 0; i < b; i++) {
                double step = (images[i * 784 + 14 * 28 + 5] - images[i * 784 + 13 * 28 + 5]) * 27.0;
                assertThat(step).isBetween(Math.sqrt(0.67 * 0.75) - 1e-4, 1.0 + 1e-4);
                if (step < 0.99) {
                    shorter++;
                }
            }
            assertThat(shorter).isGreaterThanOrEqualTo(b / 2);
        }
    }

    @Test
    void refusesAnEncoderWithoutMaskTokens() {
        assertThatThrownBy(() -> PretextModel.create(MlpEncoderProvider.create(DIGIT, List.of(), 8, false),
                new SimMimObjective(0.6, 0, true), DIGIT, Device.cpu(), 1))
                .isInstanceOf(PretextException.class)
                .hasMessageContaining("Objective 'simmim' needs an encoder that can put mask tokens")
                .hasMessageContaining("vit-tiny");
    }
}
