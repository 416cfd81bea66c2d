package org.pretext.encoders.vit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pretext.encoder.Encoder;
import org.pretext.encoders.CnnEncoderProvider;
import org.pretext.encoders.MlpEncoderProvider;
import org.pretext.engine.Engines;

/**
 * Multi-crop's smaller views through the encoders that take them: the ViT with its position
 * embeddings interpolated bicubically to the smaller grid (weights against PyTorch's), the CNN
 * through its global pooling; the MLP says it cannot.
 */
class SmallerInputsTest {
    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextDouble();
        }
        return v;
    }

    /** PyTorch 1.13's F.interpolate(mode='bicubic', align_corners=False, size=g) of each basis vector. */
    @Test
    void bicubicWeightsAreTorchs() {
        double[] torch73 = {0.3148148148, 0.7962962963, -0.1111111111, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
            -0.1111111111, 0.7962962963, 0.3148148148};
        double[] torch72 = {-0.10546875, 0.87890625, 0.26171875, -0.03515625, 0, 0, 0, 0, 0, 0, -0.03515625,
            0.26171875, 0.87890625, -0.10546875};
        double[] torch42 = {0.5, 0.59375, -0.09375, 0, 0, -0.09375, 0.59375, 0.5};
        assertThat(PositionInterpolation.axis(7, 3)).containsExactly(torch73, within(1e-9));
        assertThat(PositionInterpolation.axis(7, 2)).containsExactly(torch72, within(1e-9));
        assertThat(PositionInterpolation.axis(4, 2)).containsExactly(torch42, within(1e-9));
        double[] same = PositionInterpolation.axis(5, 5);
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 5; j++) {
                assertThat(same[i * 5 + j]).isEqualTo(i == j ? 1.0 : 0.0);
            }
        }
        // the 2-D map is the Kronecker product: entry ((i, j), (r, c)) = A[i, r]·A[j, c]
        float[] m = PositionInterpolation.values(7, 7, 3, 3);
        assertThat(m).hasSize(9 * 49);
        assertThat((double) m[(0 * 3 + 1) * 49 + 1 * 7 + 3]).isCloseTo(0.7962962963 * 1.0, within(1e-7));
        assertThat((double) m[0]).isCloseTo(0.3148148148 * 0.3148148148, within(1e-7));
        assertThat((double) m[(2 * 3 + 0) * 49 + 5 * 7 + 1]).isCloseTo(0.7962962963 * 0.7962962963, within(1e-7));
        assertThat((double) m[(1 * 3 + 1) * 49 + 3 * 7 + 3]).isCloseTo(1.0, within(1e-7)); // centre cell to centre cell
    }

    @Test
    void theVitTakesSmallerImagesAndItsLearnedPositionsGetTheirGradientThroughTheInterpolation() {
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice())) {
            Engines.engine().setRandomSeed(7);
            VitEncoder e = VitEncoderProvider.create(new Shape(1, 8, 8), 2, 16, 1, 2, 2, 0f, true,
                    VisionTransformer.Pooling.CLS);
            e.block().initialize(m, DataType.FLOAT32, new Shape(2, 1, 8, 8));
            assertThat(e.acceptsInputShape(new Shape(1, 4, 4))).isTrue();
            assertThat(e.acceptsInputShape(new Shape(1, 6, 4))).isTrue();
            assertThat(e.acceptsInputShape(new Shape(1, 5, 5))).as("not a multiple of the patch").isFalse();
            assertThat(e.acceptsInputShape(new Shape(3, 4, 4))).as("other channels").isFalse();
            ParameterStore store = new ParameterStore(m, false);
            NDArray small = m.create(random(2 * 16, 3), new Shape(2, 1, 4, 4));
            NDArray out;
            try (GradientCollector gc = Engines.engine().newGradientCollector()) {
                out = e.block().forward(store, new NDList(small), true).singletonOrThrow();
                gc.backward(out.square().sum());
            }
            assertThat(out.getShape()).isEqualTo(new Shape(2, 16));
            NDArray table = e.block().getParameters().stream().filter(q -> q.getKey().contains("positionEmbedding"))
                    .findFirst().orElseThrow().getValue().getArray();
            float[] g = table.getGradient().toFloatArray();
            // the 2x2 grid's four embeddings are mixes of the 4x4 table's: every row of the table reached by
            // a non-zero bicubic weight gets a gradient (axis(4, 2) has none zero), so all 16 rows do
            for (int row = 0; row < 16; row++) {
                double norm = 0;
                for (int k = 0; k < 16; k++) {
                    norm += Math.abs(g[row * 16 + k]);
                }
                assertThat(norm).as("gradient of position row %d", row).isPositive();
            }
            // the same images at the configured size still take the table as it is
            NDArray full = m.create(random(2 * 64, 4), new Shape(2, 1, 8, 8));
            assertThat(e.block().forward(store, new NDList(full), false).singletonOrThrow().getShape())
                    .isEqualTo(new Shape(2, 16));
        }
    }

    /**
     * The matrix as an engine array maps a sine-cosine table (4x4 grid) to the 3x3 grid's
     * embeddings M·P, as worked out on the host.
     */
    @Test
    void interpolatedSinCosPositionsAreTheTableMappedByTheMatrix() {
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice())) {
            float[] p = SinCosPositions.values(4, 4, 8);
            float[] mat = PositionInterpolation.values(4, 4, 3, 3);
            float[] expected = new float[9 * 8];
            for (int i = 0; i < 9; i++) {
                for (int d = 0; d < 8; d++) {
                    double s = 0;
                    for (int j = 0; j < 16; j++) {
                        s += mat[i * 16 + j] * p[j * 8 + d];
                    }
                    expected[i * 8 + d] = (float) s;
                }
            }
            NDArray table = m.create(p, new Shape(16, 8));
            NDArray got = PositionInterpolation.matrix(m, 4, 4, 3, 3).matMul(table);
            assertThat(got.toFloatArray()).containsExactly(expected, within(1e-5f));
        }
    }

    @Test
    void theCnnTakesSmallerImagesAndTheMlpDoesNot() {
        Shape digits = new Shape(1, 28, 28);
        Encoder cnn = CnnEncoderProvider.create(digits, 4);
        Encoder mlp = MlpEncoderProvider.create(digits, List.of(16), 8, false);
        assertThat(cnn.acceptsInputShape(new Shape(1, 12, 12))).isTrue();
        assertThat(cnn.acceptsInputShape(new Shape(1, 3, 3))).isFalse();
        assertThat(mlp.acceptsInputShape(new Shape(1, 12, 12))).isFalse();
        assertThat(mlp.acceptsInputShape(digits)).isTrue();
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice())) {
            cnn.block().initialize(m, DataType.FLOAT32, new Shape(2, 1, 28, 28));
            ParameterStore store = new ParameterStore(m, false);
            NDArray small = m.create(random(3 * 144, 5), new Shape(3, 1, 12, 12));
            assertThat(cnn.block().forward(store, new NDList(small), true).singletonOrThrow().getShape())
                    .isEqualTo(new Shape(3, 16));
        }
    }
}
