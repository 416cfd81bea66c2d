package org.pretext.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pretext.data.Dataset;
import org.pretext.data.IndexedSplit;
import org.pretext.param.ParamException;
import org.pretext.param.ParamValues;

class SyntheticDatasetProviderTest {

    @Test
    void withoutNuisanceCoordinatesTheDataIsUnchanged() {
        Dataset a = SyntheticDatasetProvider.generate(5, 8, 4.0, 1.0, 50, 20, 3);
        Dataset b = SyntheticDatasetProvider.generate(5, 8, 4.0, 1.0, 50, 20, 3, 0, 7.0);
        assertThat(((IndexedSplit) b.train().orElseThrow()).floatData())
                .containsExactly(((IndexedSplit) a.train().orElseThrow()).floatData());
        assertThat(b.train().orElseThrow().labels()).containsExactly(a.train().orElseThrow().labels());
    }

    @Test
    void nuisanceCoordinatesArePureNoiseOfTheStatedDeviationAtTheEndOfEachHalf() {
        // d = 20, halves of 10: coordinates 6-9 and 16-19 are nuisance (m = 4) with τ = 3
        int n = 20_000;
        Dataset data = SyntheticDatasetProvider.generate(4, 20, 6.0, 1.0, n, 10, 5, 4, 3.0);
        IndexedSplit train = (IndexedSplit) data.train().orElseThrow();
        float[] x = train.floatData();
        int[] y = train.labels();
        double[][] classMean = new double[4][20];
        int[] count = new int[4];
        double[] sq = new double[20];
        for (int i = 0; i < n; i++) {
            count[y[i]]++;
            for (int j = 0; j < 20; j++) {
                classMean[y[i]][j] += x[i * 20 + j];
                sq[j] += x[i * 20 + j] * (double) x[i * 20 + j];
            }
        }
        for (int j = 0; j < 20; j++) {
            boolean nuisance = j % 10 >= 6;
            double spread = 0;
            for (int c = 0; c < 4; c++) {
                classMean[c][j] /= count[c];
                spread = Math.max(spread, Math.abs(classMean[c][j]));
            }
            if (nuisance) {
                // class means of N(0, 9) over ~5,000 draws: sd 0.042; 5 sd
                assertThat(spread).as("class means of nuisance coordinate %d", j).isLessThan(0.21);
                // sample deviation: sd 3/sqrt(2·20000) = 0.015; 5 sd
                assertThat(Math.sqrt(sq[j] / n)).as("deviation of nuisance coordinate %d", j)
                        .isCloseTo(3.0, within(0.075));
            }
        }
        // informative coordinates: centres spread with s = 6 over 6 coordinates, sd 6/sqrt(12) = 1.73
        double informativeSpread = 0;
        for (int j = 0; j < 6; j++) {
            for (int c = 0; c < 4; c++) {
                informativeSpread = Math.max(informativeSpread, Math.abs(classMean[c][j]));
            }
        }
        assertThat(informativeSpread).isGreaterThan(1.0);
        assertThat(data.provenance()).containsEntry("nuisanceDims", "4").containsEntry("nuisanceNoise", "3.0");
    }

    @Test
    void tooManyNuisanceCoordinatesAreRefusedNamingTheKey() {
        SyntheticDatasetProvider p = new SyntheticDatasetProvider();
        assertThatThrownBy(() -> p.open(ParamValues.resolve("dataset 'synthetic'", p.parameters(),
                Map.of("dim", 20, "nuisance-dims", 10))))
                .isInstanceOf(ParamException.class)
                .hasMessageContaining("nuisance-dims").hasMessageContaining("fewer than dim/2 = 10");
    }
}
