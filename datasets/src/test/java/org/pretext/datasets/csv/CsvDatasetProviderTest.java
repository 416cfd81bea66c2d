package org.pretext.datasets.csv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.PretextException;
import org.pretext.data.Dataset;
import org.pretext.data.DatasetProvider;
import org.pretext.data.Split;
import org.pretext.datasets.testing.Batches;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderRegistry;

class CsvDatasetProviderTest {
    private static Dataset open(Map<String, Object> raw) {
        DatasetProvider p = ProviderRegistry.load(DatasetProvider.class, "dataset").get("csv");
        return p.open(ParamValues.resolve("dataset 'csv'", p.parameters(), raw));
    }

    private static Dataset open(Path path, String... kv) {
        Map<String, Object> raw = new HashMap<>();
        raw.put("path", path.toString());
        for (int i = 0; i < kv.length; i += 2) {
            raw.put(kv[i], kv[i + 1]);
        }
        return open(raw);
    }

    /** 30 rows: id, two features, a word label (10 per class); feature a = row, b = row / 10. */
    private static Path iris(Path dir, String name) throws IOException {
        StringBuilder sb = new StringBuilder("id,a,b,species\n");
        String[] names = {"setosa", "versicolor", "virginica"};
        for (int i = 0; i < 30; i++) {
            sb.append(100 + i).append(',').append(i).append(",\"").append(i / 10.0).append("\",")
                    .append(names[i % 3]).append('\n');
        }
        Path f = dir.resolve(name);
        Files.writeString(f, sb.toString());
        return f;
    }

    @Test
    void headerLabelByNameWordClassesAndStratifiedSplit(@TempDir Path dir) throws IOException {
        Dataset d = open(iris(dir, "iris.csv"), "drop-columns", "id");
        Split train = d.train().orElseThrow();
        Split test = d.test().orElseThrow();
        assertThat(train.exampleShape()).isEqualTo(new Shape(2));
        assertThat(train.classNames()).containsExactly("setosa", "versicolor", "virginica");
        // 10 per class, test-fraction 0.2: 2 of each class held out
        assertThat(test.size()).isEqualTo(6);
        assertThat(train.size()).isEqualTo(24);
        int[] perClass = new int[3];
        for (int y : test.labels()) {
            perClass[y]++;
        }
        assertThat(perClass).containsExactly(2, 2, 2);
        // every example keeps its label: row i has a = i and class i mod 3
        float[] x = Batches.values(test);
        int[] y = test.labels();
        for (int i = 0; i < y.length; i++) {
            int row = (int) x[2 * i];
            assertThat(y[i]).isEqualTo(row % 3);
            assertThat(x[2 * i + 1]).isEqualTo(row / 10f);
        }
        assertThat(d.pretrain().hasLabels()).isFalse();
        assertThat(d.pretrain().size()).isEqualTo(24);
        assertThat(d.provenance()).containsEntry("labelColumn", "species").containsKey("iris.csv");
    }

    @Test
    void splitDependsOnSplitSeedOnly(@TempDir Path dir) throws IOException {
        Path f = iris(dir, "iris.csv");
        float[] a = Batches.values(open(f, "drop-columns", "id").test().orElseThrow());
        float[] b = Batches.values(open(f, "drop-columns", "id").test().orElseThrow());
        float[] c = Batches.values(open(f, "drop-columns", "id", "split-seed", "3").test().orElseThrow());
        assertThat(b).containsExactly(a);
        assertThat(Arrays.equals(a, c)).isFalse();
    }

    @Test
    void noHeaderLastColumnNumericLabelsAndTrainTestFiles(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("train.csv"), "0.5;1.5;1\n2.5;3.5;0\n4;5;1\n");
        Files.writeString(dir.resolve("test.csv"), "6;7;0\r\n8;9;2\r\n");
        Dataset d = open(dir);
        Split train = d.train().orElseThrow();
        assertThat(train.classNames()).containsExactly("0", "1", "2");
        assertThat(train.labels()).containsExactly(1, 0, 1);
        assertThat(Batches.values(train)).containsExactly(0.5f, 1.5f, 2.5f, 3.5f, 4f, 5f);
        assertThat(d.test().orElseThrow().labels()).containsExactly(0, 2);
        assertThat(Batches.values(d.test().orElseThrow())).containsExactly(6f, 7f, 8f, 9f);
        assertThat(d.provenance().get("split")).contains("own train and test");
    }

    @Test
    void labelColumnByIndexAndUnlabelled(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("t.csv");
        Files.writeString(f, "label,x1,x2\n1,0.1,0.2\n0,0.3,0.4\n1,0.5,0.6\n0,0.7,0.8\n");
        Dataset byName = open(f);
        assertThat(byName.train().orElseThrow().exampleShape()).isEqualTo(new Shape(2));
        Dataset byIndex = open(f, "label-column", "0");
        assertThat(byIndex.provenance()).containsEntry("labelColumn", "label");
        Dataset none = open(f, "label-column", "none");
        assertThat(none.train()).isEmpty();
        assertThat(none.pretrain().exampleShape()).isEqualTo(new Shape(3));
        assertThat(none.pretrain().size()).isEqualTo(4);
    }

    @Test
    void nonNumericCellNamesFileLineAndColumn(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.csv");
        Files.writeString(f, "a,b,label\n1,2,x\n3,oops,y\n");
        assertThatThrownBy(() -> open(f)).isInstanceOf(PretextException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("line 3")
                .hasMessageContaining("column 2 ('b')").hasMessageContaining("'oops' is not a finite number");
        Path g = dir.resolve("empty-cell.csv");
        Files.writeString(g, "1,2,0\n3,,1\n");
        assertThatThrownBy(() -> open(g)).hasMessageContaining("empty-cell.csv").hasMessageContaining("line 2")
                .hasMessageContaining("column 2").hasMessageContaining("empty");
        Path h = dir.resolve("ragged.csv");
        Files.writeString(h, "a,b,label\n1,2,0\n3,4\n");
        assertThatThrownBy(() -> open(h)).hasMessageContaining("ragged.csv").hasMessageContaining("line 3")
                .hasMessageContaining("2 fields: expected 3");
        Path k = dir.resolve("nolabel.csv");
        Files.writeString(k, "a,b,label\n1,2,0\n");
        assertThatThrownBy(() -> open(k, "label-column", "kind")).hasMessageContaining("nolabel.csv")
                .hasMessageContaining("no column named 'kind'").hasMessageContaining("[a, b, label]");
        Path latin = dir.resolve("latin1.csv");
        Files.write(latin, "caf\u00e9,b\n1,2\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> open(latin)).hasMessageContaining("latin1.csv").hasMessageContaining("not UTF-8");
    }

    @Test
    void diskStorageGivesTheSameExamples(@TempDir Path dir) throws IOException {
        Path f = iris(dir, "iris.csv");
        Dataset mem = open(f, "drop-columns", "id");
        Dataset disk = open(Map.of("path", f.toString(), "drop-columns", "id", "storage", "disk",
                "cache-dir", dir.resolve("cache").toString()));
        assertThat(disk.provenance()).containsEntry("storage", "disk");
        assertThat(Batches.values(disk.train().orElseThrow())).containsExactly(Batches.values(mem.train().orElseThrow()));
        assertThat(disk.test().orElseThrow().labels()).containsExactly(mem.test().orElseThrow().labels());
        // the cache is found again
        Dataset again = open(Map.of("path", f.toString(), "drop-columns", "id", "storage", "disk",
                "cache-dir", dir.resolve("cache").toString()));
        assertThat(Batches.values(again.test().orElseThrow())).containsExactly(Batches.values(mem.test().orElseThrow()));
        assertThat(List.of(dir.resolve("cache").toFile().list())).hasSize(1);
    }
}
