package org.pretext.encoders.vit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pretext.PretextException;
import org.pretext.encoder.EncoderProvider;
import org.pretext.encoder.PatchEncoder;
import org.pretext.engine.Engines;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderRegistry;

class VisionTransformerTest {
    private static final Shape IMAGE = new Shape(1, 8, 8);

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextDouble();
        }
        return v;
    }

    private static VitEncoder vit(NDManager m, VisionTransformer.Pooling pooling, boolean learned) {
        Engines.engine().setRandomSeed(7);
        VitEncoder e = VitEncoderProvider.create(IMAGE, 2, 16, 2, 2, 2, 0f, learned, pooling);
        e.block().initialize(m, DataType.FLOAT32, new Shape(2, 1, 8, 8));
        return e;
    }

    /** patches[b, ids[b, k], :] as (B, K, P). */
    private static NDArray select(NDArray patches, NDArray ids) {
        Shape s = ids.getShape();
        long p = patches.getShape().get(2);
        return patches.gather(ids.toType(DataType.INT64, false).reshape(s.get(0), s.get(1), 1).repeat(2, p), 1);
    }

    @Test
    void cutsPatchesInTheDocumentedLayout() {
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice())) {
            VisionTransformer t = new VisionTransformer(2, 4, 4, 2, 8, 1, 2, 2, 0f, false,
                    VisionTransformer.Pooling.MEAN);
            float[] img = new float[32];
            for (int c = 0; c < 2; c++) {
                for (int y = 0; y < 4; y++) {
                    for (int x = 0; x < 4; x++) {
                        img[c * 16 + y * 4 + x] = c * 100 + y * 10 + x;
                    }
                }
            }
            NDArray p = t.patchify(m.create(img, new Shape(1, 2, 4, 4)));
            assertThat(p.getShape()).isEqualTo(new Shape(1, 4, 8));
            // patch 1: rows 0-1, columns 2-3, values in (row, column, channel) order
            assertThat(p.get("0, 1").toFloatArray()).containsExactly(2, 102, 3, 103, 12, 112, 13, 113);
        }
    }

    @Test
    void sineCosinePositionsMatchTheFormula() {
        // width 8: quarter 2, ω = (1, 1/100); patch (row 1, column 2) of a 3×3 grid is index 5
        float[] v = SinCosPositions.values(3, 3, 8);
        float[] expected = {(float) Math.sin(2), (float) Math.sin(0.02), (float) Math.cos(2), (float) Math.cos(0.02),
                (float) Math.sin(1), (float) Math.sin(0.01), (float) Math.cos(1), (float) Math.cos(0.01)};
        assertThat(java.util.Arrays.copyOfRange(v, 5 * 8, 6 * 8)).containsExactly(expected, within(1e-7f));
    }

    @Test
    void featuresAreTheMeanOfThePatchStatesAndPatchesMayComeInAnyOrder() {
        for (boolean learned : new boolean[] {false, true}) {
            try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice())) {
                VitEncoder e = vit(m, VisionTransformer.Pooling.MEAN, learned);
                ParameterStore store = new ParameterStore(m, false);
                NDArray x = m.create(random(2 * 64, 1), new Shape(2, 1, 8, 8));
                NDArray features = e.block().forward(store, new NDList(x), false).singletonOrThrow();
                assertThat(features.getShape()).isEqualTo(new Shape(2, 16));
                NDArray patches = e.transformer().patchify(x);
                int[] order = {15, 3, 0, 7, 12, 1, 2, 4, 5, 6, 8, 9, 10, 11, 13, 14};
                int[] ids = new int[32];
                for (int b = 0; b < 2; b++) {
                    for (int i = 0; i < 16; i++) {
                        ids[b * 16 + i] = order[i];
                    }
                }
                NDArray idx = m.create(ids, new Shape(2, 16));
                NDArray shuffled = select(patches, idx);
                NDArray states = e.encodePatches(store, shuffled, idx, false);
                assertThat(states.getShape()).isEqualTo(new Shape(2, 16, 16));
                assertThat(states.mean(new int[] {1}).toFloatArray()).containsExactly(features.toFloatArray(),
                        within(1e-5f));
                // the state of patch 15 given first equals its state in the ordered run
                NDArray ordered = e.encodePatches(store, patches, m.arange(0, 16, 1, DataType.INT32)
                        .reshape(1, 16).repeat(0, 2), false);
                assertThat(states.get("0, 0").toFloatArray()).containsExactly(ordered.get("0, 15").toFloatArray(),
                        within(1e-5f));
            }
        }
    }

    @Test
    void aSubsetOfPatchesIsEncodedWithoutTheOthers() {
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice())) {
            VitEncoder e = vit(m, VisionTransformer.Pooling.CLS, false);
            ParameterStore store = new ParameterStore(m, false);
            NDArray x = m.create(random(64, 2), new Shape(1, 1, 8, 8));
            NDArray patches = e.transformer().patchify(x);
            NDArray visible = m.create(new int[] {1, 6, 9, 14}, new Shape(1, 4));
            NDArray subset = select(patches, visible);
            NDArray states = e.encodePatches(store, subset, visible, false);
            assertThat(states.getShape()).isEqualTo(new Shape(1, 4, 16));
            // a different subset changes the states of the shared patches (attention mixes them)
            NDArray other = m.create(new int[] {1, 6, 9, 15}, new Shape(1, 4));
            NDArray states2 = e.encodePatches(store, select(patches, other), other, false);
            assertThat(states2.get("0, 0").toFloatArray()).isNotEqualTo(states.get("0, 0").toFloatArray());
            assertThat(e.block().forward(store, new NDList(x), false).singletonOrThrow().getShape())
                    .isEqualTo(new Shape(1, 16));
        }
    }

    @Test
    void gradientsReachEveryTrainableParameterButNotTheFixedPositions() {
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice())) {
            VitEncoder e = vit(m, VisionTransformer.Pooling.CLS, false);
            ParameterStore store = new ParameterStore(m, false);
            NDArray x = m.create(random(2 * 64, 3), new Shape(2, 1, 8, 8));
            try (GradientCollector gc = Engines.engine().newGradientCollector()) {
                gc.backward(e.block().forward(store, new NDList(x), true).singletonOrThrow().square().sum());
            }
            e.block().getParameters().forEach(p -> {
                if (p.getValue().requiresGradient()) {
                    assertThat(p.getValue().getArray().getGradient().abs().sum().getFloat()).as(p.getKey())
                            .isPositive();
                } else {
                    assertThat(p.getKey()).contains("positionEmbedding");
                }
            });
        }
    }

    @Test
    void providerBuildsTheDefaultForDigitsAndRefusesShapesItCannotCut() {
        EncoderProvider p = ProviderRegistry.load(EncoderProvider.class, "encoder").get("vit-tiny");
        var enc = p.create(ParamValues.defaults("encoder 'vit-tiny'", p.parameters()), new Shape(1, 28, 28));
        assertThat(enc).isInstanceOf(PatchEncoder.class);
        assertThat(((PatchEncoder) enc).patchCount()).isEqualTo(49);
        assertThat(((PatchEncoder) enc).patchValues()).isEqualTo(16);
        assertThat(enc.featureSize()).isEqualTo(128);
        assertThatThrownBy(() -> p.create(ParamValues.resolve("encoder 'vit-tiny'", p.parameters(),
                Map.of("patch-size", 5)), new Shape(1, 28, 28)))
                .isInstanceOf(PretextException.class)
                .hasMessageContaining("multiples of patch-size 5").hasMessageContaining("(1, 28, 28)");
        assertThatThrownBy(() -> p.create(ParamValues.resolve("encoder 'vit-tiny'", p.parameters(),
                Map.of("heads", 3)), new Shape(1, 28, 28)))
                .isInstanceOf(PretextException.class).hasMessageContaining("width").hasMessageContaining("heads");
    }

    @Test
    void maskTokensReplaceMaskedPatchesExactlyAndAnEmptyMaskChangesNothing() {
        for (VisionTransformer.Pooling pooling : VisionTransformer.Pooling.values()) {
            try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice())) {
                VitEncoder e = vit(m, pooling, false);
                ParameterStore store = new ParameterStore(m, false);
                float[] pixels = random(2 * 64, 3);
                NDArray patches = e.transformer().patchify(m.create(pixels, new Shape(2, 1, 8, 8)));
                NDArray token = m.create(random(16, 4), new Shape(1, 1, 16)).repeat(0, 2);
                float[] none = new float[2 * 16];
                float[] unmasked = e.encodeMasked(store, patches, m.create(none, new Shape(2, 16)), token, false)
                        .toFloatArray();
                assertThat(unmasked).containsExactly(e.encodePatches(store, patches, null, false).toFloatArray());
                // mask patches 0 and 5 of image 0 and patch 15 of image 1: their pixels no longer matter
                float[] mask = none.clone();
                mask[0] = 1;
                mask[5] = 1;
                mask[16 + 15] = 1;
                NDArray w = m.create(mask, new Shape(2, 16));
                float[] a = e.encodeMasked(store, patches, w, token, false).toFloatArray();
                float[] other = pixels.clone();
                for (int y = 0; y < 2; y++) {
                    for (int x = 0; x < 2; x++) {
                        other[y * 8 + x] += 5; // image 0, patch 0
                        other[(2 + y) * 8 + 2 + x] -= 3; // image 0, patch 5 (row 1, column 1)
                        other[64 + (6 + y) * 8 + 6 + x] *= -2; // image 1, patch 15
                    }
                }
                NDArray changed = e.transformer().patchify(m.create(other, new Shape(2, 1, 8, 8)));
                assertThat(e.encodeMasked(store, changed, w, token, false).toFloatArray()).containsExactly(a);
                assertThat(a).isNotEqualTo(unmasked);
            }
        }
    }
}
