package org.pretext.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pretext.engine.Engines;

/**
 * Standardisation of a matrix larger than one block of rows (done block by block, so that SST-2's
 * 67,349 × 2,048 bag-of-words features need no float64 copies of the whole matrix) gives
 * scikit-learn's StandardScaler numbers, worked out here in Java doubles, and frees its blocks.
 */
class StandardizerTest {
    @Test
    void aMatrixOfSeveralBlocksIsStandardisedAsAWhole() {
        Engines.engine();
        int d = 2048;
        int n = (int) (2.5 * Standardizer.BLOCK_VALUES / d); // three blocks, the last one half full
        float[] v = new float[n * d];
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < v.length; i++) {
            int col = i % d;
            v[i] = col == 3 ? 5f : (float) (100 + col + (1 + col % 5) * r.nextGaussian()); // column 3 constant
        }
        double[] mean = new double[d];
        double[] sd = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                mean[j] += v[i * d + j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double e = v[i * d + j] - mean[j];
                sd[j] += e * e;
            }
        }
        for (int j = 0; j < d; j++) {
            sd[j] = sd[j] == 0 ? 1 : Math.sqrt(sd[j] / n);
        }
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray x = m.create(v, new Shape(n, d));
            BaseNDManager base = (BaseNDManager) m;
            int before = base.getManagedArrays().size();
            Standardizer s = Standardizer.fit(x);
            for (int j = 0; j < d; j++) {
                assertThat(s.mean()[j]).as("mean of column %d", j).isCloseTo(mean[j], within(1e-9 * Math.abs(mean[j])));
                assertThat(s.scale()[j]).as("scale of column %d", j).isCloseTo(sd[j], within(1e-9 * sd[j]));
            }
            assertThat(s.scale()[3]).as("a constant column keeps scale 1").isEqualTo(1.0);
            assertThat(base.getManagedArrays().size()).as("arrays left after fitting").isEqualTo(before);

            try (NDManager out = m.newSubManager()) {
                float[] z = s.apply(out, x, DataType.FLOAT32).toFloatArray();
                assertThat(base.getManagedArrays().size()).as("arrays left after applying").isEqualTo(before + 1);
                for (int i = 0; i < n; i += 97) { // every 97th row, across all three blocks
                    for (int j = 0; j < d; j++) {
                        float expected = (float) ((v[i * d + j] - s.mean()[j]) / s.scale()[j]);
                        assertThat(z[i * d + j]).as("row %d column %d", i, j).isEqualTo(expected);
                    }
                }
                assertThat(z[(n - 1) * d + 5]).isEqualTo((float) ((v[(n - 1) * d + 5] - s.mean()[5]) / s.scale()[5]));
            }
        }
    }
}
