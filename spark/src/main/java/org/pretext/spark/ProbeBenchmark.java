package org.pretext.spark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.pretext.encoder.Features;
import org.pretext.probe.ProbeOptions;
import org.pretext.probe.ProbeResult;
import org.pretext.probe.ProbeSuite;

/**
 * The probe on MLlib against the local probe on the same features, in one JVM: the Parquet features
 * (id, label, features, as {@code embed} writes them) are collected into matrices for the local
 * {@link ProbeSuite} and read by {@link SparkProbe} as they are, with the same options; each side's
 * wall time and accuracies are kept.
 */
final class ProbeBenchmark {
    /** What one comparison measured (times in seconds). */
    record Result(String master, int trainRows, int testRows, int featureSize, double localSeconds,
            double sparkSeconds, List<ProbeResult> local, List<ProbeResult> spark) {
        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("master", master);
            m.put("trainRows", trainRows);
            m.put("testRows", testRows);
            m.put("featureSize", featureSize);
            m.put("localSeconds", localSeconds);
            m.put("sparkSeconds", sparkSeconds);
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int i = 0; i < local.size(); i++) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("probe", local.get(i).probe());
                r.put("labelsPerClass", local.get(i).labelsPerClass() == null ? "all" : local.get(i).labelsPerClass());
                r.put("localAccuracy", local.get(i).accuracy());
                r.put("sparkAccuracy", spark.get(i).accuracy());
                rows.add(r);
            }
            m.put("results", rows);
            return m;
        }
    }

    private ProbeBenchmark() {}

    static Result run(ProbeOptions options, Dataset<Row> train, Dataset<Row> test, java.io.PrintStream log) {
        Features.Matrix a = matrix(train, "training");
        Features.Matrix b = matrix(test, "test");
        log.printf(java.util.Locale.ROOT, "%d training and %d test rows of %d features collected%n", a.rows(),
                b.rows(), a.cols());
        long t0 = System.nanoTime();
        List<ProbeResult> local = new ProbeSuite(options).run("features", a, b);
        double localSeconds = (System.nanoTime() - t0) / 1e9;
        log.printf(java.util.Locale.ROOT, "local probe: %.1f s%n", localSeconds);
        long t1 = System.nanoTime();
        List<ProbeResult> spark = new SparkProbe(options).run("features", train, test, null);
        double sparkSeconds = (System.nanoTime() - t1) / 1e9;
        log.printf(java.util.Locale.ROOT, "MLlib probe: %.1f s%n", sparkSeconds);
        return new Result(train.sparkSession().sparkContext().master(), a.rows(), b.rows(), a.cols(), localSeconds,
                sparkSeconds, local, spark);
    }

    /** The rows of a features frame in id order, as a matrix (classes: the largest label + 1). */
    static Features.Matrix matrix(Dataset<Row> frame, String which) {
        List<Row> rows = frame.select(SparkEmbedder.ID, SparkEmbedder.LABEL, SparkEmbedder.FEATURES)
                .orderBy(SparkEmbedder.ID).collectAsList();
        if (rows.isEmpty()) {
            throw new org.pretext.PretextException("The " + which + " features hold no rows");
        }
        int d = ((Vector) rows.get(0).get(2)).size();
        float[] v = new float[rows.size() * d];
        int[] labels = new int[rows.size()];
        int classes = 0;
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            if (r.isNullAt(1)) {
                throw new org.pretext.PretextException("The " + which + " features' row " + r.get(0) + " has no label");
            }
            labels[i] = r.getInt(1);
            classes = Math.max(classes, labels[i] + 1);
            Vector x = (Vector) r.get(2);
            for (int j = 0; j < d; j++) {
                v[i * d + j] = (float) x.apply(j);
            }
        }
        return new Features.Matrix(v, rows.size(), d, labels, classes);
    }
}
