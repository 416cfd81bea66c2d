package org.pretext.spark;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.pretext.PretextException;
import org.pretext.checkpoint.Provenance;
import org.pretext.probe.ProbeOptions;
import org.pretext.probe.ProbeResult;
import org.pretext.runner.config.ConfigLoader;
import org.pretext.runner.config.RunConfig;
import org.pretext.runner.pipeline.RunPipeline;
import org.pretext.runner.report.RunReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code pretext-spark} command line: {@code java -jar spark/target/pretext-spark.jar embed|probe|pretrain
 * --master local[2]|spark://HOST:PORT ...}, or the same class through {@code spark-submit --class
 * org.pretext.spark.Main pretext-spark.jar embed|probe ...} (the master then comes from spark-submit).
 */
@Command(name = "pretext-spark", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Pretext on Apache Spark: frozen features of a DataFrame on the executors, the linear probe on"
                + " MLlib, data-parallel pretraining by periodic model averaging.",
        subcommands = {Main.Embed.class, Main.Probe.class, Main.Pretrain.class, BenchCommand.class})
public final class Main implements Runnable {
    static final int USAGE_ERROR = 2;
    static final int FAILURE = 1;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "on an error, also print the stack trace")
    boolean verbose;

    public static void main(String[] args) {
        org.pretext.runtime.ChildJvm.stopWithLauncher();
        System.exit(execute(args, System.out, System.err));
    }

    /** Runs the command line and returns its exit code (0 success, 2 bad input, 1 failure). */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        // read by Netty when it first loads; Spark's launcher passes it on the command line
        System.setProperty("io.netty.tryReflectionSetAccessible", "true");
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setExecutionExceptionHandler((ex, line, parse) -> {
            String message = null;
            for (Throwable t = ex; t != null && message == null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof PretextException) {
                    message = t.getMessage();
                }
            }
            int code = message != null ? USAGE_ERROR : FAILURE;
            if (message == null) {
                Throwable root = ex;
                while (root.getCause() != null && root.getCause() != root) {
                    root = root.getCause();
                }
                message = "unexpected " + root.getClass().getSimpleName() + (root.getMessage() == null ? ""
                        : ": " + root.getMessage()) + " (run again with --verbose for the stack trace)";
            }
            err.println("error: " + message.replaceAll("\\s*\\R\\s*", " "));
            boolean verbose = false;
            for (CommandLine.ParseResult p = parse; p != null; p = p.subcommand()) {
                verbose |= p.hasMatchedOption("--verbose");
            }
            if (verbose) {
                ex.printStackTrace(err);
            }
            return code;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Options every command takes: where Spark runs. */
    static class SparkOptions {
        @Option(names = "--master", paramLabel = "URL", description = "local[N], spark://HOST:PORT, yarn, k8s://...;"
                + " not needed under spark-submit, which sets it")
        String master;

        @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "a Spark setting, e.g."
                + " spark.executor.memory=4g (repeatable)")
        List<String> conf = new ArrayList<>();

        SparkSession session(String app) {
            SparkConf c = new SparkConf();
            if (master != null) {
                c.setMaster(master);
            }
            if (!c.contains("spark.master")) {
                throw new PretextException("No Spark master: give --master local[2] (in this JVM) or --master"
                        + " spark://HOST:PORT (a standalone cluster), or run through spark-submit");
            }
            c.setIfMissing("spark.app.name", app);
            for (String kv : conf) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new PretextException("--conf " + kv + ": expected KEY=VALUE");
                }
                c.set(kv.substring(0, eq), kv.substring(eq + 1));
            }
            if (org.pretext.runtime.MallocTuning.tunablesEnabled()) {
                // executors' steps keep their large arrays too (MallocTuning); --conf can set another value
                c.setIfMissing("spark.executorEnv." + org.pretext.runtime.MallocTuning.TUNABLES_VARIABLE,
                        org.pretext.runtime.MallocTuning.GLIBC_TUNABLES);
            }
            String jar = ownJar();
            String m = c.get("spark.master");
            if (jar != null && !m.startsWith("local") && !c.get("spark.jars", "").contains(Path.of(jar).getFileName()
                    .toString())) {
                // started with java -jar: the executors get Pretext from this jar
                String jars = c.get("spark.jars", "");
                c.set("spark.jars", jars.isEmpty() ? jar : jars + "," + jar);
            }
            ownsSession = SparkSession.getDefaultSession().isEmpty();
            SparkSession spark = SparkSession.builder().config(c).getOrCreate();
            spark.sparkContext().setLogLevel("WARN");
            return spark;
        }

        /** Whether {@link #session} started the session (one already running in this JVM is left running). */
        boolean ownsSession;

        void stop(SparkSession session) {
            if (ownsSession) {
                session.stop();
            }
        }

        /** The jar this class was loaded from, or null (a classes folder, e.g. in tests). */
        static String ownJar() {
            try {
                java.security.CodeSource cs = Main.class.getProtectionDomain().getCodeSource();
                if (cs == null) {
                    return null;
                }
                Path p = Path.of(cs.getLocation().toURI());
                return Files.isRegularFile(p) && p.toString().endsWith(".jar") ? p.toString() : null;
            } catch (java.net.URISyntaxException | RuntimeException e) {
                return null;
            }
        }
    }

    /** {@code embed}: features of a DataFrame, written to Parquet. */
    @Command(name = "embed", mixinStandardHelpOptions = true, description = "Compute an encoder's frozen features of"
            + " Parquet rows, an image folder or a dataset the runner reads on the executors and write id, label,"
            + " features (an ML vector) to Parquet.")
    static final class Embed implements Callable<Integer> {
        @CommandLine.Mixin
        SparkOptionsMixin spark;

        @Option(names = "--encoder", required = true, paramLabel = "FILE",
                description = "an exported encoder (pretext export --run DIR --out FILE)")
        Path encoder;

        @Option(names = "--parquet", paramLabel = "PATH", description = "Parquet rows (a file or folder Spark reads)")
        String parquet;

        @Option(names = "--input-column", paramLabel = "NAME", defaultValue = "features",
                description = "with --parquet: the array<float>, array<double> or vector column (default: ${DEFAULT-VALUE})")
        String inputColumn;

        @Option(names = "--text-column", paramLabel = "NAME",
                description = "with --parquet: a string column of sentences, embedded instead of --input-column"
                        + " through an encoder trained on text (its tokenizer) and --feature-map")
        String textColumn;

        @Option(names = "--feature-map", paramLabel = "NAME", defaultValue = "mean",
                description = "with --text-column: how a sentence's hidden states become one vector: mean,"
                        + " last-token, conditional-mean or a plug-in's (default: ${DEFAULT-VALUE})")
        String featureMap;

        @Option(names = "--label-column", paramLabel = "NAME",
                description = "with --parquet: the integer or string label column (default: none)")
        String labelColumn;

        @Option(names = "--id-column", paramLabel = "NAME",
                description = "with --parquet: a column identifying rows (default: the row index)")
        String idColumn;

        @Option(names = "--dataset", paramLabel = "NAME|DIR", description = "a dataset the runner reads (a provider"
                + " name, or a folder or file: IDX, image folders, .npy, CSV, CIFAR), read on the driver and embedded"
                + " on the executors; its train and test splits go to OUT/train and OUT/test")
        String dataset;

        @Option(names = "--config", paramLabel = "FILE", description = "with --dataset or alone: a runner YAML config"
                + " whose dataset: section names the data")
        Path config;

        @Option(names = "--images", paramLabel = "DIR", description = "a folder of images, DIR/<class>/*.png|jpg|..."
                + " (labelled) or DIR/*.png (unlabelled), read with Spark's binaryFile source")
        String images;

        @Option(names = "--resize", paramLabel = "crop|stretch", defaultValue = "crop",
                description = "with --images: fit to the encoder's square input by centre crop or stretch (default:"
                        + " ${DEFAULT-VALUE})")
        String resize;

        @Option(names = "--batch-size", paramLabel = "N", defaultValue = "256",
                description = "rows per forward pass (default: ${DEFAULT-VALUE})")
        int batchSize;

        @Option(names = "--partitions", paramLabel = "N", description = "repartition the input into N partitions first"
                + " (with --parquet and no --id-column, the ids are then the rows' indices in the repartitioned"
                + " order, not the file's)")
        Integer partitions;

        @Option(names = "--out", required = true, paramLabel = "PATH", description = "the Parquet output (must not exist)")
        String out;

        @Override
        public Integer call() throws Exception {
            boolean fromConfig = dataset != null || config != null;
            if ((parquet != null ? 1 : 0) + (images != null ? 1 : 0) + (fromConfig ? 1 : 0) != 1) {
                throw new PretextException("embed needs one input: --parquet PATH, --images DIR, or --dataset NAME|DIR"
                        + " (or --config FILE)");
            }
            if (!Files.isRegularFile(encoder)) {
                throw new PretextException("Encoder file " + encoder + " does not exist");
            }
            if (textColumn != null && parquet == null) {
                throw new PretextException("--text-column reads a column of --parquet rows: give --parquet PATH too");
            }
            SparkSession session = spark.session("pretext-spark embed");
            try {
                long t0 = System.nanoTime();
                ShippedEncoder shipped = ShippedEncoder.ship(JavaSparkContext.fromSparkContext(session.sparkContext()),
                        encoder);
                SparkEmbedder.Embedded e;
                if (fromConfig) {
                    org.pretext.data.Dataset data = LocalData.open(config, dataset);
                    long rows = 0;
                    for (String part : List.of("train", "test")) {
                        java.util.Optional<org.pretext.data.Split> split = part.equals("train") ? data.train()
                                : data.test();
                        if (split.isEmpty()) {
                            continue;
                        }
                        Dataset<Row> in = LocalData.frame(session, split.get(), partitions);
                        SparkEmbedder.arrays(in, "input", split.get().hasLabels() ? "label" : null, "id", shipped,
                                batchSize).features().write().parquet(out + "/" + part);
                        rows += session.read().parquet(out + "/" + part).count();
                    }
                    System.out.printf(java.util.Locale.ROOT, "embedded %d rows of %s into %d features with %s in %.1f s"
                            + " on %s%n", rows, data.name(), shipped.featureSize(), encoder.getFileName(),
                            (System.nanoTime() - t0) / 1e9, session.sparkContext().master());
                    System.out.println("features: " + out + "/train, " + out + "/test");
                    return 0;
                } else if (parquet != null) {
                    Dataset<Row> in = session.read().parquet(parquet);
                    if (partitions != null) {
                        in = in.repartition(partitions);
                    }
                    e = textColumn != null
                            ? SparkEmbedder.text(in, textColumn, labelColumn, idColumn, shipped, featureMap, batchSize)
                            : SparkEmbedder.arrays(in, inputColumn, labelColumn, idColumn, shipped, batchSize);
                } else {
                    e = SparkEmbedder.imageFolder(session, images, shipped,
                            new SparkEmbedder.ImageOptions(resize, org.pretext.datasets.image.ImageFiles.defaultMaxPixels()),
                            batchSize);
                }
                e.features().write().parquet(out);
                long rows = session.read().parquet(out).count();
                System.out.printf(java.util.Locale.ROOT, "embedded %d rows into %d features with %s in %.1f s on %s%n",
                        rows, textColumn != null ? shipped.featureSize(featureMap) : shipped.featureSize(),
                        encoder.getFileName(), (System.nanoTime() - t0) / 1e9,
                        session.sparkContext().master());
                if (!e.classNames().isEmpty()) {
                    System.out.println("classes: " + String.join(", ", e.classNames()));
                }
                System.out.println("features: " + out);
                return 0;
            } finally {
                spark.stop(session);
            }
        }
    }

    /** {@code probe}: the linear probe (and mean classifier) on MLlib. */
    @Command(name = "probe", mixinStandardHelpOptions = true, description = "Probe frozen features (Parquet of id,"
            + " label, features, as embed writes them) with MLlib's logistic regression at label budgets, as the local"
            + " probe does, and write report.json.")
    static final class Probe implements Callable<Integer> {
        @CommandLine.Mixin
        SparkOptionsMixin spark;

        @Option(names = "--train", required = true, paramLabel = "PATH", description = "training features (Parquet)")
        String train;

        @Option(names = "--test", required = true, paramLabel = "PATH", description = "test features (Parquet)")
        String test;

        @CommandLine.Mixin
        ProbeSettingsMixin settings;

        @Option(names = "--name", paramLabel = "NAME", defaultValue = "pretrained",
                description = "the feature set's name in the report (default: ${DEFAULT-VALUE})")
        String name;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "where report.json goes")
        Path out;

        @Override
        public Integer call() throws Exception {
            RunConfig cfg = settings.config();
            ProbeOptions options = settings.options(cfg);
            SparkProbe probe = new SparkProbe(options);
            SparkSession session = spark.session("pretext-spark probe");
            try {
                List<ProbeResult> results = probe.run(name, session.read().parquet(train), session.read().parquet(test),
                        null);
                Files.createDirectories(out);
                Map<String, String> versions = new LinkedHashMap<>(org.pretext.Versions.all());
                versions.put("spark", session.version());
                Map<String, String> data = new LinkedHashMap<>();
                data.put("train", train);
                data.put("test", test);
                Provenance provenance = new Provenance(null, null, null, null, null, train, data, cfg.seed(), null,
                        versions);
                RunReport report = new RunReport(null, train, null, cfg.seed(), "spark", null, results, provenance);
                Path file = out.resolve("report.json");
                SparkReports.write(report, SparkProbe.provenance(session), file);
                RunPipeline.printTable(report, System.out);
                System.out.println("report: " + file.toAbsolutePath());
                return 0;
            } finally {
                spark.stop(session);
            }
        }
    }

    /** {@code pretrain}: data-parallel pretraining by periodic model averaging ({@link SparkPretrainer}). */
    @Command(name = "pretrain", mixinStandardHelpOptions = true, description = "Pretrain on the cluster by synchronous"
            + " periodic model averaging: each round W barrier tasks take K local steps with Pretext's loop on their"
            + " own shard of the data from the round's broadcast checkpoint, and the driver averages parameters and"
            + " optimizer moments and writes the round's checkpoint. OUT is a run folder (config.yaml, checkpoints/):"
            + " pretext export --run OUT and pretext probe --run OUT take its encoder.")
    static final class Pretrain implements Callable<Integer> {
        @CommandLine.Mixin
        SparkOptionsMixin spark;

        @Option(names = "--config", paramLabel = "FILE", description = "a runner YAML config (dataset, encoder,"
                + " objective, training, seed); training.batch-size is each worker's batch, training.steps is set to"
                + " rounds x local steps")
        Path config;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override a config key, as the runner's --set"
                + " (repeatable)")
        List<String> set = new ArrayList<>();

        @Option(names = "--rounds", paramLabel = "R", description = "rounds of broadcast, local steps and averaging"
                + " (default: 10; with --resume, the run's)")
        Integer rounds;

        @Option(names = "--local-steps", paramLabel = "K", description = "steps each worker takes between averagings"
                + " (default: 10; with --resume, the run's)")
        Integer localSteps;

        @Option(names = "--workers", paramLabel = "W", description = "tasks per round, one per executor slot (default:"
                + " the cluster's default parallelism; with --resume, the run's)")
        Integer workers;

        @Option(names = "--out", paramLabel = "DIR", description = "the run folder to write (must hold no checkpoints)")
        Path out;

        @Option(names = "--resume", paramLabel = "DIR", description = "continue the run in DIR from its last round's"
                + " checkpoint, with its config.yaml")
        Path resume;

        @Override
        public Integer call() throws Exception {
            if ((out == null) == (resume == null)) {
                throw new PretextException("pretrain needs --out DIR (a new run) or --resume DIR (a run to continue),"
                        + " not both");
            }
            Map<String, Object> tree = ConfigLoader.defaults();
            Path folder = resume != null ? resume : out;
            if (resume != null) {
                if (config != null) {
                    throw new PretextException("--resume continues the run with the config saved in " + resume
                            + "/config.yaml; drop --config");
                }
                Path saved = resume.resolve("config.yaml");
                if (!Files.isRegularFile(saved)) {
                    throw new PretextException("Cannot resume: " + saved + " does not exist (is " + resume
                            + " a folder written by pretext-spark pretrain?)");
                }
                ConfigLoader.merge(tree, ConfigLoader.read(saved));
            } else if (config != null) {
                ConfigLoader.merge(tree, ConfigLoader.read(config));
            }
            for (String kv : set) {
                ConfigLoader.set(tree, kv);
            }
            SparkPretrainer.Plan saved = resume != null ? SparkPretrainer.savedPlan(resume) : null;
            SparkSession session = spark.session("pretext-spark pretrain");
            try {
                int w = workers != null ? workers : saved != null ? saved.workers()
                        : session.sparkContext().defaultParallelism();
                SparkPretrainer.Plan plan = new SparkPretrainer.Plan(rounds != null ? rounds : saved != null
                        ? saved.rounds() : 10, localSteps != null ? localSteps : saved != null ? saved.localSteps() : 10,
                        w);
                long t0 = System.nanoTime();
                List<SparkPretrainer.Round> done = SparkPretrainer.run(session, tree, plan, folder, resume != null,
                        System.out);
                System.out.printf(java.util.Locale.ROOT, "pretrained %d rounds of %d local steps on %d workers in %.1f s"
                        + " on %s%n", done.size(), plan.localSteps(), plan.workers(), (System.nanoTime() - t0) / 1e9,
                        session.sparkContext().master());
                System.out.println("run folder: " + folder.toAbsolutePath());
                return 0;
            } finally {
                spark.stop(session);
            }
        }
    }

    /** Pretext's and Spark's versions. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"Pretext " + org.pretext.Versions.pretext() + " on Spark " + org.apache.spark.package$.MODULE$
                    .SPARK_VERSION() + " (DJL " + org.pretext.Versions.djl() + ", PyTorch " + org.pretext.Versions.pytorch() + ")"};
        }
    }

    /** picocli mixin of {@link SparkOptions}. */
    /** The probe's settings: a runner config's probe: section and seed, overridden by flags. */
    static class ProbeSettingsMixin {
        @Option(names = "--config", paramLabel = "FILE", description = "a runner YAML config: its probe: section and"
                + " seed are used")
        Path config;

        @Option(names = "--labels-per-class", paramLabel = "K,...", description = "label budgets, e.g. 1,10,all"
                + " (default: the config's, or 10,all)")
        String budgets;

        @Option(names = "--probes", paramLabel = "P,...", description = "logistic, mean (default: the config's, or logistic)")
        String probes;

        @Option(names = "--draws", paramLabel = "N", description = "draws per k-per-class budget (default: the config's, or 5)")
        Integer draws;

        @Option(names = "--seed", paramLabel = "N", description = "seed of the label draws (default: the config's, or 42)")
        Long seed;

        RunConfig config() {
            Map<String, Object> tree = ConfigLoader.defaults();
            if (config != null) {
                ConfigLoader.merge(tree, ConfigLoader.read(config));
            }
            if (budgets != null) {
                ConfigLoader.set(tree, "probe.labels-per-class=" + budgets);
            }
            if (probes != null) {
                ConfigLoader.set(tree, "probe.probes=" + probes);
            }
            if (draws != null) {
                ConfigLoader.set(tree, "probe.draws=" + draws);
            }
            if (seed != null) {
                ConfigLoader.set(tree, "seed=" + seed);
            }
            return ConfigLoader.resolve(tree);
        }

        ProbeOptions options(RunConfig cfg) {
            return org.pretext.runner.config.ProbeSettings.options(cfg.probe(), cfg.seed(), ai.djl.Device.cpu(),
                    org.pretext.registry.ProviderRegistry.load(org.pretext.evaluation.ProbeProvider.class, "probe",
                            Main.class.getClassLoader(), List.of()));
        }
    }

    static final class SparkOptionsMixin extends SparkOptions {}
}
