package org.pretext.spark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.pretext.checkpoint.ExportedEncoder;
import org.pretext.data.IndexedSplit;
import org.pretext.data.Split;
import org.pretext.encoder.Features;
import org.pretext.engine.FileTrees;
import org.pretext.runtime.EngineThreads;

/**
 * Embedding throughput on Spark against the single-process extractor on the same rows, in one JVM
 * (the driver's): the rows are written to Parquet and read back into a cached DataFrame first (data
 * already in Spark, as for a user), then {@link SparkEmbedder#arrays} runs over them into Spark's {@code noop} sink, and
 * {@link ExportedEncoder#features(Split, int)} runs over the same rows on the driver. The first
 * Spark pass (encoder shipped and loaded on the executors) is reported apart; the rest are the best
 * of the repeats. Spark's overhead per row is its time per row over the extractor's, minus one; the
 * same pass over a frame of one row per partition gives Spark's fixed cost per pass (planning, the
 * job and its tasks), reported apart and also taken out of Spark's time for the overhead that grows
 * with the rows.
 * After the timed passes, the features of one more Spark pass are collected and compared with the
 * extractor's, row by row ({@code maxAbsDifference}): a benchmark whose two sides disagree stops.
 */
final class EmbedBenchmark {
    /** What one benchmark measured (times in seconds). */
    record Result(String master, int executors, String encoder, int featureSize, int rows, int partitions,
            int batchSize, int localThreads, int taskThreads, double localSeconds, double sparkFirstSeconds,
            double sparkSeconds, double sparkFixedSeconds, long comparedRows, double maxAbsDifference) {
        double localRowsPerSecond() {
            return rows / localSeconds;
        }

        double sparkRowsPerSecond() {
            return rows / sparkSeconds;
        }

        /** Spark's time per row over the extractor's, minus one (0.05 = 5 % more time per row). */
        double overhead() {
            return sparkSeconds / localSeconds - 1;
        }

        /**
         * As {@link #overhead()}, with Spark's fixed cost per pass (planning, the job and its tasks:
         * {@code sparkFixedSeconds}) taken out of Spark's time first: the overhead that grows with the rows.
         */
        double overheadBeyondFixed() {
            return (sparkSeconds - sparkFixedSeconds) / localSeconds - 1;
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("master", master);
            m.put("executors", executors);
            m.put("encoder", encoder);
            m.put("featureSize", featureSize);
            m.put("rows", rows);
            m.put("partitions", partitions);
            m.put("batchSize", batchSize);
            m.put("localEngineThreads", localThreads);
            m.put("taskEngineThreads", taskThreads);
            m.put("localSeconds", localSeconds);
            m.put("sparkFirstSeconds", sparkFirstSeconds);
            m.put("sparkSeconds", sparkSeconds);
            m.put("localRowsPerSecond", localRowsPerSecond());
            m.put("sparkRowsPerSecond", sparkRowsPerSecond());
            m.put("overhead", overhead());
            m.put("sparkFixedSeconds", sparkFixedSeconds);
            m.put("overheadBeyondFixed", overheadBeyondFixed());
            m.put("comparedRows", comparedRows);
            m.put("maxAbsDifference", maxAbsDifference);
            return m;
        }
    }

    private EmbedBenchmark() {}

    /**
     * Runs the benchmark on {@code rows} rows (at most the split's) of {@code split}, {@code repeats}
     * timed passes each side after one untimed warm-up pass of the extractor, the extractor on
     * {@code localThreads} engine threads (0: the engine's count) and each Spark task on its own
     * {@code spark.task.cpus}.
     */
    static Result run(SparkSession spark, Path encoderFile, Split split, int rows, Integer partitions, int batchSize,
            int repeats, int localThreads, java.io.PrintStream log) {
        int n = (int) Math.min(rows, split.size());
        int[] first = new int[n];
        for (int i = 0; i < n; i++) {
            first[i] = i;
        }
        IndexedSplit local = ((IndexedSplit) split).subset(first);
        int parts = partitions != null ? partitions : spark.sparkContext().defaultParallelism();
        // through Parquet, as a user's rows arrive: a DataFrame made from local rows keeps them in its plan,
        // and Spark hashes that plan (all the rows) whenever it looks the cached data up
        Path parquet;
        try {
            parquet = java.nio.file.Files.createTempDirectory("pretext-bench-embed");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        String where = parquet.resolve("rows.parquet").toString();
        LocalData.frame(spark, local, parts).write().parquet(where);
        Dataset<Row> in = spark.read().parquet(where).repartition(parts).cache();
        long cached = in.count();
        log.printf(java.util.Locale.ROOT, "%d rows read from Parquet and cached in %d partitions%n", cached, parts);

        double localBest = Double.MAX_VALUE;
        int extractorThreads;
        int taskThreads = spark.sparkContext().conf().getInt("spark.task.cpus", 1); // each task's (ShippedEncoder)
        int featureSize;
        Features.Matrix reference;
        try (EngineThreads threads = EngineThreads.set(localThreads);
                ExportedEncoder enc = ExportedEncoder.load(encoderFile)) {
            extractorThreads = EngineThreads.current();
            log.printf(java.util.Locale.ROOT, "engine threads: %d for the single process, %d per Spark task%n",
                    extractorThreads, taskThreads);
            featureSize = enc.encoder().featureSize();
            reference = enc.features(local, batchSize); // also the warm-up: first-call allocation, kernel selection
            for (int r = 0; r < repeats; r++) {
                long t0 = System.nanoTime();
                enc.features(local, batchSize);
                double s = (System.nanoTime() - t0) / 1e9;
                log.printf(java.util.Locale.ROOT, "single process, pass %d: %.3f s (%.0f rows/s)%n", r + 1, s, n / s);
                localBest = Math.min(localBest, s);
            }
        }

        ShippedEncoder shipped = ShippedEncoder.ship(JavaSparkContext.fromSparkContext(spark.sparkContext()),
                encoderFile);
        List<Double> passes = new ArrayList<>();
        for (int r = 0; r <= repeats; r++) {
            long t0 = System.nanoTime();
            SparkEmbedder.arrays(in, "input", "label", "id", shipped, batchSize).features().write().format("noop")
                    .mode("overwrite").save();
            double s = (System.nanoTime() - t0) / 1e9;
            log.printf(java.util.Locale.ROOT, "Spark, pass %d%s: %.3f s (%.0f rows/s)%n", r, r == 0 ? " (ships and"
                    + " loads the encoder)" : "", s, n / s);
            passes.add(s);
        }
        // what a pass costs whatever its rows (analysis and planning, the job, its tasks, the encoder lookup):
        // the same embedding of the same cached Parquet rows, one per partition
        Dataset<Row> few = spark.read().parquet(where).limit(parts).repartition(parts).cache();
        few.count();
        double fixedBest = Double.MAX_VALUE;
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            SparkEmbedder.arrays(few, "input", "label", "id", shipped, batchSize).features().write().format("noop")
                    .mode("overwrite").save();
            fixedBest = Math.min(fixedBest, (System.nanoTime() - t0) / 1e9);
        }
        few.unpersist();
        log.printf(java.util.Locale.ROOT, "Spark's fixed cost per pass (the same pass over one row per partition, best of"
                + " %d): %.3f s%n", repeats, fixedBest);
        double[] difference = compare(SparkEmbedder.arrays(in, "input", "label", "id", shipped, batchSize).features(),
                reference);
        in.unpersist();
        if (difference[0] != n || !(difference[1] <= TOLERANCE)) {
            throw new IllegalStateException(String.format(java.util.Locale.ROOT, "Spark's features differ from the"
                    + " extractor's: %d of %d rows compared, largest difference %.3g (tolerance %.0e)",
                    (long) difference[0], n, difference[1], TOLERANCE));
        }
        log.printf(java.util.Locale.ROOT, "Spark's features against the extractor's: %d rows, largest difference"
                + " %.2g%n", (long) difference[0], difference[1]);
        try {
            FileTrees.delete(parquet);
        } catch (java.io.IOException e) {
            // a temporary folder left behind is harmless
        }
        double sparkBest = passes.subList(1, passes.size()).stream().mapToDouble(Double::doubleValue).min()
                .orElseThrow();
        int executors = Math.max(1, spark.sparkContext().getExecutorMemoryStatus().size()
                - (spark.sparkContext().isLocal() ? 0 : 1));
        return new Result(spark.sparkContext().master(), executors, encoderFile.getFileName().toString(), featureSize,
                n, parts, batchSize, extractorThreads, taskThreads, localBest, passes.get(0), sparkBest, fixedBest, (long) difference[0], difference[1]);
    }

    /** Largest |difference| a feature may show between Spark and the extractor (float32 sums in another order). */
    static final double TOLERANCE = 1e-4;

    /** {rows compared, largest absolute difference} between the embedded frame and the reference, by id. */
    private static double[] compare(Dataset<Row> embedded, Features.Matrix reference) {
        long rows = 0;
        double max = 0;
        java.util.Iterator<Row> it = embedded.select(SparkEmbedder.ID, SparkEmbedder.FEATURES).toLocalIterator();
        while (it.hasNext()) {
            Row r = it.next();
            int id = Math.toIntExact(r.getLong(0));
            double[] v = ((org.apache.spark.ml.linalg.Vector) r.get(1)).toArray();
            if (v.length != reference.cols()) {
                return new double[] {rows, Double.POSITIVE_INFINITY};
            }
            for (int j = 0; j < v.length; j++) {
                max = Math.max(max, Math.abs(v[j] - reference.get(id, j)));
            }
            rows++;
        }
        return new double[] {rows, max};
    }
}
