package org.pretext.datasets.npy;

import ai.djl.ndarray.types.DataType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.util.Map;
import org.pretext.PretextException;
import org.pretext.data.DatasetProvider;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderRegistry;

/**
 * Issue 17, item 4: NaN or infinity in numeric data is refused when the data is opened, naming the
 * file and the first bad row and column (a NaN in .npy features used to surface as "The loss became
 * NaN at step 1 ... lower the learning rate", naming no file).
 */
class NonFiniteDataTest {
    private static void labels(Path y, int n) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = i % 2;
        }
        NpyWriter.writeInts(y, v, n);
    }

    @Test
    void nanInFloat32FeaturesIsRefusedAtOpenNamingFileRowAndColumn(@TempDir Path dir) {
        float[] x = new float[40 * 6];
        x[17 * 6 + 3] = Float.NaN;
        NpyWriter.writeFloats(dir.resolve("x.npy"), x, 40, 6);
        labels(dir.resolve("y.npy"), 40);
        assertThatThrownBy(() -> NpyDatasetProviderTest.open(dir)).isInstanceOf(PretextException.class)
                .hasMessageStartingWith("NumPy file " + dir.resolve("x.npy") + " holds NaN at row 17, column 3"
                        + " (counting from 0; the first value that is not a finite number): expected finite numbers");
    }

    @Test
    void infinityInTestImagesAndFloat64OverflowAreRefusedToo(@TempDir Path dir) {
        float[] train = new float[10 * 4 * 4];
        float[] test = new float[5 * 4 * 4];
        test[3 * 16 + 2 * 4 + 1] = Float.NEGATIVE_INFINITY;
        NpyWriter.writeFloats(dir.resolve("train_x.npy"), train, 10, 4, 4);
        NpyWriter.writeFloats(dir.resolve("test_x.npy"), test, 5, 4, 4);
        labels(dir.resolve("train_y.npy"), 10);
        labels(dir.resolve("test_y.npy"), 5);
        assertThatThrownBy(() -> NpyDatasetProviderTest.open(dir))
                .hasMessageStartingWith("NumPy file " + dir.resolve("test_x.npy") + " holds -inf at row 3, index [3, 2, 1]");

        Path f8 = dir.resolve("f8");
        try {
            Files.createDirectories(f8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (NpyWriter w = NpyWriter.create(f8.resolve("x.npy"), DataType.FLOAT64, 4, 2)) {
            byte[] b = new byte[8 * 8];
            NpyFile.littleEndian(b).putDouble(8 * 5, 1e300); // finite in float64, infinite in float32
            w.writeBytes(b, 0, b.length);
        }
        labels(f8.resolve("y.npy"), 4);
        assertThatThrownBy(() -> NpyDatasetProviderTest.open(f8))
                .hasMessageContaining("holds 1.0E300 (too large for float32) at row 2, column 1");
    }

    @Test
    void csvCellsBeyondFloat32AreRefusedLikeNan(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("t.csv");
        Files.writeString(csv, "a,b,label\n1,2,x\n3,1e39,y\n4,nan,x\n");
        DatasetProvider p = ProviderRegistry.load(DatasetProvider.class, "dataset").get("csv");
        assertThatThrownBy(() -> p.open(ParamValues.resolve("dataset 'csv'", p.parameters(),
                Map.of("path", csv.toString()))))
                .isInstanceOf(PretextException.class)
                .hasMessageContaining("CSV file " + csv + ", line 3, column 2 ('b'): '1e39' is not a finite number in float32");
    }
}
