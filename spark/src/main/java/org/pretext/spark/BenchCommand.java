package org.pretext.spark;

import com.google.gson.GsonBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.pretext.PretextException;
import org.pretext.data.Split;
import org.pretext.probe.ProbeResult;
import org.pretext.runner.config.RunConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench embed|probe}: what Spark costs against the single-process path on the same data, in
 * one JVM, written as JSON and printed as Markdown table rows (BENCHMARKS.md's Spark tables).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure Spark against the single-process"
        + " path on the same data: embed (rows/s, Spark's overhead per row) or probe (MLlib's time and accuracy"
        + " against the local probe's).", subcommands = {BenchCommand.Embed.class, BenchCommand.Probe.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "bench needs a subcommand: embed or probe");
    }

    /** {@code bench embed}: rows/s of {@link SparkEmbedder} against the extractor. */
    @Command(name = "embed", mixinStandardHelpOptions = true, description = "Embedding throughput: the rows of a"
            + " dataset's training split through each encoder on Spark (cached DataFrame, noop sink) and in this"
            + " process (the extractor of pretext embed), timed over --repeats passes after a warm-up.")
    static final class Embed implements Callable<Integer> {
        @CommandLine.Mixin
        Main.SparkOptionsMixin spark;

        @Option(names = "--encoder", required = true, paramLabel = "FILE", description = "an encoder file (pretext"
                + " export); repeatable, one table row each")
        List<Path> encoders = new ArrayList<>();

        @Option(names = "--dataset", paramLabel = "NAME|DIR", defaultValue = "mnist",
                description = "a dataset the runner reads (default: ${DEFAULT-VALUE})")
        String dataset;

        @Option(names = "--rows", paramLabel = "N", defaultValue = "60000",
                description = "rows of the training split (at most its size; default: ${DEFAULT-VALUE})")
        int rows;

        @Option(names = "--partitions", paramLabel = "N", description = "partitions of the input (default: the"
                + " cluster's default parallelism)")
        Integer partitions;

        @Option(names = "--batch-size", paramLabel = "N", defaultValue = "256",
                description = "rows per forward pass, both sides (default: ${DEFAULT-VALUE})")
        int batchSize;

        @Option(names = "--repeats", paramLabel = "N", defaultValue = "3",
                description = "timed passes per side; the best counts (default: ${DEFAULT-VALUE})")
        int repeats;

        @Option(names = "--local-threads", paramLabel = "N", defaultValue = "0",
                description = "engine threads of the single process's passes (default: the engine's, one per core;"
                        + " each Spark task uses spark.task.cpus), e.g. 1 against local[1]")
        int localThreads;

        @Option(names = "--out", paramLabel = "FILE", description = "write the measurements as JSON")
        Path out;

        @Override
        public Integer call() throws Exception {
            if (rows < 1 || repeats < 1 || batchSize < 1) {
                throw new PretextException("--rows, --repeats and --batch-size must be >= 1");
            }
            org.pretext.engine.ThreadLimit.check("--local-threads", localThreads);
            for (Path e : encoders) {
                if (!Files.isRegularFile(e)) {
                    throw new PretextException("Encoder file " + e + " does not exist");
                }
            }
            Split train = LocalData.open(null, dataset).train().orElseThrow(() -> new PretextException("Dataset "
                    + dataset + " has no training split"));
            SparkSession session = spark.session("pretext-spark bench embed");
            List<Map<String, Object>> json = new ArrayList<>();
            List<String> table = new ArrayList<>();
            try {
                for (Path e : encoders) {
                    EmbedBenchmark.Result r = EmbedBenchmark.run(session, e, train, rows, partitions, batchSize, repeats,
                            localThreads, System.out);
                    json.add(r.toJson());
                    table.add(String.format(Locale.ROOT, "| %s | %s (%d) | %,d | %d | %d / %d | %.0f | %.0f | %.1f |"
                            + " %+.1f %% | %.0f | %+.1f %% |", r.master(), r.encoder(), r.featureSize(), r.rows(),
                            r.partitions(), r.localThreads(), r.taskThreads(), r.localRowsPerSecond(), r.sparkRowsPerSecond(), r.sparkFirstSeconds(), 100 * r.overhead(),
                            1000 * r.sparkFixedSeconds(), 100 * r.overheadBeyondFixed()));
                }
            } finally {
                spark.stop(session);
            }
            System.out.println("| master | encoder (features) | rows | partitions | engine threads (single process /"
                    + " Spark task) | single process (rows/s) | Spark (rows/s) | Spark's first pass (s) | Spark's overhead"
                    + " per row | Spark's fixed cost per pass (ms) | overhead per row beyond the fixed cost |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
            table.forEach(System.out::println);
            write(out, json);
            return 0;
        }
    }

    /** {@code bench probe}: MLlib's probe against the local probe on the same features. */
    @Command(name = "probe", mixinStandardHelpOptions = true, description = "Probe time: the same Parquet features"
            + " (as embed writes them) through the local probe and MLlib's, with the same budgets, draws and seed;"
            + " wall time and accuracy of each.")
    static final class Probe implements Callable<Integer> {
        @CommandLine.Mixin
        Main.SparkOptionsMixin spark;

        @Option(names = "--train", required = true, paramLabel = "PATH", description = "training features (Parquet)")
        String train;

        @Option(names = "--test", required = true, paramLabel = "PATH", description = "test features (Parquet)")
        String test;

        @CommandLine.Mixin
        Main.ProbeSettingsMixin settings;

        @Option(names = "--out", paramLabel = "FILE", description = "write the measurements as JSON")
        Path out;

        @Override
        public Integer call() throws Exception {
            RunConfig cfg = settings.config();
            SparkSession session = spark.session("pretext-spark bench probe");
            ProbeBenchmark.Result r;
            try {
                r = ProbeBenchmark.run(settings.options(cfg), session.read().parquet(train), session.read()
                        .parquet(test), System.out);
            } finally {
                spark.stop(session);
            }
            System.out.println("| master | features | probe | labels per class | local probe | MLlib probe |");
            System.out.println("|---|---|---|---|---|---|");
            for (int i = 0; i < r.local().size(); i++) {
                ProbeResult a = r.local().get(i);
                ProbeResult b = r.spark().get(i);
                System.out.printf(Locale.ROOT, "| %s | %,d × %d | %s | %s | %.2f %% | %.2f %% |%n", r.master(),
                        r.trainRows(), r.featureSize(), a.probe(), a.labelsPerClass() == null ? "all"
                                : a.labelsPerClass(), 100 * a.accuracy(), 100 * b.accuracy());
            }
            System.out.printf(Locale.ROOT, "| | | wall time (s) | | %.1f | %.1f |%n", r.localSeconds(),
                    r.sparkSeconds());
            write(out, List.of(r.toJson()));
            return 0;
        }
    }

    private static void write(Path out, List<Map<String, Object>> results) throws java.io.IOException {
        if (out == null) {
            return;
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("versions", org.pretext.Versions.all());
        root.put("results", results);
        if (out.toAbsolutePath().getParent() != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
        }
        Files.writeString(out, new GsonBuilder().setPrettyPrinting().create().toJson(root), StandardCharsets.UTF_8);
        System.out.println("measurements: " + out.toAbsolutePath());
    }
}
