package org.pretext.selfpredict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.PretextException;
import org.pretext.data.Batch;
import org.pretext.data.HostTensor;
import org.pretext.data.IndexedSplit;
import org.pretext.encoder.Patches;
import org.pretext.encoders.MlpEncoderProvider;
import org.pretext.encoders.vit.VisionTransformer;
import org.pretext.encoders.vit.VitEncoderProvider;
import org.pretext.model.PretextModel;
import org.pretext.objective.PreparedBatch;

class MaeObjectiveTest {
    private static final Shape DIGIT = new Shape(1, 28, 28);

    private static PretextModel model(MaeObjective mae) {
        return PretextModel.create(VitEncoderProvider.create(DIGIT, 4, 32, 1, 2, 2, 0f, false,
                VisionTransformer.Pooling.MEAN), mae, DIGIT, Device.cpu(), 3);
    }

    /** B images in which every pixel of patch i holds the value i + 1 (4×4 patches of 28×28). */
    private static HostTensor labelledPatches(int b) {
        Patches p = new Patches(1, 28, 28, 4);
        float[] one = new float[16];
        float[] images = new float[b * 784];
        for (int i = 0; i < b; i++) {
            for (int patch = 0; patch < 49; patch++) {
                java.util.Arrays.fill(one, patch + 1);
                p.pastePatch(one, 0, images, i, patch);
            }
        }
        return HostTensor.of(images, new Shape(b, 1, 28, 28));
    }

    @Test
    void theEncoderInputHoldsTheVisiblePatchesOnlyAndExactlyRoundRatioTimesNAreMasked() {
        MaeObjective mae = new MaeObjective(0.75, true, 16, 1, 2);
        try (PretextModel ignored = model(mae)) {
            int b = 16;
            PreparedBatch p = mae.prepare(new Batch(labelledPatches(b), null), new SplittableRandom(9));
            float[] visible = p.tensors().get(0).floats();
            int[] visibleIds = p.tensors().get(1).ints();
            int[] ids = p.tensors().get(2).ints();
            float[] mask = p.tensors().get(4).floats();
            assertThat(p.tensors().get(0).shape()).isEqualTo(new Shape(b, 12, 16));
            for (int i = 0; i < b; i++) {
                Set<Integer> seen = new HashSet<>();
                for (int t = 0; t < 12 * 16; t++) {
                    seen.add((int) visible[i * 192 + t] - 1);
                }
                Set<Integer> visibleSet = new HashSet<>();
                Set<Integer> maskedSet = new HashSet<>();
                for (int t = 0; t < 49; t++) {
                    (mask[i * 49 + t] == 1f ? maskedSet : visibleSet).add(ids[i * 49 + t]);
                }
                assertThat(maskedSet).hasSize(37);
                assertThat(visibleSet).hasSize(12);
                for (int t = 0; t < 12; t++) {
                    assertThat(visibleIds[i * 12 + t]).isEqualTo(ids[i * 49 + t]);
                }
                // the pixel values the encoder gets are those of the visible patches, and of no masked one
                assertThat(seen).isEqualTo(visibleSet);
                assertThat(seen).doesNotContainAnyElementsOf(maskedSet);
            }
        }
    }

    @Test
    void changingMaskedPatchesChangesTheLossButNotTheEncoderStates() {
        MaeObjective mae = new MaeObjective(0.75, true, 16, 1, 2);
        try (PretextModel model = model(mae); NDManager m = model.manager().newSubManager()) {
            SplittableRandom data = new SplittableRandom(4);
            float[] images = new float[2 * 784];
            for (int i = 0; i < images.length; i++) {
                images[i] = (float) data.nextDouble();
            }
            HostTensor x = HostTensor.of(images, new Shape(2, 1, 28, 28));
            PreparedBatch p = mae.prepare(new Batch(x, null), new SplittableRandom(5));
            // scribble over every masked patch of both images
            float[] scribbled = images.clone();
            int[] ids = p.tensors().get(2).ints();
            float[] noise = new float[16];
            for (int i = 0; i < 2; i++) {
                for (int t = 12; t < 49; t++) {
                    for (int j = 0; j < 16; j++) {
                        noise[j] = (float) data.nextDouble();
                    }
                    mae.patches().pastePatch(noise, 0, scribbled, i, ids[i * 49 + t]);
                }
            }
            PreparedBatch q = mae.prepare(new Batch(HostTensor.of(scribbled, x.shape()), null), new SplittableRandom(5));
            NDArray a = mae.predict(model, p.toNDList(m), false);
            NDArray b = mae.predict(model, q.toNDList(m), false);
            assertThat(q.tensors().get(0).floats()).isEqualTo(p.tensors().get(0).floats());
            // the decoder's outputs depend on the encoder states only, so they are identical...
            assertThat(b.toFloatArray()).containsExactly(a.toFloatArray());
            // ...while the loss, which scores the masked patches, changes
            float la = MaeLoss.compute(a, p.toNDList(m).get(3), p.toNDList(m).get(4), true).getFloat();
            float lb = MaeLoss.compute(b, q.toNDList(m).get(3), q.toNDList(m).get(4), true).getFloat();
            assertThat(lb).isNotEqualTo(la);
        }
    }

    private static float[] losses(long seed) {
        IndexedSplit data = ProbeRun.first((IndexedSplit) org.pretext.datasets.MnistDatasetProvider.open(256, 10)
                .pretrain(), 256);
        MaeObjective mae = new MaeObjective(0.75, true, 16, 1, 2);
        try (PretextModel model = model(mae)) {
            return new org.pretext.training.Pretrainer(org.pretext.training.PretrainConfig.builder().batchSize(32)
                    .steps(12).learningRate(2e-3).seed(seed).logEvery(100).prepareThreads(2).build())
                    .run(model, data, new org.pretext.checkpoint.Provenance("mae", "1", java.util.Map.of(), "vit",
                            java.util.Map.of(), "mnist", java.util.Map.of(), seed, java.util.Map.of(), null))
                    .losses();
        }
    }

    @Test
    void theSameSeedGivesTheSameLossesAndTrainingLowersThem() {
        float[] a = losses(5);
        float[] b = losses(5);
        float[] c = losses(6);
        assertThat(b).containsExactly(a);
        assertThat(c[0]).isNotEqualTo(a[0]);
        assertThat(a[a.length - 1]).isLessThan(a[0]);
    }

    @Test
    void writesTheReconstructionGridAsAPng(@TempDir Path dir) throws IOException {
        MaeObjective mae = new MaeObjective(0.75, true, 16, 1, 2);
        try (PretextModel model = model(mae)) {
            HostTensor x = labelledPatches(3);
            float[] scaled = x.floats().clone();
            for (int i = 0; i < scaled.length; i++) {
                scaled[i] /= 49f;
            }
            IndexedSplit split = IndexedSplit.ofFloats(scaled, DIGIT, null, List.of());
            List<Path> files = mae.writeArtifacts(model, split, dir, 1);
            assertThat(files).containsExactly(dir.resolve("mae-reconstructions.png"));
            BufferedImage png = ImageIO.read(files.get(0).toFile());
            int cell = 28 * ReconstructionGrid.SCALE + ReconstructionGrid.GAP;
            assertThat(png.getWidth()).isEqualTo(3 * cell + ReconstructionGrid.GAP);
            assertThat(png.getHeight()).isEqualTo(3 * cell + ReconstructionGrid.GAP);
            // top row, first image: pixel (y, x) = (5, 9) lies in patch 1·7 + 2 = 9, value 10/49
            int rgb = png.getRGB(ReconstructionGrid.GAP + 9 * ReconstructionGrid.SCALE,
                    ReconstructionGrid.GAP + 5 * ReconstructionGrid.SCALE);
            assertThat(rgb & 0xFF).isEqualTo(Math.round(10 / 49f * 255));
        }
    }

    @Test
    void refusesAnEncoderThatCannotEncodeASubsetOfPatches() {
        assertThatThrownBy(() -> PretextModel.create(MlpEncoderProvider.create(DIGIT, List.of(), 8, false),
                new MaeObjective(0.75, true, 16, 1, 2), DIGIT, Device.cpu(), 1))
                .isInstanceOf(PretextException.class)
                .hasMessageContaining("Objective 'mae' needs an encoder that can encode a subset of image patches")
                .hasMessageContaining("vit-tiny");
        assertThatThrownBy(() -> model(new MaeObjective(0.999, true, 16, 1, 2)))
                .isInstanceOf(PretextException.class)
                .hasMessageContaining("'mask-ratio'").hasMessageContaining("0.999");
    }
}
