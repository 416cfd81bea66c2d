package org.pretext.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.pretext.PretextException;
import org.pretext.encoder.Features;
import org.pretext.probe.LabelBudget;
import org.pretext.probe.LabelDraws;
import org.pretext.probe.NamedProbe;
import org.pretext.probe.ProbeOptions;
import org.pretext.probe.ProbeResult;
import org.pretext.probe.ProbeSuite;

/**
 * The probe on MLlib against the local probe on the same features: scikit-learn's 8×8 digits (1,797
 * images, 64 pixel features), split half and half by a stratified seeded draw.
 */
class SparkProbeTest {
    @Test
    void mllibProbeMatchesTheLocalProbeAtEveryBudget() throws Exception {
        Path data = TestSpark.sharedData();
        assumeThat(data != null && Files.exists(data.resolve("sklearn-digits/digits.csv.gz")))
                .as("skipped: ../shared/data/sklearn-digits/digits.csv.gz (scikit-learn's digits) is absent").isTrue();
        List<float[]> x = new ArrayList<>();
        List<Integer> y = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                Files.newInputStream(data.resolve("sklearn-digits/digits.csv.gz"))), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null;) {
                String[] f = line.split(",");
                float[] v = new float[f.length - 1];
                for (int i = 0; i < v.length; i++) {
                    v[i] = Float.parseFloat(f[i]);
                }
                x.add(v);
                y.add(Integer.parseInt(f[f.length - 1].trim()));
            }
        }
        int[] labels = y.stream().mapToInt(Integer::intValue).toArray();
        int[] all = new int[labels.length];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        int[][] split = LabelDraws.holdOut(all, labels, 10, 0.5, 1234);
        Features.Matrix train = matrix(x, labels, split[0]);
        Features.Matrix test = matrix(x, labels, split[1]);
        assertThat(x).hasSize(1797);

        // 5 per class: 3-fold cross-validation; all labels (898 rows): one held-out split. Two values of C
        // (the draws at 5 per class still choose different ones): every MLlib fit is some 40 L-BFGS
        // iterations, each a Spark job (~40 ms in local mode here, mostly Spark's closure cleaning and task
        // set-up), so the 17 fits with their scoring took 48-65 s here against 0.3 s for the local probe
        NamedProbe logistic = NamedProbe.of(new org.pretext.probe.LogisticProbeProvider(), java.util.Map.of("c-grid",
                "0.1,10", "folds", 3, "cross-validation-max-rows", 200));
        ProbeOptions options = ProbeOptions.defaults(ai.djl.Device.cpu()).withProbes(List.of(logistic,
                NamedProbe.builtIn("mean"))).withBudgets(List.of(LabelBudget.of(5), LabelBudget.all())).withDraws(2)
                .withSeed(7);
        long t0 = System.nanoTime();
        List<ProbeResult> local = new ProbeSuite(options).run("digits", train, test);
        long t1 = System.nanoTime();
        SparkSession spark = TestSpark.local();
        List<ProbeResult> onSpark = new SparkProbe(options).run("digits", frame(spark, train).repartition(2),
                frame(spark, test).repartition(2), null);
        long t2 = System.nanoTime();
        System.out.printf("local probe %.1f s, MLlib probe %.1f s%n", (t1 - t0) / 1e9, (t2 - t1) / 1e9);

        assertThat(onSpark).hasSameSizeAs(local);
        for (int i = 0; i < local.size(); i++) {
            ProbeResult a = local.get(i);
            ProbeResult b = onSpark.get(i);
            System.out.printf("%s at %s: local %.4f ± %.4f (l2 %s), MLlib %.4f ± %.4f (l2 %s)%n", a.probe(),
                    a.labelsPerClass() == null ? "all" : a.labelsPerClass(), a.accuracy(), a.accuracyStd(),
                    java.util.Arrays.toString(a.drawL2()), b.accuracy(), b.accuracyStd(),
                    java.util.Arrays.toString(b.drawL2()));
            assertThat(b.probe()).isEqualTo(a.probe());
            assertThat(b.labelsPerClass()).isEqualTo(a.labelsPerClass());
            assertThat(b.drawSeeds()).containsExactly(a.drawSeeds());
            assertThat(b.trainExamples()).isEqualTo(a.trainExamples());
            assertThat(b.testExamples()).isEqualTo(a.testExamples());
            assertThat(b.accuracy()).as("%s at %s", a.probe(), a.labelsPerClass())
                    .isCloseTo(a.accuracy(), org.assertj.core.api.Assertions.within(0.003));
            if (a.probe().equals("logistic")) {
                assertThat(b.drawL2()).as("C chosen in each draw").containsExactly(a.drawL2());
                assertThat(b.l2Selection()).isEqualTo(a.l2Selection());
            }
        }
    }

    @Test
    void knnIsRefusedWithWhereToRunIt() {
        assertThatThrownBy(() -> new SparkProbe(ProbeOptions.defaults(ai.djl.Device.cpu())))
                .isInstanceOf(PretextException.class).hasMessageContaining("kNN probe is not run on Spark");
    }

    @Test
    void regParamMakesMllibsObjectiveTheLocalOne() {
        // n·[(1/n)·Σloss + ½·r·Σ(β·s)²] with s² = σ²·n/(n−1) equals Σloss + ½·Σ(β·σ)²/C
        long n = 100;
        double c = 0.5;
        double r = SparkProbe.regParam(c, n);
        assertThat(n * r * n / (n - 1.0)).isCloseTo(1 / c, org.assertj.core.api.Assertions.within(1e-12));
    }

    private static Features.Matrix matrix(List<float[]> x, int[] labels, int[] rows) {
        int d = x.get(0).length;
        float[] v = new float[rows.length * d];
        int[] l = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(x.get(rows[i]), 0, v, i * d, d);
            l[i] = labels[rows[i]];
        }
        return new Features.Matrix(v, rows.length, d, l, 10);
    }

    static Dataset<Row> frame(SparkSession spark, Features.Matrix m) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < m.rows(); i++) {
            double[] v = new double[m.cols()];
            for (int j = 0; j < v.length; j++) {
                v[j] = m.get(i, j);
            }
            rows.add(RowFactory.create((long) i, m.labels()[i], Vectors.dense(v)));
        }
        StructType schema = new StructType().add("id", DataTypes.LongType).add("label", DataTypes.IntegerType)
                .add("features", SQLDataTypes.VectorType());
        return spark.createDataFrame(rows, schema);
    }
}
