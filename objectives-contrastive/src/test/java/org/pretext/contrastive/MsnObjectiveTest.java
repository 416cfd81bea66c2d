package org.pretext.contrastive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pretext.PretextException;
import org.pretext.data.Batch;
import org.pretext.data.HostTensor;
import org.pretext.encoders.MlpEncoderProvider;
import org.pretext.encoders.vit.VisionTransformer;
import org.pretext.encoders.vit.VitEncoderProvider;
import org.pretext.model.PretextModel;
import org.pretext.objective.PreparedBatch;
import org.pretext.transform.Augmentation;
import org.pretext.transform.MultiCrop;

/** MSN's masking of the anchor view, its set-up checks and its settings. */
class MsnObjectiveTest {
    private static final Shape DIGIT = new Shape(1, 28, 28);
    /** Leaves the view as it is, so that the prepared patches can be compared with the image. */
    private static final Augmentation IDENTITY = (src, dst, r) -> System.arraycopy(src, 0, dst, 0, src.length);

    private static MsnObjective objective(double maskRatio) {
        return new MsnObjective(new MsnObjective.Settings(16, 8, true, 8, 0.1, 0.025, 3, 1, maskRatio, 0.99, true),
                new MultiCrop(2, 0, 12, 0.05, 0.4), shape -> IDENTITY, shape -> IDENTITY);
    }

    private static PretextModel vit(MsnObjective o) {
        return PretextModel.create(() -> VitEncoderProvider.create(DIGIT, 4, 16, 1, 2, 2, 0f, false,
                VisionTransformer.Pooling.MEAN), o, DIGIT, Device.cpu(), 3);
    }

    /**
     * 30% of 49 patches: ⌈14.7⌉ = 15 dropped, 34 kept, at distinct positions in increasing order,
     * each kept patch holding exactly the image's pixels there (row within the patch, column,
     * channel); the two images get different masks; the target view is the whole image.
     */
    @Test
    void theAnchorKeepsTheImagesPixelsAtItsKeptPositionsOnly() {
        MsnObjective o = objective(0.3);
        try (PretextModel ignored = vit(o)) {
            assertThat(o.droppedPatches()).isEqualTo(15);
            SplittableRandom data = new SplittableRandom(4);
            float[] images = new float[2 * 784];
            for (int i = 0; i < images.length; i++) {
                images[i] = (float) data.nextDouble();
            }
            PreparedBatch p = o.prepare(new Batch(HostTensor.of(images, new Shape(2, 1, 28, 28)), null),
                    new SplittableRandom(5));
            assertThat(p.tensors()).hasSize(3);
            assertThat(p.tensors().get(0).shape()).isEqualTo(new Shape(2, 34, 16));
            assertThat(p.tensors().get(1).shape()).isEqualTo(new Shape(2, 34));
            assertThat(p.tensors().get(2).floats()).containsExactly(images);
            float[] kept = p.tensors().get(0).floats();
            int[] positions = p.tensors().get(1).ints();
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 34; j++) {
                    int at = positions[i * 34 + j];
                    if (j > 0) {
                        assertThat(at).isGreaterThan(positions[i * 34 + j - 1]);
                    }
                    assertThat(at).isBetween(0, 48);
                    int top = (at / 7) * 4;
                    int left = (at % 7) * 4;
                    for (int y = 0; y < 4; y++) {
                        for (int x = 0; x < 4; x++) {
                            assertThat(kept[(i * 34 + j) * 16 + y * 4 + x])
                                    .isEqualTo(images[i * 784 + (top + y) * 28 + left + x]);
                        }
                    }
                }
            }
            assertThat(java.util.Arrays.copyOfRange(positions, 0, 34))
                    .isNotEqualTo(java.util.Arrays.copyOfRange(positions, 34, 68));
            // the same stream gives the same mask
            PreparedBatch q = o.prepare(new Batch(HostTensor.of(images, new Shape(2, 1, 28, 28)), null),
                    new SplittableRandom(5));
            assertThat(q.tensors().get(1).ints()).containsExactly(positions);
        }
    }

    @Test
    void theTargetMomentumRisesLinearlyToOne() {
        MsnObjective o = objective(0.15);
        assertThat(o.momentum(0, 100)).isEqualTo(0.99);
        assertThat(o.momentum(50, 100)).isCloseTo(0.995, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(o.momentum(100, 100)).isEqualTo(1.0);
    }

    @Test
    void refusesAnEncoderThatCannotEncodeASubsetOfPatches() {
        assertThatThrownBy(() -> PretextModel.create(() -> MlpEncoderProvider.create(DIGIT, List.of(), 8, false),
                objective(0.15), DIGIT, Device.cpu(), 1))
                .isInstanceOf(PretextException.class)
                .hasMessageContaining("Objective 'msn'")
                .hasMessageContaining("--encoder vit-tiny");
    }

    @Test
    void refusesAMaskRatioThatDropsEveryPatch() {
        // ⌈0.99 · 49⌉ = 49
        assertThatThrownBy(() -> vit(objective(0.99)))
                .isInstanceOf(PretextException.class)
                .hasMessageContaining("'mask-ratio'")
                .hasMessageContaining("drops 49 of the 49 patches");
    }
}
