package org.pretext.spark;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.Normalizer;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.stat.Summarizer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apiguardian.api.API;
import org.pretext.PretextException;
import org.pretext.Seeds;
import org.pretext.probe.Accuracy;
import org.pretext.probe.LabelBudget;
import org.pretext.probe.LabelDraws;
import org.pretext.probe.LogisticOptions;
import org.pretext.probe.LogisticProbe;
import org.pretext.probe.NamedProbe;
import org.pretext.probe.ProbeOptions;
import org.pretext.probe.ProbeResult;
import org.pretext.probe.ProbeSuite;

/**
 * Pretext's frozen-feature protocol on Spark MLlib, for feature DataFrames of columns
 * {@value SparkEmbedder#ID}, {@value SparkEmbedder#LABEL}, {@value SparkEmbedder#FEATURES} (what
 * {@link SparkEmbedder} writes). It answers what {@link ProbeSuite} answers locally, with the same
 * {@link ProbeOptions}, in the same {@link ProbeResult} entries:
 *
 * <ul>
 *   <li><b>Label budgets.</b> Training rows are ordered by id; k per class are drawn with
 *       {@link LabelDraws#perClass} under the recorded draw seed {@link LabelDraws#drawSeed} on the
 *       driver from the label column (4 bytes a row on the driver), so every draw labels exactly the
 *       rows the local probe labels for the same seed; the chosen rows are broadcast and the
 *       features never leave the executors. "all" uses every row once.
 *   <li><b>Logistic</b>: MLlib's {@link LogisticRegression}, multinomial, L2 only, standardisation on,
 *       intercepts unpenalised. C is chosen on the training labels only, exactly as
 *       {@link LogisticProbe} does (same grid, same stratified folds or held-out split from the same
 *       seeds, best validation accuracy, ties to the lower validation log-loss, patience), then the
 *       model is refitted on every labelled row and scored on the test split. C maps to MLlib's
 *       {@code regParam} as {@code (n − 1) / (C · n²)} for a fit on n rows: MLlib minimises
 *       mean log-loss + regParam · ½‖W‖² over features scaled by their sample standard deviation
 *       (n − 1), the local probe (scikit-learn's objective) summed log-loss + ½‖W‖²/C over features
 *       scaled by the population one; with that regParam both minimise the same function
 *       (regParam = 1/(C·n) would be the plain mean-loss mapping).
 *   <li><b>Mean classifier</b>: one aggregation (the sum of the L2-normalised features of each class),
 *       normalised on the driver; each test row goes to the class mean of highest cosine similarity.
 *   <li><b>kNN is not run on Spark</b>: an exact kNN over millions of rows is a cross join, and an
 *       approximate one (LSH) would not give the local probe's answer; run it on the driver with the
 *       local probe on collected features ({@code pretext probe --features ...}) where they fit.
 * </ul>
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class SparkProbe {
    private static final String ROW = "__row";
    private static final String CODE = "__code";
    private final ProbeOptions options;
    private final int maxIterations;
    private final double tolerance;

    /**
     * @param options budgets, draws, seed, probes (logistic and mean) and the logistic settings, as locally
     * @throws PretextException when the probes include kNN
     */
    public SparkProbe(ProbeOptions options) {
        this(options, 1000, 1e-6);
    }

    /**
     * @param maxIterations MLlib's {@code maxIter} for each fit
     * @param tolerance MLlib's {@code tol} (relative change of the loss between L-BFGS iterations); 1e-6,
     *     MLlib's default, gave the local probe's test accuracy and C in every draw on the digits test
     */
    public SparkProbe(ProbeOptions options, int maxIterations, double tolerance) {
        for (NamedProbe p : options.probes()) {
            if (p.name().equals("knn")) {
                throw new PretextException("The kNN probe is not run on Spark (an exact kNN is a cross join of train and"
                        + " test): use --probes logistic,mean, and the local probe (pretext probe --features ...) for"
                        + " kNN");
            }
            if (!(p.name().equals("logistic") && p.probe() instanceof LogisticProbe)
                    && !(p.name().equals("mean") && p.probe() instanceof org.pretext.probe.MeanClassifier)) {
                throw new PretextException("The probe '" + p.name() + "' has no Spark implementation: Spark runs"
                        + " logistic and mean; run the others locally (pretext probe --features ...)");
            }
        }
        this.options = options;
        this.maxIterations = maxIterations;
        this.tolerance = tolerance;
    }

    /**
     * Evaluates one feature set.
     *
     * @param featuresName the report's name for it, e.g. "pretrained"
     * @param train labelled training features ({@code id}, {@code label}, {@code features})
     * @param test labelled test features
     * @param classNames class names for messages, or null
     * @return one entry per budget and probe, in the local suite's order
     */
    public List<ProbeResult> run(String featuresName, Dataset<Row> train, Dataset<Row> test, List<String> classNames) {
        SparkSession spark = train.sparkSession();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Dataset<Row> indexed = index(train).persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> testSet = test.select(col(SparkEmbedder.LABEL), col(SparkEmbedder.FEATURES))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            int[] labels = labelsInOrder(indexed);
            Row testStats = testSet.agg(org.apache.spark.sql.functions.count("*"),
                    org.apache.spark.sql.functions.max(SparkEmbedder.LABEL),
                    org.apache.spark.sql.functions.min(SparkEmbedder.LABEL),
                    org.apache.spark.sql.functions.count(SparkEmbedder.LABEL)).first();
            int testRows = Math.toIntExact(testStats.getLong(0));
            if (testRows == 0 || testStats.getLong(3) != testRows) {
                throw new PretextException("The test features of '" + featuresName + "' hold " + (testRows == 0
                        ? "no rows" : (testRows - testStats.getLong(3)) + " rows without a label")
                        + ": the probe needs a label in every test row");
            }
            if (testStats.getInt(2) < 0) {
                throw new PretextException("Test label " + testStats.getInt(2) + " of '" + featuresName
                        + "' is negative: expected class indices 0, 1, ...");
            }
            int numClasses = Math.max(testStats.getInt(1), java.util.Arrays.stream(labels).max().orElse(0)) + 1;
            ProbeSuite.requireTwoClasses("'" + featuresName + "'", labels, classNames);
            Dataset<Row> testLabelled = withClasses(testSet, numClasses).persist(StorageLevel.MEMORY_AND_DISK());
            List<ProbeResult> results = new ArrayList<>();
            for (LabelBudget budget : options.budgets()) {
                int draws = budget.isAll() ? 1 : options.draws();
                Map<NamedProbe, double[]> accuracy = new LinkedHashMap<>();
                Map<NamedProbe, Long> nanos = new LinkedHashMap<>();
                double[] l2 = new double[draws];
                String selection = null;
                long[] seeds = new long[draws];
                int labelled = 0;
                for (NamedProbe kind : options.probes()) {
                    accuracy.put(kind, new double[draws]);
                    nanos.put(kind, 0L);
                }
                for (int d = 0; d < draws; d++) {
                    long seed = LabelDraws.drawSeed(options.seed(), budget, d);
                    seeds[d] = seed;
                    int[] rows = budget.isAll() ? range(labels.length)
                            : LabelDraws.perClass(labels, numClasses, budget.perClass(), seed,
                                    "the training split of '" + featuresName + "'", classNames);
                    labelled = rows.length;
                    int[] subsetLabels = new int[rows.length];
                    for (int i = 0; i < rows.length; i++) {
                        subsetLabels[i] = labels[rows[i]];
                    }
                    for (NamedProbe kind : options.probes()) {
                        long t0 = System.nanoTime();
                        if (kind.name().equals("logistic")) {
                            Outcome o = logistic(jsc, indexed, labels.length, rows, subsetLabels, numClasses, seed,
                                    testLabelled);
                            accuracy.get(kind)[d] = o.testAccuracy;
                            l2[d] = 1.0 / o.c;
                            selection = o.selection;
                        } else {
                            accuracy.get(kind)[d] = meanClassifier(jsc, indexed, labels.length, rows, numClasses,
                                    testLabelled);
                        }
                        nanos.merge(kind, System.nanoTime() - t0, Long::sum);
                    }
                }
                for (NamedProbe kind : options.probes()) {
                    double[] a = accuracy.get(kind);
                    boolean isLogistic = kind.name().equals("logistic");
                    results.add(new ProbeResult(featuresName, kind.name(), budget.perClass(), Accuracy.mean(a),
                            Accuracy.std(a), draws, a.clone(), seeds.clone(), labelled, testRows,
                            isLogistic ? ProbeSuite.mostFrequentL2(l2) : null, isLogistic ? l2.clone() : null,
                            isLogistic ? selection : null, kind.settings(), nanos.get(kind) / 1e9));
                }
            }
            testLabelled.unpersist();
            return results;
        } finally {
            indexed.unpersist();
            testSet.unpersist();
        }
    }

    /** The MLlib regParam that makes MLlib's objective on n rows the local probe's objective at C. */
    public static double regParam(double c, long n) {
        return (n - 1.0) / (c * (double) n * n);
    }

    /** Training rows ordered by id, numbered 0, 1, ... in column {@value #ROW}. */
    private static Dataset<Row> index(Dataset<Row> train) {
        for (String c : List.of(SparkEmbedder.ID, SparkEmbedder.LABEL, SparkEmbedder.FEATURES)) {
            if (!List.of(train.columns()).contains(c)) {
                throw new PretextException("The training features have no '" + c + "' column (columns: "
                        + String.join(", ", train.columns()) + "): expected id, label, features as the embed command"
                        + " writes them");
            }
        }
        Dataset<Row> ordered = train.select(SparkEmbedder.ID, SparkEmbedder.LABEL, SparkEmbedder.FEATURES)
                .orderBy(SparkEmbedder.ID);
        StructType schema = new StructType().add(ROW, DataTypes.LongType, false)
                .add(SparkEmbedder.LABEL, DataTypes.IntegerType, true)
                .add(SparkEmbedder.FEATURES, org.apache.spark.ml.linalg.SQLDataTypes.VectorType(), false);
        return train.sparkSession().createDataFrame(ordered.javaRDD().zipWithIndex()
                .map(t -> RowFactory.create(t._2(), t._1().isNullAt(1) ? null : t._1().getInt(1), t._1().get(2))),
                schema);
    }

    private static int[] labelsInOrder(Dataset<Row> indexed) {
        List<Row> rows = indexed.select(ROW, SparkEmbedder.LABEL).collectAsList();
        int[] labels = new int[rows.size()];
        for (Row r : rows) {
            int i = Math.toIntExact(r.getLong(0));
            if (r.isNullAt(1)) {
                throw new PretextException("Training row " + i + " (in id order) has no label: the probe needs a"
                        + " label in every training row");
            }
            if (r.getInt(1) < 0) {
                throw new PretextException("Training label " + r.getInt(1) + " of row " + i
                        + " is negative: expected class indices 0, 1, ...");
            }
            labels[i] = r.getInt(1);
        }
        return labels;
    }

    /** The label column as a double with nominal metadata of numClasses values, as MLlib wants it. */
    private static Dataset<Row> withClasses(Dataset<Row> df, int numClasses) {
        return df.withColumn(SparkEmbedder.LABEL, col(SparkEmbedder.LABEL).cast(DataTypes.DoubleType).as(
                SparkEmbedder.LABEL, NominalAttribute.defaultAttr().withName(SparkEmbedder.LABEL)
                        .withNumValues(numClasses).toMetadata()));
    }

    /**
     * The training rows whose code (by row) is ≥ 0, with the code in column {@value #CODE}; codes are
     * broadcast once per call.
     */
    private static Dataset<Row> coded(JavaSparkContext jsc, Dataset<Row> indexed, int[] codes, int numClasses) {
        Broadcast<int[]> b = jsc.broadcast(codes);
        UserDefinedFunction code = org.apache.spark.sql.functions.udf(
                (UDF1<Long, Integer>) r -> b.value()[Math.toIntExact(r)], DataTypes.IntegerType);
        return withClasses(indexed.withColumn(CODE, code.apply(col(ROW))).filter(col(CODE).geq(0)), numClasses);
    }

    private record Outcome(double c, String selection, double testAccuracy) {}

    /** The settings of the suite's logistic probe (the defaults when it has none). */
    private LogisticOptions logisticOptions() {
        for (NamedProbe p : options.probes()) {
            if (p.probe() instanceof LogisticProbe l) {
                return l.options();
            }
        }
        return LogisticOptions.defaults();
    }

    /** {@link LogisticProbe#run}'s choice of C, refit and test score, with MLlib fits. */
    private Outcome logistic(JavaSparkContext jsc, Dataset<Row> indexed, int n, int[] rows, int[] labels, int numClasses,
            long seed, Dataset<Row> test) {
        LogisticOptions lo = logisticOptions();
        int smallest = Integer.MAX_VALUE;
        for (int count : LabelDraws.classCounts(labels, numClasses)) {
            if (count > 0) {
                smallest = Math.min(smallest, count);
            }
        }
        double c;
        String selection;
        int[] codes = new int[n];
        java.util.Arrays.fill(codes, -1);
        if (smallest < 2) {
            c = lo.fallbackC();
            selection = "fixed";
        } else if (labels.length <= lo.crossValidationMaxRows() && lo.folds() >= 2) {
            int k = Math.min(lo.folds(), smallest);
            int[] fold = LabelDraws.folds(labels, numClasses, k, Seeds.derive(seed, 0xf01dL));
            for (int p = 0; p < rows.length; p++) {
                codes[rows[p]] = fold[p];
            }
            Dataset<Row> subset = coded(jsc, indexed, codes, numClasses).persist(StorageLevel.MEMORY_AND_DISK());
            double[] grid = lo.cGrid();
            long[] correct = new long[grid.length];
            double[] nll = new double[grid.length];
            for (int f = 0; f < k; f++) {
                Dataset<Row> fit = subset.filter(col(CODE).notEqual(f)).persist(StorageLevel.MEMORY_AND_DISK());
                Dataset<Row> val = subset.filter(col(CODE).equalTo(f)).persist(StorageLevel.MEMORY_AND_DISK());
                long fitRows = fit.count();
                long valRows = val.count();
                for (int i = 0; i < grid.length; i++) {
                    double[] score = score(fitModel(fit, fitRows, grid[i]), val);
                    correct[i] += Math.round(score[0] * valRows);
                    nll[i] += score[1] * valRows;
                }
                fit.unpersist();
                val.unpersist();
            }
            subset.unpersist();
            int best = 0;
            for (int i = 1; i < grid.length; i++) {
                if (correct[i] > correct[best] || (correct[i] == correct[best] && nll[i] < nll[best])) {
                    best = i;
                }
            }
            c = grid[best];
            selection = "cross-validation";
        } else {
            int[][] split = LogisticProbe.validationSplit(labels, numClasses, lo.validationFraction(), seed);
            for (int p : split[0]) {
                codes[rows[p]] = 0;
            }
            for (int p : split[1]) {
                codes[rows[p]] = 1;
            }
            Dataset<Row> subset = coded(jsc, indexed, codes, numClasses);
            Dataset<Row> fit = subset.filter(col(CODE).equalTo(0)).persist(StorageLevel.MEMORY_AND_DISK());
            Dataset<Row> val = subset.filter(col(CODE).equalTo(1)).persist(StorageLevel.MEMORY_AND_DISK());
            long fitRows = fit.count();
            double bestAcc = -1;
            double bestNll = Double.POSITIVE_INFINITY;
            double bestC = Double.NaN;
            int misses = 0;
            for (double cc : lo.cGrid()) {
                double[] score = score(fitModel(fit, fitRows, cc), val);
                if (score[0] > bestAcc || (score[0] == bestAcc && score[1] < bestNll)) {
                    bestAcc = score[0];
                    bestNll = score[1];
                    bestC = cc;
                    misses = 0;
                } else if (lo.patience() > 0 && ++misses >= lo.patience()) {
                    break;
                }
            }
            fit.unpersist();
            val.unpersist();
            c = bestC;
            selection = "validation";
        }
        for (int r : rows) {
            codes[r] = 0;
        }
        Dataset<Row> all = coded(jsc, indexed, codes, numClasses).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            return new Outcome(c, selection, score(fitModel(all, rows.length, c), test)[0]);
        } finally {
            all.unpersist();
        }
    }

    private LogisticRegressionModel fitModel(Dataset<Row> rows, long n, double c) {
        return new LogisticRegression().setFamily("multinomial").setElasticNetParam(0).setStandardization(true)
                .setFitIntercept(true).setRegParam(regParam(c, n)).setMaxIter(maxIterations).setTol(tolerance)
                .setLabelCol(SparkEmbedder.LABEL).setFeaturesCol(SparkEmbedder.FEATURES).fit(rows);
    }

    /** {accuracy, mean negative log-likelihood} of a model on labelled rows, in one aggregation. */
    private static double[] score(LogisticRegressionModel model, Dataset<Row> rows) {
        UserDefinedFunction nll = org.apache.spark.sql.functions.udf((UDF2<Vector, Double, Double>) (p, y) ->
                -Math.log(Math.max(p.apply((int) (double) y), Double.MIN_NORMAL)), DataTypes.DoubleType);
        Row r = model.transform(rows).agg(
                avg(col("prediction").equalTo(col(SparkEmbedder.LABEL)).cast(DataTypes.DoubleType)),
                avg(nll.apply(col("probability"), col(SparkEmbedder.LABEL)))).first();
        return new double[] {r.getDouble(0), r.getDouble(1)};
    }

    /** Nearest normalised class mean: one aggregation for the means, one for the test accuracy. */
    private static double meanClassifier(JavaSparkContext jsc, Dataset<Row> indexed, int n, int[] rows, int numClasses,
            Dataset<Row> test) {
        int[] codes = new int[n];
        java.util.Arrays.fill(codes, -1);
        for (int r : rows) {
            codes[r] = 0;
        }
        Normalizer unit = new Normalizer().setP(2).setInputCol(SparkEmbedder.FEATURES).setOutputCol("__unit");
        List<Row> sums = unit.transform(coded(jsc, indexed, codes, numClasses)).groupBy(SparkEmbedder.LABEL)
                .agg(Summarizer.sum(col("__unit")).as("sum")).collectAsList();
        double[][] means = new double[numClasses][];
        for (Row r : sums) {
            double[] s = ((Vector) r.get(1)).toArray();
            double norm = 0;
            for (double v : s) {
                norm += v * v;
            }
            norm = Math.max(Math.sqrt(norm), 1e-12);
            for (int j = 0; j < s.length; j++) {
                s[j] /= norm;
            }
            means[(int) r.getDouble(0)] = s;
        }
        Broadcast<double[][]> b = jsc.broadcast(means);
        UserDefinedFunction predict = org.apache.spark.sql.functions.udf((UDF1<Vector, Double>) q -> {
            double[][] m = b.value();
            int best = -1;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < m.length; c++) {
                if (m[c] == null) {
                    continue;
                }
                double s = 0;
                for (int j = 0; j < m[c].length; j++) {
                    s += q.apply(j) * m[c][j];
                }
                if (s > bestScore) {
                    bestScore = s;
                    best = c;
                }
            }
            return (double) best;
        }, DataTypes.DoubleType);
        return unit.transform(test).agg(avg(predict.apply(col("__unit")).equalTo(col(SparkEmbedder.LABEL))
                .cast(DataTypes.DoubleType))).first().getDouble(0);
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }

    /**
     * Where the probe ran, for the report's provenance: Spark version, application id, master and
     * executor count (a local master counts its driver as its one executor).
     */
    public static Map<String, Object> provenance(SparkSession spark) {
        Map<String, Object> m = new LinkedHashMap<>();
        org.apache.spark.SparkContext sc = spark.sparkContext();
        m.put("sparkVersion", sc.version());
        m.put("applicationId", sc.applicationId());
        m.put("master", sc.master());
        int executors = sc.getExecutorMemoryStatus().size();
        m.put("executors", sc.isLocal() ? 1 : Math.max(0, executors - 1));
        m.put("defaultParallelism", sc.defaultParallelism());
        return m;
    }
}
